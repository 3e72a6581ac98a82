package storage

import (
	"bytes"
	"errors"
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
	})
}
