package storage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

var _ application.ImageStore = (*LocalImageStore)(nil)

// Permissions of what the store creates: only the server's user (and its
// group, for directories) has any business with uploaded files.
const (
	dirPerm = 0o750
)

// LocalImageStore keeps images as files under one directory, at keys such as
// "3f/3f2a…9c.png". Files are sharded by the first two hex digits of their
// name so that no directory holds more than a 256th of them.
type LocalImageStore struct {
	dir string
}

// NewLocalImageStore uses dir, creating it if missing, and checks that files
// can be written in it so that a misconfiguration fails at start-up rather
// than on the first upload.
func NewLocalImageStore(dir string) (*LocalImageStore, error) {
	if dir == "" {
		return nil, errors.New("storage: no image directory given")
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("storage: image directory %q: %w", dir, err)
	}
	if err := os.MkdirAll(abs, dirPerm); err != nil {
		return nil, fmt.Errorf("storage: create image directory: %w", err)
	}
	probe, err := os.CreateTemp(abs, ".probe-*")
	if err != nil {
		return nil, fmt.Errorf("storage: image directory %s is not writable: %w", abs, err)
	}
	_ = probe.Close()
	if err := os.Remove(probe.Name()); err != nil {
		return nil, fmt.Errorf("storage: image directory %s: remove write probe: %w", abs, err)
	}
	return &LocalImageStore{dir: abs}, nil
}

// Dir is the absolute directory the images are kept in.
func (s *LocalImageStore) Dir() string { return s.dir }

// Save writes data under a new random key and returns the key. The file is
// written and synced under a temporary name and then renamed, so a reader or
// a crash never sees a partial image at a key.
func (s *LocalImageStore) Save(ctx context.Context, data []byte, format art.ImageFormat) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("storage: save image: %w", err)
	}
	key, err := newKey(format)
	if err != nil {
		return "", fmt.Errorf("storage: save image: %w", err)
	}
	path := filepath.Join(s.dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(path), dirPerm); err != nil {
		return "", fmt.Errorf("storage: save image: create shard: %w", err)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return "", fmt.Errorf("storage: save image %s: %w", key, err)
	}
	return key, nil
}

// writeFileAtomic writes data to a temporary file next to path, syncs it and
// renames it to path.
func writeFileAtomic(path string, data []byte) (err error) {
	// The temporary file is in the same directory: a rename is only atomic
	// within one file system. Its leading dot keeps it out of the key pattern.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".upload-*")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	// Without a sync the rename may reach the disk before the data, and a
	// crash would leave an empty or torn file under a key the database holds.
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	syncDir(filepath.Dir(path))
	return nil
}

// syncDir makes a rename durable. It is best effort: the data itself is
// already synced, and some file systems cannot sync a directory.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// Open returns the image file at key, art.ErrNotFound when there is none or
// when the key is not one Save could have made.
func (s *LocalImageStore) Open(ctx context.Context, key string) (io.ReadSeekCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("storage: open image: %w", err)
	}
	path, ok := s.path(key)
	if !ok {
		return nil, fmt.Errorf("storage: open image %q: %w", key, art.ErrNotFound)
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("storage: open image %s: %w", key, art.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: open image %s: %w", key, err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("storage: open image %s: %w", key, err)
	}
	if !info.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("storage: open image %s: not a regular file: %w", key, art.ErrNotFound)
	}
	return f, nil
}

// Delete removes the image at key; an image already gone is no error, a key
// Save could not have made is ErrInvalidKey.
func (s *LocalImageStore) Delete(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("storage: delete image: %w", err)
	}
	path, ok := s.path(key)
	if !ok {
		return fmt.Errorf("%w: %q", ErrInvalidKey, key)
	}
	// The shard directory stays even when empty: removing it could race with
	// a Save that has just created it.
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("storage: delete image %s: %w", key, err)
	}
	return nil
}

// path turns a key into its file path, refusing any key Save cannot produce.
func (s *LocalImageStore) path(key string) (string, bool) {
	if !validKey(key) {
		return "", false
	}
	return filepath.Join(s.dir, filepath.FromSlash(key)), true
}
