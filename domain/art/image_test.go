package art_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/art"
)

func TestParseImageFormat(t *testing.T) {
	for _, f := range []art.ImageFormat{art.FormatJPEG, art.FormatPNG, art.FormatWebP} {
		got, err := art.ParseImageFormat(string(f))

		require.NoError(t, err)
		assert.Equal(t, f, got)
	}
	for _, s := range []string{"", "gif", "JPEG", "jpg", "image/png", "svg"} {
		_, err := art.ParseImageFormat(s)

		assert.ErrorIs(t, err, art.ErrUnsupportedImage, "ParseImageFormat(%q)", s)
	}
}

func TestImageFormatContentType(t *testing.T) {
	assert.Equal(t, "image/jpeg", art.FormatJPEG.ContentType())
	assert.Equal(t, "image/png", art.FormatPNG.ContentType())
	assert.Equal(t, "image/webp", art.FormatWebP.ContentType())
}

func TestCheckImage(t *testing.T) {
	tests := []struct {
		name          string
		format        art.ImageFormat
		width, height int
		size          int64
		wantErr       error
	}{
		{name: "a small JPEG", format: art.FormatJPEG, width: 800, height: 600, size: 100_000},
		{name: "a small PNG", format: art.FormatPNG, width: 800, height: 600, size: 100_000},
		{name: "a small WebP", format: art.FormatWebP, width: 800, height: 600, size: 100_000},
		{name: "one pixel", format: art.FormatPNG, width: 1, height: 1, size: 68},
		{name: "exactly 10 MiB", format: art.FormatJPEG, width: 800, height: 600, size: 10 << 20},
		{name: "one byte over 10 MiB", format: art.FormatJPEG, width: 800, height: 600, size: 10<<20 + 1, wantErr: art.ErrImageTooLarge},
		{name: "exactly 40 megapixels", format: art.FormatJPEG, width: 8000, height: 5000, size: 1 << 20},
		{name: "exactly 40 megapixels, portrait", format: art.FormatJPEG, width: 5000, height: 8000, size: 1 << 20},
		{name: "one row over 40 megapixels", format: art.FormatJPEG, width: 8000, height: 5001, size: 1 << 20, wantErr: art.ErrImageTooLarge},
		{name: "one column over 40 megapixels", format: art.FormatPNG, width: 5001, height: 8000, size: 1 << 20, wantErr: art.ErrImageTooLarge},
		{name: "the longest side allowed", format: art.FormatPNG, width: 16_384, height: 2441, size: 1 << 20},
		{name: "one pixel wider than the longest side", format: art.FormatPNG, width: 16_385, height: 1, size: 1 << 20, wantErr: art.ErrImageTooLarge},
		{name: "one pixel taller than the longest side", format: art.FormatPNG, width: 1, height: 16_385, size: 1 << 20, wantErr: art.ErrImageTooLarge},
		{name: "a 1x50000 strip", format: art.FormatPNG, width: 1, height: 50_000, size: 1 << 20, wantErr: art.ErrImageTooLarge},
		{name: "a 50000x1 strip", format: art.FormatWebP, width: 50_000, height: 1, size: 1 << 20, wantErr: art.ErrImageTooLarge},
		{name: "huge sides whose product overflows int32", format: art.FormatJPEG, width: 70_000, height: 70_000, size: 1 << 20, wantErr: art.ErrImageTooLarge},
		{name: "zero width", format: art.FormatJPEG, width: 0, height: 600, size: 1000, wantErr: art.ErrUnsupportedImage},
		{name: "zero height", format: art.FormatJPEG, width: 800, height: 0, size: 1000, wantErr: art.ErrUnsupportedImage},
		{name: "zero size", format: art.FormatJPEG, width: 0, height: 0, size: 1000, wantErr: art.ErrUnsupportedImage},
		{name: "negative width", format: art.FormatJPEG, width: -1, height: 600, size: 1000, wantErr: art.ErrUnsupportedImage},
		{name: "a GIF", format: "gif", width: 800, height: 600, size: 1000, wantErr: art.ErrUnsupportedImage},
		{name: "no format", format: "", width: 800, height: 600, size: 1000, wantErr: art.ErrUnsupportedImage},
		{name: "an unknown format is refused before its size", format: "bmp", width: 800, height: 600, size: 50 << 20, wantErr: art.ErrUnsupportedImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := art.CheckImage(tt.format, tt.width, tt.height, tt.size)

			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestCheckImageErrorsAreDistinct(t *testing.T) {
	tooLarge := art.CheckImage(art.FormatJPEG, 8000, 5001, 1000)
	unsupported := art.CheckImage("gif", 800, 600, 1000)

	assert.NotErrorIs(t, tooLarge, art.ErrUnsupportedImage)
	assert.NotErrorIs(t, unsupported, art.ErrImageTooLarge)
}

func TestNewImage(t *testing.T) {
	img, err := art.NewImage("arts/abc.webp", art.FormatWebP, 8000, 5000, 10<<20, "etag-abc")

	require.NoError(t, err)
	assert.Equal(t, "arts/abc.webp", img.Key())
	assert.Equal(t, art.FormatWebP, img.Format())
	assert.Equal(t, 8000, img.Width())
	assert.Equal(t, 5000, img.Height())
	assert.Equal(t, int64(10<<20), img.Size())
	assert.Equal(t, "etag-abc", img.ETag())
	assert.Equal(t, art.RestoreImage("arts/abc.webp", art.FormatWebP, 8000, 5000, 10<<20, "etag-abc"), img)
}

func TestNewImageRefuses(t *testing.T) {
	tests := []struct {
		name          string
		key           string
		format        art.ImageFormat
		width, height int
		size          int64
		etag          string
		wantErr       error
	}{
		{name: "over 10 MiB", key: "k", format: art.FormatJPEG, width: 10, height: 10, size: 10<<20 + 1, etag: "e", wantErr: art.ErrImageTooLarge},
		{name: "over 40 megapixels", key: "k", format: art.FormatJPEG, width: 8000, height: 5001, size: 1000, etag: "e", wantErr: art.ErrImageTooLarge},
		{name: "a side over 16384", key: "k", format: art.FormatJPEG, width: 1, height: 50_000, size: 1000, etag: "e", wantErr: art.ErrImageTooLarge},
		{name: "zero size", key: "k", format: art.FormatJPEG, width: 0, height: 0, size: 1000, etag: "e", wantErr: art.ErrUnsupportedImage},
		{name: "an unknown format", key: "k", format: "tiff", width: 10, height: 10, size: 1000, etag: "e", wantErr: art.ErrUnsupportedImage},
		{name: "no key", key: "", format: art.FormatJPEG, width: 10, height: 10, size: 1000, etag: "e"},
		{name: "no etag", key: "k", format: art.FormatJPEG, width: 10, height: 10, size: 1000, etag: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := art.NewImage(tt.key, tt.format, tt.width, tt.height, tt.size, tt.etag)

			require.Error(t, err)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
			}
			assert.Equal(t, art.Image{}, img)
		})
	}
}
