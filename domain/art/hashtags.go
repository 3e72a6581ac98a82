package art

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/artauction/artauction/domain/validation"
)

// Hashtag limits of docs/rules.md.
const (
	MaxHashtags      = 10
	MaxHashtagLength = 30
)

// Hashtags are 1 to 10 normalized tags in the order given: trimmed, lower-cased,
// without a leading '#', duplicates dropped.
type Hashtags struct {
	tags []string
}

// NormalizeHashtag turns user input into a tag, or "" when nothing is left. The
// leading '#'s and spaces go together, so that "# #cat" is "cat" and normalizing
// a tag again leaves it as it is.
func NormalizeHashtag(raw string) string {
	tag := strings.TrimLeftFunc(raw, func(r rune) bool { return r == '#' || unicode.IsSpace(r) })
	return strings.ToLower(strings.TrimRightFunc(tag, unicode.IsSpace))
}

// NewHashtags validates and normalizes tags.
func NewHashtags(raw []string) (Hashtags, error) {
	seen := map[string]bool{}
	tags := make([]string, 0, len(raw))
	for _, r := range raw {
		tag := NormalizeHashtag(r)
		if tag == "" {
			return Hashtags{}, validation.Field("hashtags", "must not contain an empty hashtag")
		}
		if utf8.RuneCountInString(tag) > MaxHashtagLength || strings.ContainsAny(tag, "#,") ||
			strings.IndexFunc(tag, unicode.IsSpace) >= 0 || strings.IndexFunc(tag, unicode.IsControl) >= 0 {
			return Hashtags{}, validation.Field("hashtags",
				"each hashtag must be 1 to 30 characters without spaces, commas, control characters or '#'")
		}
		if !seen[tag] {
			seen[tag] = true
			tags = append(tags, tag)
		}
	}
	if len(tags) < 1 || len(tags) > MaxHashtags {
		return Hashtags{}, validation.Field("hashtags", "must hold 1 to 10 distinct hashtags")
	}
	return Hashtags{tags: tags}, nil
}

// RestoreHashtags rebuilds tags read from storage.
func RestoreHashtags(tags []string) Hashtags {
	return Hashtags{tags: append([]string(nil), tags...)}
}

// List returns the tags in order.
func (h Hashtags) List() []string { return append([]string(nil), h.tags...) }
