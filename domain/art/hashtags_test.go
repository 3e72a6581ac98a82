package art_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/validation"
)

// fieldNames returns the invalid fields of a validation error, failing the test
// for any other error.
func fieldNames(t *testing.T, err error) []string {
	t.Helper()
	var verr *validation.Error
	require.ErrorAs(t, err, &verr)
	names := make([]string, 0, len(verr.Fields()))
	for _, f := range verr.Fields() {
		names = append(names, f.Field)
	}
	return names
}

// numberedTags returns n distinct tags: "tag", "tagx", "tagxx" and so on.
func numberedTags(n int) []string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = "tag" + strings.Repeat("x", i)
	}
	return tags
}

func TestNewHashtagsNormalizes(t *testing.T) {
	tests := []struct {
		name string
		raw  []string
		want []string
	}{
		{name: "one tag", raw: []string{"cat"}, want: []string{"cat"}},
		{name: "trimmed", raw: []string{"  cat\t", "\ndog "}, want: []string{"cat", "dog"}},
		{name: "lower-cased", raw: []string{"CAT", "Dog", "ÉCOLE"}, want: []string{"cat", "dog", "école"}},
		{name: "leading hash removed", raw: []string{"#cat"}, want: []string{"cat"}},
		{name: "several leading hashes removed", raw: []string{"##x", "###y"}, want: []string{"x", "y"}},
		{name: "space after the hash trimmed", raw: []string{" # Sunset "}, want: []string{"sunset"}},
		{
			name: "duplicates dropped keeping the first order",
			raw:  []string{"b", "a", "#B", "A ", "c", "b"},
			want: []string{"b", "a", "c"},
		},
		{name: "order kept as given", raw: []string{"zebra", "apple", "mango"}, want: []string{"zebra", "apple", "mango"}},
		{name: "ten tags accepted", raw: numberedTags(10), want: numberedTags(10)},
		{
			name: "eleven given with a duplicate are ten distinct",
			raw:  append(numberedTags(10), "#TAG"),
			want: numberedTags(10),
		},
		{name: "30 characters accepted", raw: []string{strings.Repeat("a", 30)}, want: []string{strings.Repeat("a", 30)}},
		{name: "30 Hangul characters accepted", raw: []string{strings.Repeat("한", 30)}, want: []string{strings.Repeat("한", 30)}},
		{name: "hash and padding do not count toward the length", raw: []string{" #" + strings.Repeat("A", 30) + " "}, want: []string{strings.Repeat("a", 30)}},
		{name: "Hangul and digits", raw: []string{"고양이", "2026년"}, want: []string{"고양이", "2026년"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := art.NewHashtags(tt.raw)

			require.NoError(t, err)
			assert.Equal(t, tt.want, h.List())
		})
	}
}

func TestNewHashtagsRejects(t *testing.T) {
	tests := []struct {
		name string
		raw  []string
	}{
		{name: "nil", raw: nil},
		{name: "no tag", raw: []string{}},
		{name: "eleven distinct tags", raw: numberedTags(11)},
		{name: "31 characters", raw: []string{strings.Repeat("a", 31)}},
		{name: "31 Hangul characters", raw: []string{strings.Repeat("한", 31)}},
		{name: "an empty tag", raw: []string{"cat", ""}},
		{name: "a blank tag", raw: []string{"cat", "   "}},
		{name: "a lone hash", raw: []string{"#"}},
		{name: "only hashes", raw: []string{"cat", "##"}},
		{name: "a space inside", raw: []string{"black cat"}},
		{name: "a tab inside", raw: []string{"black\tcat"}},
		{name: "a newline inside", raw: []string{"black\ncat"}},
		{name: "a comma inside", raw: []string{"cat,dog"}},
		{name: "a hash inside", raw: []string{"cat#dog"}},
		{name: "one bad among good ones", raw: []string{"cat", "dog", "black cat"}},
		{name: "a control character", raw: []string{"cat\x02"}},
		{name: "a NUL, which PostgreSQL text cannot hold", raw: []string{"cat\x00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := art.NewHashtags(tt.raw)

			assert.Equal(t, []string{"hashtags"}, fieldNames(t, err))
			assert.Empty(t, h.List())
		})
	}
}

// A full-width (ideographic) space is what a Korean IME types; a no-break space
// comes from pasted text. Both are spaces inside a tag, which the error message
// ("without spaces") and docs/rules.md's "trimmed ... 1..30 characters" forbid.
func TestNewHashtagsRejectsUnicodeSpacesInside(t *testing.T) {
	tests := map[string]string{
		"ideographic space": "고양이\u3000사진",
		"no-break space":    "black\u00a0cat",
		"em space":          "black\u2003cat",
	}
	for name, tag := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := art.NewHashtags([]string{tag})

			assert.Equal(t, []string{"hashtags"}, fieldNames(t, err))
		})
	}
}

func TestNormalizeHashtag(t *testing.T) {
	tests := map[string]string{
		"Cat":         "cat",
		"#Cat":        "cat",
		"  ##CAT ":    "cat",
		"# cat":       "cat",
		"# # cat":     "cat",
		"#\u3000#Cat": "cat",
		"#":           "",
		"   ":         "",
		"":            "",
		"고양이":         "고양이",
	}
	for raw, want := range tests {
		assert.Equal(t, want, art.NormalizeHashtag(raw), "NormalizeHashtag(%q)", raw)
	}
}

func TestHashtagsListReturnsACopy(t *testing.T) {
	h, err := art.NewHashtags([]string{"cat", "dog"})
	require.NoError(t, err)

	list := h.List()
	list[0] = "changed"

	assert.Equal(t, []string{"cat", "dog"}, h.List())
}

func TestRestoreHashtagsKeepsItsOwnCopy(t *testing.T) {
	stored := []string{"cat", "dog"}

	h := art.RestoreHashtags(stored)
	stored[0] = "changed"

	assert.Equal(t, []string{"cat", "dog"}, h.List())
}
