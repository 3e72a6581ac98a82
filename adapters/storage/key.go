package storage

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"

	"github.com/artauction/artauction/domain/art"
)

// ErrInvalidKey is returned by Delete for a key Save cannot have made.
var ErrInvalidKey = errors.New("storage: invalid image key")

// keyPattern is the only shape of key the stores make: a 2-character shard,
// then 128 random bits in hex and the format's extension. Anything else (dots,
// slashes, upper case, another extension) is refused before the key reaches a
// file system or an object store, so a key can never name anything but an image.
var keyPattern = regexp.MustCompile(`^([0-9a-f]{2})/([0-9a-f]{32})\.(jpg|png|webp)$`)

// extensions maps each accepted format to its file extension.
var extensions = map[art.ImageFormat]string{
	art.FormatJPEG: "jpg",
	art.FormatPNG:  "png",
	art.FormatWebP: "webp",
}

// newKey makes a key for an image of format, such as "3f/3f2a…9c.png". Keys are
// sharded by the first two hex digits of their name, so that no directory of a
// local store holds more than a 256th of them.
func newKey(format art.ImageFormat) (string, error) {
	ext, ok := extensions[format]
	if !ok {
		return "", fmt.Errorf("%w: format %q", art.ErrUnsupportedImage, format)
	}
	var id [16]byte
	// crypto/rand makes keys unguessable, not only unique: images of unlisted
	// arts cannot be found by enumerating names.
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("random name: %w", err)
	}
	name := hex.EncodeToString(id[:])
	return name[:2] + "/" + name + "." + ext, nil
}

// validKey reports whether key has the exact shape newKey gives.
func validKey(key string) bool {
	m := keyPattern.FindStringSubmatch(key)
	return m != nil && m[1] == m[2][:2]
}
