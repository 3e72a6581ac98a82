package storage_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/storage"
	"github.com/artauction/artauction/domain/art"
)

var keyShape = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{32}\.(jpg|png|webp)$`)

func newStore(t *testing.T) *storage.LocalImageStore {
	t.Helper()
	s, err := storage.NewLocalImageStore(t.TempDir())
	require.NoError(t, err)
	return s
}

func readAll(t *testing.T, s *storage.LocalImageStore, key string) []byte {
	t.Helper()
	rc, err := s.Open(context.Background(), key)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return data
}

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

func TestLocalImageStoreRoundTrip(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	pngData := encodePNG(t, 16, 9)

	for format, ext := range map[art.ImageFormat]string{art.FormatPNG: ".png", art.FormatJPEG: ".jpg", art.FormatWebP: ".webp"} {
		key, err := s.Save(ctx, pngData, format)
		require.NoError(t, err)
		assert.Regexp(t, keyShape, key)
		assert.Equal(t, ext, filepath.Ext(key))
		assert.Equal(t, pngData, readAll(t, s, key), "byte for byte")

		info, err := os.Stat(filepath.Join(s.Dir(), filepath.FromSlash(key)))
		require.NoError(t, err)
		assert.Zero(t, info.Mode().Perm()&0o077, "only the server's user reads images")
	}

	empty, err := s.Save(ctx, nil, art.FormatPNG)
	require.NoError(t, err)
	assert.Empty(t, readAll(t, s, empty))
}

func TestLocalImageStoreOpenSeeks(t *testing.T) {
	s := newStore(t)
	key, err := s.Save(context.Background(), []byte("0123456789"), art.FormatJPEG)
	require.NoError(t, err)

	rc, err := s.Open(context.Background(), key)
	require.NoError(t, err)
	defer rc.Close()
	_, err = rc.Seek(4, io.SeekStart)
	require.NoError(t, err)
	rest, err := io.ReadAll(rc)
	require.NoError(t, err)
	assert.Equal(t, "456789", string(rest))
}

func TestLocalImageStoreLeavesNoTemporaryFile(t *testing.T) {
	s := newStore(t)
	key, err := s.Save(context.Background(), []byte("data"), art.FormatPNG)
	require.NoError(t, err)

	entries, err := os.ReadDir(filepath.Join(s.Dir(), filepath.Dir(key)))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	assert.Equal(t, filepath.Base(key), entries[0].Name())
}

func TestLocalImageStoreSaveRefuses(t *testing.T) {
	s := newStore(t)
	_, err := s.Save(context.Background(), []byte("x"), "gif")
	require.ErrorIs(t, err, art.ErrUnsupportedImage)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = s.Save(ctx, []byte("x"), art.FormatPNG)
	require.ErrorIs(t, err, context.Canceled)
}

func TestLocalImageStoreKeysAreUnique(t *testing.T) {
	s := newStore(t)
	seen := map[string]bool{}
	for range 200 {
		key, err := s.Save(context.Background(), []byte("same bytes"), art.FormatPNG)
		require.NoError(t, err)
		require.False(t, seen[key], "key %s given twice", key)
		seen[key] = true
	}
}

func TestLocalImageStoreConcurrentSaves(t *testing.T) {
	s := newStore(t)
	const n = 64
	keys := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key, err := s.Save(context.Background(), []byte{byte(i), 1, 2, 3}, art.FormatWebP)
			assert.NoError(t, err)
			keys[i] = key
		})
	}
	wg.Wait()

	seen := map[string]bool{}
	for i, key := range keys {
		require.False(t, seen[key])
		seen[key] = true
		assert.Equal(t, []byte{byte(i), 1, 2, 3}, readAll(t, s, key))
	}
}

func TestLocalImageStoreMissingAndForeignKeys(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "images")
	s, err := storage.NewLocalImageStore(dir)
	require.NoError(t, err)
	ctx := context.Background()

	// Files an escaping key would reach.
	victim := filepath.Join(root, "victim.png")
	require.NoError(t, os.WriteFile(victim, []byte("secret"), 0o600))
	key, err := s.Save(ctx, []byte("real"), art.FormatPNG)
	require.NoError(t, err)

	missing := "ab/ab0123456789abcdef0123456789abcd.png"
	_, err = s.Open(ctx, missing)
	require.ErrorIs(t, err, art.ErrNotFound)

	bad := []string{
		"",
		"../victim.png",
		"../../etc/passwd",
		"/etc/passwd",
		"ab/../../victim.png",
		"./" + key,
		key + "\n",
		key + "/",
		" " + key,
		filepath.Base(key), // no shard
		"ab/cd0123456789abcdef0123456789abcd.png", // shard not the name's start
		"AB/AB0123456789ABCDEF0123456789ABCD.png", // upper case
		"ab/ab0123456789abcdef0123456789abc.png",  // 124 bits
		"ab/ab0123456789abcdef0123456789abcd.gif", // another extension
		"ab\\ab0123456789abcdef0123456789abcd.png",
		"ab/ab0123456789abcdef0123456789abcd.png\x00",
	}
	for _, k := range bad {
		_, err := s.Open(ctx, k)
		require.ErrorIs(t, err, art.ErrNotFound, "open %q", k)
		require.ErrorIs(t, s.Delete(ctx, k), storage.ErrInvalidKey, "delete %q", k)
	}

	data, err := os.ReadFile(victim)
	require.NoError(t, err)
	assert.Equal(t, "secret", string(data), "nothing outside the directory was touched")
	assert.Equal(t, []byte("real"), readAll(t, s, key))
}

func TestLocalImageStoreOpenRefusesADirectory(t *testing.T) {
	s := newStore(t)
	key := "ab/ab0123456789abcdef0123456789abcd.png"
	require.NoError(t, os.MkdirAll(filepath.Join(s.Dir(), filepath.FromSlash(key)), 0o750))
	_, err := s.Open(context.Background(), key)
	require.ErrorIs(t, err, art.ErrNotFound)
}

func TestLocalImageStoreDeleteIsIdempotent(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	key, err := s.Save(ctx, []byte("bye"), art.FormatJPEG)
	require.NoError(t, err)

	require.NoError(t, s.Delete(ctx, key))
	_, err = s.Open(ctx, key)
	require.ErrorIs(t, err, art.ErrNotFound)
	require.NoError(t, s.Delete(ctx, key), "already gone")
	require.NoError(t, s.Delete(ctx, "ab/ab0123456789abcdef0123456789abcd.png"), "never there")
}
