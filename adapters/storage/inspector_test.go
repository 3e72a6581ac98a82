package storage_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/webp"

	"github.com/artauction/artauction/adapters/storage"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

func testImage(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{R: uint8(x), G: uint8(y), B: 200, A: 255})
		}
	}
	return img
}

func encodePNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, testImage(w, h)))
	return buf.Bytes()
}

func encodeJPEG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, testImage(w, h), nil))
	return buf.Bytes()
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	return data
}

// pngHeader is a PNG signature and an IHDR chunk, with no pixel data at all.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 0, 17)
	ihdr = append(ihdr, "IHDR"...)
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA, deflate, no filter, no interlace
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

func TestInspectAcceptedFormats(t *testing.T) {
	cases := []struct {
		name   string
		data   []byte
		format art.ImageFormat
		w, h   int
	}{
		{"png", encodePNG(t, 37, 21), art.FormatPNG, 37, 21},
		{"jpeg", encodeJPEG(t, 40, 17), art.FormatJPEG, 40, 17},
		{"webp lossless", readTestdata(t, "3x2-lossless.webp"), art.FormatWebP, 3, 2},
		{"webp lossy", readTestdata(t, "3x2-lossy.webp"), art.FormatWebP, 3, 2},
		{"webp extended with alpha", readTestdata(t, "3x2-alpha.webp"), art.FormatWebP, 3, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := storage.NewImageInspector().Inspect(tc.data)
			require.NoError(t, err)
			assert.Equal(t, application.InspectedImage{Format: tc.format, Width: tc.w, Height: tc.h}, got)
		})
	}
}

// The committed WebP files must be real images, not only plausible headers.
func TestWebPTestdataDecodes(t *testing.T) {
	for _, name := range []string{"3x2-lossless.webp", "3x2-lossy.webp", "3x2-alpha.webp"} {
		img, err := webp.Decode(bytes.NewReader(readTestdata(t, name)))
		require.NoError(t, err, name)
		assert.Equal(t, image.Rect(0, 0, 3, 2), img.Bounds(), name)
	}
}

func TestInspectHugeImagesReadOnlyTheHeader(t *testing.T) {
	// A JPEG whose frame header claims 60000x60000 pixels.
	jpg := encodeJPEG(t, 8, 8)
	sof := bytes.Index(jpg, []byte{0xff, 0xc0})
	require.Positive(t, sof)
	binary.BigEndian.PutUint16(jpg[sof+5:], 60000)
	binary.BigEndian.PutUint16(jpg[sof+7:], 60000)

	cases := []struct {
		name string
		data []byte
		want application.InspectedImage
	}{
		{"png", pngHeader(50000, 50000), application.InspectedImage{Format: art.FormatPNG, Width: 50000, Height: 50000}},
		{"jpeg", jpg, application.InspectedImage{Format: art.FormatJPEG, Width: 60000, Height: 60000}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			got, err := storage.NewImageInspector().Inspect(tc.data)
			runtime.ReadMemStats(&after)

			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			// Decoding the pixels would take gigabytes; the header takes bytes.
			assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(1<<20))
		})
	}
}

func TestInspectRejects(t *testing.T) {
	var gifBuf bytes.Buffer
	require.NoError(t, gif.Encode(&gifBuf, testImage(4, 4), nil))
	pngData := encodePNG(t, 10, 10)
	jpegData := encodeJPEG(t, 10, 10)
	webpData := readTestdata(t, "3x2-lossless.webp")

	bmp := make([]byte, 54)
	copy(bmp, "BM")
	binary.LittleEndian.PutUint32(bmp[14:], 40)
	binary.LittleEndian.PutUint32(bmp[18:], 4)
	binary.LittleEndian.PutUint32(bmp[22:], 4)

	cases := map[string][]byte{
		"empty":                     nil,
		"text named cat.png":        []byte("this is not an image, whatever its name says\n"),
		"html":                      []byte("<!DOCTYPE html><svg onload=alert(1)>"),
		"gif":                       gifBuf.Bytes(),
		"bmp":                       bmp,
		"png signature only":        pngData[:8],
		"png truncated in IHDR":     pngData[:20],
		"png with a bad IHDR crc":   append(pngHeader(10, 10)[:29:29], 0, 0, 0, 0),
		"png of zero width":         pngHeader(0, 10),
		"jpeg magic only":           jpegData[:3],
		"jpeg truncated before SOF": jpegData[:20],
		"riff but not webp":         []byte("RIFF\x10\x00\x00\x00WAVEfmt \x10\x00\x00\x00"),
		"webp truncated header":     webpData[:20],
		"webp magic with garbage":   []byte("RIFF\x20\x00\x00\x00WEBPVP8 garbage garbage garbage"),
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := storage.NewImageInspector().Inspect(data)
			require.ErrorIs(t, err, art.ErrUnsupportedImage)
			assert.Zero(t, got)
		})
	}
}
