package art

import (
	"errors"
	"fmt"
)

// Image limits of docs/rules.md, plus a bound on each side: a 1x50000 strip is no
// artwork and would break every thumbnail.
const (
	MaxImageBytes  = 10 << 20
	MaxImagePixels = 40_000_000
	MaxImageSide   = 16_384
)

// Image errors.
var (
	ErrUnsupportedImage = errors.New("the image must be a JPEG, PNG or WebP")
	ErrImageTooLarge    = errors.New("the image is too large")
)

// ImageFormat is a format accepted for artworks.
type ImageFormat string

// The accepted formats.
const (
	FormatJPEG ImageFormat = "jpeg"
	FormatPNG  ImageFormat = "png"
	FormatWebP ImageFormat = "webp"
)

// ParseImageFormat accepts only the formats artworks may have.
func ParseImageFormat(s string) (ImageFormat, error) {
	switch f := ImageFormat(s); f {
	case FormatJPEG, FormatPNG, FormatWebP:
		return f, nil
	}
	return "", ErrUnsupportedImage
}

// ContentType is the MIME type the image is served with.
func (f ImageFormat) ContentType() string { return "image/" + string(f) }

// Image is an artwork's picture: where it is stored and what it is.
type Image struct {
	key    string
	format ImageFormat
	width  int
	height int
	size   int64
	etag   string
}

// CheckImage checks an inspected image against the limits before it is stored.
func CheckImage(format ImageFormat, width, height int, size int64) error {
	if _, err := ParseImageFormat(string(format)); err != nil {
		return err
	}
	switch {
	case size > MaxImageBytes:
		return fmt.Errorf("%w: %d bytes, at most %d", ErrImageTooLarge, size, MaxImageBytes)
	case width < 1 || height < 1:
		return ErrUnsupportedImage
	case width > MaxImageSide || height > MaxImageSide:
		return fmt.Errorf("%w: %dx%d, each side at most %d pixels", ErrImageTooLarge, width, height, MaxImageSide)
	case int64(width)*int64(height) > MaxImagePixels:
		return fmt.Errorf("%w: %dx%d, at most 40 megapixels", ErrImageTooLarge, width, height)
	}
	return nil
}

// NewImage describes a checked image stored under key; etag identifies its bytes.
func NewImage(key string, format ImageFormat, width, height int, size int64, etag string) (Image, error) {
	if err := CheckImage(format, width, height, size); err != nil {
		return Image{}, err
	}
	if key == "" || etag == "" {
		return Image{}, errors.New("art: image without key or etag")
	}
	return Image{key: key, format: format, width: width, height: height, size: size, etag: etag}, nil
}

// RestoreImage rebuilds an image read from storage.
func RestoreImage(key string, format ImageFormat, width, height int, size int64, etag string) Image {
	return Image{key: key, format: format, width: width, height: height, size: size, etag: etag}
}

func (i Image) Key() string         { return i.key }
func (i Image) Format() ImageFormat { return i.format }
func (i Image) Width() int          { return i.width }
func (i Image) Height() int         { return i.height }
func (i Image) Size() int64         { return i.size }
func (i Image) ETag() string        { return i.etag }
