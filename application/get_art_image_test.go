package application_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/art"
)

// imageContent is an open image whose closing the test can see.
type imageContent struct {
	*bytes.Reader
	closed bool
}

func (c *imageContent) Close() error {
	c.closed = true
	return nil
}

func TestGetArtImageServesTheStoredBytes(t *testing.T) {
	tests := []struct {
		format          art.ImageFormat
		wantContentType string
	}{
		{format: art.FormatJPEG, wantContentType: "image/jpeg"},
		{format: art.FormatPNG, wantContentType: "image/png"},
		{format: art.FormatWebP, wantContentType: "image/webp"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			ctrl := gomock.NewController(t)
			arts, images := mock.NewMockArtStore(ctrl), mock.NewMockImageStore(ctrl)
			img := art.RestoreImage("arts/42."+string(tt.format), tt.format, 800, 600, 5, "etag-42")
			content := &imageContent{Reader: bytes.NewReader([]byte("bytes"))}
			arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(func(r *art.Record) { r.Image = img }), nil)
			images.EXPECT().Open(gomock.Any(), img.Key()).Return(content, nil)

			got, err := application.NewGetArtImage(arts, images).Execute(context.Background(), 42)

			require.NoError(t, err)
			assert.Equal(t, tt.wantContentType, got.ContentType)
			assert.Equal(t, "etag-42", got.ETag)
			assert.Same(t, content, got.Content)
			data, err := io.ReadAll(got.Content)
			require.NoError(t, err)
			assert.Equal(t, []byte("bytes"), data)
			assert.False(t, content.closed, "the caller closes the content")
		})
	}
}

func TestGetArtImageOfAnUnknownArt(t *testing.T) {
	ctrl := gomock.NewController(t)
	arts, images := mock.NewMockArtStore(ctrl), mock.NewMockImageStore(ctrl)
	arts.EXPECT().ByID(gomock.Any(), int64(404)).Return(nil, art.ErrNotFound)

	got, err := application.NewGetArtImage(arts, images).Execute(context.Background(), 404)

	assert.ErrorIs(t, err, art.ErrNotFound)
	assert.Nil(t, got.Content)
}

func TestGetArtImageWhenTheImageCannotBeOpened(t *testing.T) {
	errDisk := errors.New("i/o error")
	for _, openErr := range []error{art.ErrNotFound, errDisk} {
		t.Run(openErr.Error(), func(t *testing.T) {
			ctrl := gomock.NewController(t)
			arts, images := mock.NewMockArtStore(ctrl), mock.NewMockImageStore(ctrl)
			arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(), nil)
			images.EXPECT().Open(gomock.Any(), storedArtImage().Key()).Return(nil, openErr)

			got, err := application.NewGetArtImage(arts, images).Execute(context.Background(), 42)

			assert.ErrorIs(t, err, openErr)
			assert.Nil(t, got.Content)
		})
	}
}
