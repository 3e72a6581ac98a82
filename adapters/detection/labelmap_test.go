package detection_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/detection"
	"github.com/artauction/artauction/domain/art"
)

func writeLabelMap(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "labels.txt")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestLoadLabelMap(t *testing.T) {
	path := writeLabelMap(t, "\uFEFF# COCO labels to hashtags\n"+
		"person=portrait,figure\n"+
		"\n"+
		"   \n"+
		"  # indented comment\n"+
		"  Potted Plant = plant , botanical,  \n"+
		"CAT=cat\r\n"+
		"dog=dog,,animal\n")

	labels, err := detection.LoadLabelMap(path)

	require.NoError(t, err)
	assert.Equal(t, map[string][]string{
		"person":       {"portrait", "figure"},
		"potted plant": {"plant", "botanical"},
		"cat":          {"cat"},
		"dog":          {"dog", "animal"},
	}, labels)
}

func TestLoadLabelMapEmptyFile(t *testing.T) {
	labels, err := detection.LoadLabelMap(writeLabelMap(t, "# nothing mapped yet\n\n"))
	require.NoError(t, err)
	assert.NotNil(t, labels)
	assert.Empty(t, labels)
}

func TestLoadLabelMapErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, content, want string
	}{
		{"no equals sign", "person=portrait\n\ncat hashtags\n", "line 3: want label=hashtag1,hashtag2"},
		{"empty label", "# c\n = portrait\n", "line 2: empty label"},
		{"no hashtags", "person=\n", `line 1: label "person" has no hashtags`},
		{"only commas", "person= , ,\n", `line 1: label "person" has no hashtags`},
		{"duplicate label", "person=a\n# c\nPerson=b\n", `line 3: label "person" already mapped on line 1`},
		{"line too long", "cat=cat\n" + strings.Repeat("x", 70_000) + "=y\n", "line 2 too long"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := detection.LoadLabelMap(writeLabelMap(t, tc.content))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestLoadLabelMapMissingFile(t *testing.T) {
	_, err := detection.LoadLabelMap(filepath.Join(t.TempDir(), "absent.txt"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// cocoLabels reads the class names the bundled detector answers with.
func cocoLabels(t *testing.T) map[string]bool {
	t.Helper()
	source, err := os.ReadFile(filepath.Join("..", "..", "detector", "src", "labels.js"))
	require.NoError(t, err)
	labels := map[string]bool{}
	for _, m := range regexp.MustCompile(`'([a-z ]+)'`).FindAllStringSubmatch(string(source), -1) {
		labels[m[1]] = true
	}
	require.Len(t, labels, 80, "the 80 COCO classes")
	return labels
}

func TestDefaultLabelMap(t *testing.T) {
	labels, err := detection.DefaultLabelMap()
	require.NoError(t, err)
	assert.Equal(t, []string{"person", "portrait", "figure"}, labels["person"])
	assert.Equal(t, "cup", labels["cup"][0])

	coco := cocoLabels(t)
	for label, tags := range labels {
		assert.True(t, coco[label], "%q is not a label the detector answers", label)
		assert.Equal(t, strings.ReplaceAll(label, " ", "-"), tags[0], "%q keeps itself as its first hashtag", label)
		_, err := art.NewHashtags(tags)
		assert.NoError(t, err, "%q maps to hashtags an art can carry", label)
	}
}
