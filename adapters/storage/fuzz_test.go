package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"testing"

	"github.com/artauction/artauction/domain/art"
)

// FuzzInspect calls inspect, not Inspect, so that a decoder panic fails the
// fuzzer instead of being recovered.
func FuzzInspect(f *testing.F) {
	img := image.NewNRGBA(image.Rect(0, 0, 5, 3))
	img.Set(1, 1, color.NRGBA{R: 255, A: 255})
	var pngBuf, jpegBuf bytes.Buffer
	if err := png.Encode(&pngBuf, img); err != nil {
		f.Fatal(err)
	}
	if err := jpeg.Encode(&jpegBuf, img, nil); err != nil {
		f.Fatal(err)
	}
	f.Add(pngBuf.Bytes())
	f.Add(jpegBuf.Bytes())
	for _, name := range []string{"3x2-lossless.webp", "3x2-lossy.webp", "3x2-alpha.webp"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte{})
	f.Add([]byte("plain text, not an image"))
	f.Add(pngBuf.Bytes()[:20])
	// Headers that claim sizes beyond the limits, and formats that must stay refused.
	f.Add(withPNGSize(f, pngBuf.Bytes(), 100_000, 1))
	f.Add(withPNGSize(f, pngBuf.Bytes(), 7000, 7000))
	f.Add(withPNGSize(f, pngBuf.Bytes(), 0, 3))
	f.Add([]byte("RIFF\x1e\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff"))
	f.Add([]byte("GIF89a\x05\x00\x03\x00\x00\x00\x00;"))
	f.Add([]byte("BM\x00\x00"))

	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := inspect(data)
		if err != nil {
			if !errors.Is(err, art.ErrUnsupportedImage) {
				t.Fatalf("error %v does not wrap art.ErrUnsupportedImage", err)
			}
			return
		}
		if _, perr := art.ParseImageFormat(string(got.Format)); perr != nil {
			t.Fatalf("accepted format %q", got.Format)
		}
		if got.Width < 1 || got.Height < 1 {
			t.Fatalf("accepted size %dx%d", got.Width, got.Height)
		}
		// What the header claims then meets the limits: a refusal is a 415 or 413, never a 500.
		err = art.CheckImage(got.Format, got.Width, got.Height, int64(len(data)))
		if err != nil && !errors.Is(err, art.ErrImageTooLarge) && !errors.Is(err, art.ErrUnsupportedImage) {
			t.Fatalf("CheckImage refused %dx%d %s with %v", got.Width, got.Height, got.Format, err)
		}
		if err == nil && (got.Width > art.MaxImageSide || got.Height > art.MaxImageSide ||
			int64(got.Width)*int64(got.Height) > art.MaxImagePixels) {
			t.Fatalf("CheckImage accepted %dx%d", got.Width, got.Height)
		}
	})
}

// withPNGSize rewrites the size in a PNG's IHDR chunk and its CRC, so only the
// claimed size differs from a valid image.
func withPNGSize(tb testing.TB, valid []byte, width, height uint32) []byte {
	tb.Helper()
	const ihdr = 8 // the chunk after the signature: length, "IHDR", data, CRC
	data := bytes.Clone(valid)
	if string(data[ihdr+4:ihdr+8]) != "IHDR" {
		tb.Fatal("no IHDR chunk first")
	}
	binary.BigEndian.PutUint32(data[ihdr+8:], width)
	binary.BigEndian.PutUint32(data[ihdr+12:], height)
	binary.BigEndian.PutUint32(data[ihdr+8+13:], crc32.ChecksumIEEE(data[ihdr+4:ihdr+8+13]))
	return data
}
