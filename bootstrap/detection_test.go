package bootstrap

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/application"
)

func TestLabelMapIsTheDefaultUnlessAFileIsNamed(t *testing.T) {
	labels, err := newLabelMap(DetectionSettings{})
	require.NoError(t, err)
	assert.Equal(t, []string{"person", "portrait", "figure"}, labels["person"])

	path := filepath.Join(t.TempDir(), "labels.txt")
	require.NoError(t, os.WriteFile(path, []byte("# mine\ncat=feline\n"), 0o600))
	labels, err = newLabelMap(DetectionSettings{LabelMap: path})
	require.NoError(t, err)
	assert.Equal(t, application.LabelMap{"cat": {"feline"}}, labels, "the file replaces the default map whole")

	_, err = newLabelMap(DetectionSettings{LabelMap: filepath.Join(t.TempDir(), "absent.txt")})
	assert.ErrorContains(t, err, "DETECTION_LABEL_MAP")
}
