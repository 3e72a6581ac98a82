package art_test

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/validation"
)

// FuzzNormalizeHashtag checks the rules of docs/rules.md on every output: no
// leading '#', trimmed, lower-cased, valid UTF-8, and normalizing twice is
// normalizing once (a search for a normalized tag finds that tag).
func FuzzNormalizeHashtag(f *testing.F) {
	for _, seed := range []string{
		"Cat", "#Cat", "  ##CAT ", "# cat", "# # cat", "#\u3000#Cat", "#", "", "고양이", "ÉCOLE",
		"\u0130stanbul", "\xff#x", "#\x00", "a\u00a0", "\u2126", "ǅ", "ß",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		tag := art.NormalizeHashtag(raw)

		if again := art.NormalizeHashtag(tag); again != tag {
			t.Fatalf("not idempotent: %q -> %q -> %q", raw, tag, again)
		}
		if !utf8.ValidString(tag) {
			t.Fatalf("%q normalized to invalid UTF-8 %q", raw, tag)
		}
		if strings.HasPrefix(tag, "#") {
			t.Fatalf("%q normalized to %q, which starts with '#'", raw, tag)
		}
		if strings.TrimFunc(tag, unicode.IsSpace) != tag {
			t.Fatalf("%q normalized to %q, which is not trimmed", raw, tag)
		}
		if strings.ToLower(tag) != tag {
			t.Fatalf("%q normalized to %q, which is not lower-cased", raw, tag)
		}
	})
}

// FuzzNewHashtags feeds up to three raw tags split from one input: either a
// validation error on the hashtags field, or 1 to 10 distinct normalized tags of
// 1 to 30 characters without spaces, commas, '#' or control characters, one
// for each distinct normalized input, in the order given.
func FuzzNewHashtags(f *testing.F) {
	f.Add("cat", "#Dog", " cat ")
	f.Add("black cat", "", "x")
	f.Add("#", "##", "# #")
	f.Add(strings.Repeat("a", 30), strings.Repeat("한", 31), "a,b")
	f.Add("nul\x00", "tab\tinside", "\xffbad")
	f.Add("\u0130", "i\u0307", "İ")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		raw := []string{a, b, c}
		h, err := art.NewHashtags(raw)
		if err != nil {
			var verr *validation.Error
			if !errors.As(err, &verr) || len(verr.Fields()) != 1 || verr.Fields()[0].Field != "hashtags" {
				t.Fatalf("NewHashtags(%q) failed with %v, not a validation error on hashtags", raw, err)
			}
			return
		}
		var want []string
		seen := map[string]bool{}
		for _, r := range raw {
			if tag := art.NormalizeHashtag(r); !seen[tag] {
				seen[tag] = true
				want = append(want, tag)
			}
		}
		got := h.List()
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("NewHashtags(%q) = %q, want the distinct normalized inputs %q", raw, got, want)
		}
		if len(got) < 1 || len(got) > art.MaxHashtags {
			t.Fatalf("NewHashtags(%q) accepted %d tags", raw, len(got))
		}
		for _, tag := range got {
			if n := utf8.RuneCountInString(tag); n < 1 || n > art.MaxHashtagLength {
				t.Fatalf("accepted %q of %d characters", tag, n)
			}
			if strings.ContainsAny(tag, "#,") || strings.IndexFunc(tag, unicode.IsSpace) >= 0 ||
				strings.IndexFunc(tag, unicode.IsControl) >= 0 {
				t.Fatalf("accepted %q with a space, comma, '#' or control character", tag)
			}
			if !utf8.ValidString(tag) || art.NormalizeHashtag(tag) != tag {
				t.Fatalf("accepted %q, which is not a normalized tag", tag)
			}
		}
	})
}
