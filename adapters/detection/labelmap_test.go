package detection_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/detection"
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
