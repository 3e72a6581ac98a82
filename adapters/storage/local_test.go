package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/storage"
	"github.com/artauction/artauction/domain/art"
)

// What only the local directory store promises; the contract both stores keep
// is in imagestore_contract_test.go.

func TestNewLocalImageStoreCreatesTheDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "images")
	s, err := storage.NewLocalImageStore(dir)
	require.NoError(t, err)
	assert.Equal(t, dir, s.Dir())

	info, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, info.IsDir())
	assert.Zero(t, info.Mode().Perm()&0o007, "no access for others")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries, "the write probe is removed")

	again, err := storage.NewLocalImageStore(dir)
	require.NoError(t, err, "an existing directory is fine")
	assert.Equal(t, dir, again.Dir())
}

func TestNewLocalImageStoreFailsClearly(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o600))

	_, err := storage.NewLocalImageStore("")
	require.Error(t, err)
	_, err = storage.NewLocalImageStore(file)
	require.Error(t, err, "a file is no directory")
	_, err = storage.NewLocalImageStore(filepath.Join(file, "images"))
	require.Error(t, err, "nor is a path under a file")

	if os.Geteuid() != 0 { // root writes anywhere
		ro := filepath.Join(t.TempDir(), "ro")
		require.NoError(t, os.Mkdir(ro, 0o500))
		_, err = storage.NewLocalImageStore(ro)
		require.ErrorContains(t, err, "not writable")
	}
}

func TestLocalImageStoreFilesAreTheServersOnly(t *testing.T) {
	s := newLocalStore(t)
	key, err := s.Save(context.Background(), encodePNG(t, 4, 4), art.FormatPNG)
	require.NoError(t, err)

	info, err := os.Stat(filepath.Join(s.Dir(), filepath.FromSlash(key)))
	require.NoError(t, err)
	assert.Zero(t, info.Mode().Perm()&0o077, "only the server's user reads images")
}

func TestLocalImageStoreLeavesNoTemporaryFile(t *testing.T) {
	s := newLocalStore(t)
	key, err := s.Save(context.Background(), []byte("data"), art.FormatPNG)
	require.NoError(t, err)

	entries, err := os.ReadDir(filepath.Join(s.Dir(), filepath.Dir(key)))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, filepath.Base(key), entries[0].Name())
}

func TestLocalImageStoreForeignKeysReachNothingOutside(t *testing.T) {
	root := t.TempDir()
	s, err := storage.NewLocalImageStore(filepath.Join(root, "images"))
	require.NoError(t, err)
	ctx := context.Background()
	// A file an escaping key would reach.
	victim := filepath.Join(root, "victim.png")
	require.NoError(t, os.WriteFile(victim, []byte("secret"), 0o600))

	for _, k := range foreignKeys {
		_, err := s.Open(ctx, k)
		require.ErrorIs(t, err, art.ErrNotFound, "open %q", k)
		require.ErrorIs(t, s.Delete(ctx, k), storage.ErrInvalidKey, "delete %q", k)
	}
	data, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "secret", string(data), "nothing outside the directory was touched")
}

func TestLocalImageStoreOpenRefusesADirectory(t *testing.T) {
	s := newLocalStore(t)
	key := "ab/ab0123456789abcdef0123456789abcd.png"
	require.NoError(t, os.MkdirAll(filepath.Join(s.Dir(), filepath.FromSlash(key)), 0o750))
	_, err := s.Open(context.Background(), key)
	require.ErrorIs(t, err, art.ErrNotFound)
}
