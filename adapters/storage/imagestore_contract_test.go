package storage_test

import (
	"context"
	"io"
	"path"
	"regexp"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/storage"
	"github.com/artauction/artauction/adapters/storage/s3test"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

// The contract of application.ImageStore, which every store keeps: each test
// below runs once against the local directory and once against a real object
// store.

var keyShape = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{32}\.(jpg|png|webp)$`)

func newLocalStore(t *testing.T) *storage.LocalImageStore {
	t.Helper()
	s, err := storage.NewLocalImageStore(t.TempDir())
	require.NoError(t, err)
	return s
}

// newS3Store makes a store on a bucket of the test's own, as the service
// does at start.
func newS3Store(t *testing.T) (*storage.S3ImageStore, storage.S3Settings) {
	t.Helper()
	settings := s3test.New(t)
	s, err := storage.NewS3ImageStore(context.Background(), settings)
	require.NoError(t, err)
	require.NoError(t, s.EnsureBucket(context.Background()))
	return s, settings
}

// forEachStore runs test as a subtest per store.
func forEachStore(t *testing.T, test func(t *testing.T, s application.ImageStore)) {
	t.Run("local", func(t *testing.T) {
		t.Parallel()
		test(t, newLocalStore(t))
	})
	t.Run("s3", func(t *testing.T) {
		t.Parallel()
		s, _ := newS3Store(t)
		test(t, s)
	})
}

func readAll(t *testing.T, s application.ImageStore, key string) []byte {
	t.Helper()
	rc, err := s.Open(context.Background(), key)
	require.NoError(t, err)
	defer rc.Close()
	data, err := io.ReadAll(rc)
	require.NoError(t, err)
	return data
}

func TestImageStoreRoundTrip(t *testing.T) {
	forEachStore(t, func(t *testing.T, s application.ImageStore) {
		ctx := context.Background()
		pngData := encodePNG(t, 16, 9)
		for format, ext := range map[art.ImageFormat]string{art.FormatPNG: ".png", art.FormatJPEG: ".jpg", art.FormatWebP: ".webp"} {
			key, err := s.Save(ctx, pngData, format)
			require.NoError(t, err)
			assert.Regexp(t, keyShape, key)
			assert.Equal(t, ext, path.Ext(key))
			assert.Equal(t, pngData, readAll(t, s, key), "byte for byte")
		}

		empty, err := s.Save(ctx, nil, art.FormatPNG)
		require.NoError(t, err)
		assert.Empty(t, readAll(t, s, empty))
	})
}

// http.ServeContent learns the size by seeking to the end and serves ranges
// by seeking to their start.
func TestImageStoreOpenSeeks(t *testing.T) {
	forEachStore(t, func(t *testing.T, s application.ImageStore) {
		key, err := s.Save(context.Background(), []byte("0123456789"), art.FormatJPEG)
		require.NoError(t, err)

		rc, err := s.Open(context.Background(), key)
		require.NoError(t, err)
		defer rc.Close()
		size, err := rc.Seek(0, io.SeekEnd)
		require.NoError(t, err)
		assert.Equal(t, int64(10), size)
		_, err = rc.Seek(4, io.SeekStart)
		require.NoError(t, err)
		head := make([]byte, 2)
		_, err = io.ReadFull(rc, head)
		require.NoError(t, err)
		assert.Equal(t, "45", string(head))
		pos, err := rc.Seek(1, io.SeekCurrent)
		require.NoError(t, err)
		assert.Equal(t, int64(7), pos)
		rest, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, "789", string(rest))

		_, err = rc.Seek(0, io.SeekStart)
		require.NoError(t, err)
		all, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, "0123456789", string(all), "from the start again")

		_, err = rc.Seek(20, io.SeekStart)
		require.NoError(t, err)
		n, err := rc.Read(head)
		assert.Zero(t, n)
		require.ErrorIs(t, err, io.EOF, "past the end")
		_, err = rc.Seek(-1, io.SeekStart)
		require.Error(t, err, "before the start")
	})
}

func TestImageStoreSaveRefuses(t *testing.T) {
	forEachStore(t, func(t *testing.T, s application.ImageStore) {
		_, err := s.Save(context.Background(), []byte("x"), "gif")
		require.ErrorIs(t, err, art.ErrUnsupportedImage)

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = s.Save(ctx, []byte("x"), art.FormatPNG)
		require.ErrorIs(t, err, context.Canceled)
		_, err = s.Open(ctx, "ab/ab0123456789abcdef0123456789abcd.png")
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, s.Delete(ctx, "ab/ab0123456789abcdef0123456789abcd.png"), context.Canceled)
	})
}

func TestImageStoreKeysAreUnique(t *testing.T) {
	forEachStore(t, func(t *testing.T, s application.ImageStore) {
		seen := map[string]bool{}
		for range 100 {
			key, err := s.Save(context.Background(), []byte("same bytes"), art.FormatPNG)
			require.NoError(t, err)
			require.False(t, seen[key], "key %s given twice", key)
			seen[key] = true
		}
	})
}

func TestImageStoreConcurrentSaves(t *testing.T) {
	forEachStore(t, func(t *testing.T, s application.ImageStore) {
		const n = 32
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
	})
}

// foreignKeys are keys Save cannot make: each is refused before it reaches a
// file system or an object store.
var foreignKeys = []string{
	"",
	"../victim.png",
	"../../etc/passwd",
	"/etc/passwd",
	"ab/../../victim.png",
	"./ab/ab0123456789abcdef0123456789abcd.png",
	"ab/ab0123456789abcdef0123456789abcd.png\n",
	"ab/ab0123456789abcdef0123456789abcd.png/",
	" ab/ab0123456789abcdef0123456789abcd.png",
	"ab0123456789abcdef0123456789abcd.png",    // no shard
	"ab/cd0123456789abcdef0123456789abcd.png", // shard not the name's start
	"AB/AB0123456789ABCDEF0123456789ABCD.png", // upper case
	"ab/ab0123456789abcdef0123456789abc.png",  // 124 bits
	"ab/ab0123456789abcdef0123456789abcd.gif", // another extension
	"ab\\ab0123456789abcdef0123456789abcd.png",
	"ab/ab0123456789abcdef0123456789abcd.png\x00",
}

func TestImageStoreMissingAndForeignKeys(t *testing.T) {
	forEachStore(t, func(t *testing.T, s application.ImageStore) {
		ctx := context.Background()
		key, err := s.Save(ctx, []byte("real"), art.FormatPNG)
		require.NoError(t, err)

		_, err = s.Open(ctx, "ab/ab0123456789abcdef0123456789abcd.png")
		require.ErrorIs(t, err, art.ErrNotFound, "a key never saved")
		for _, k := range foreignKeys {
			_, err := s.Open(ctx, k)
			require.ErrorIs(t, err, art.ErrNotFound, "open %q", k)
			require.ErrorIs(t, s.Delete(ctx, k), storage.ErrInvalidKey, "delete %q", k)
		}
		assert.Equal(t, []byte("real"), readAll(t, s, key), "the saved image is untouched")
	})
}

func TestImageStoreDeleteIsIdempotent(t *testing.T) {
	forEachStore(t, func(t *testing.T, s application.ImageStore) {
		ctx := context.Background()
		key, err := s.Save(ctx, []byte("bye"), art.FormatJPEG)
		require.NoError(t, err)
		kept, err := s.Save(ctx, []byte("stay"), art.FormatJPEG)
		require.NoError(t, err)

		require.NoError(t, s.Delete(ctx, key))
		_, err = s.Open(ctx, key)
		require.ErrorIs(t, err, art.ErrNotFound)
		require.NoError(t, s.Delete(ctx, key), "already gone")
		require.NoError(t, s.Delete(ctx, "ab/ab0123456789abcdef0123456789abcd.png"), "never there")
		assert.Equal(t, []byte("stay"), readAll(t, s, kept), "only that image goes")
	})
}
