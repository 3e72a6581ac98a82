package storage

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

var _ application.ImageInspector = ImageInspector{}

// ImageInspector reads an image's format and size from its header. It never
// decodes pixels, so an image claiming billions of pixels costs no more than
// a tiny one; the caller checks the size against the art limits.
type ImageInspector struct{}

// NewImageInspector returns an ImageInspector.
func NewImageInspector() ImageInspector { return ImageInspector{} }

// Magic numbers of the accepted formats.
var (
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
	jpegMagic = []byte{0xff, 0xd8, 0xff}
	riffMagic = []byte("RIFF")
	webpMagic = []byte("WEBP")
)

// Inspect returns the format, width and height written in the image header;
// anything but a well-formed JPEG, PNG or WebP header gives an error wrapping
// art.ErrUnsupportedImage.
func (ImageInspector) Inspect(data []byte) (img application.InspectedImage, err error) {
	// The bytes come from anyone on the internet: a decoder bug must reject
	// the upload, not take the server down.
	defer func() {
		if r := recover(); r != nil {
			img, err = application.InspectedImage{}, fmt.Errorf("%w: unreadable header", art.ErrUnsupportedImage)
		}
	}()
	return inspect(data)
}

func inspect(data []byte) (application.InspectedImage, error) {
	// The format is chosen from the magic number and only that format's decoder
	// is asked, rather than image.DecodeConfig: that one tries every format
	// registered anywhere in the binary (GIF, BMP...), which must stay refused.
	var (
		format       art.ImageFormat
		decodeConfig func(io.Reader) (image.Config, error)
	)
	switch {
	case bytes.HasPrefix(data, pngMagic):
		format, decodeConfig = art.FormatPNG, png.DecodeConfig
	case bytes.HasPrefix(data, jpegMagic):
		format, decodeConfig = art.FormatJPEG, jpeg.DecodeConfig
	case len(data) >= 12 && bytes.Equal(data[:4], riffMagic) && bytes.Equal(data[8:12], webpMagic):
		format, decodeConfig = art.FormatWebP, webp.DecodeConfig
	default:
		return application.InspectedImage{}, fmt.Errorf("%w: unknown content", art.ErrUnsupportedImage)
	}

	cfg, err := decodeConfig(bytes.NewReader(data))
	if err != nil {
		return application.InspectedImage{}, fmt.Errorf("%w: %s header: %w", art.ErrUnsupportedImage, format, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		return application.InspectedImage{}, fmt.Errorf("%w: %s of %dx%d pixels", art.ErrUnsupportedImage, format, cfg.Width, cfg.Height)
	}
	return application.InspectedImage{Format: format, Width: cfg.Width, Height: cfg.Height}, nil
}
