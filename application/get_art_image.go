package application

import (
	"context"
	"fmt"
	"io"
)

// ArtImage is an art's picture ready to be served.
type ArtImage struct {
	Content     io.ReadSeekCloser
	ContentType string
	ETag        string
}

// GetArtImage opens an art's picture.
type GetArtImage struct {
	arts   ArtStore
	images ImageStore
}

// NewGetArtImage builds the use case.
func NewGetArtImage(arts ArtStore, images ImageStore) *GetArtImage {
	return &GetArtImage{arts: arts, images: images}
}

// Execute returns art.ErrNotFound for an unknown art; the caller closes Content.
func (uc *GetArtImage) Execute(ctx context.Context, artID int64) (ArtImage, error) {
	a, err := uc.arts.ByID(ctx, artID)
	if err != nil {
		return ArtImage{}, fmt.Errorf("find art %d: %w", artID, err)
	}
	img := a.Image()
	content, err := uc.images.Open(ctx, img.Key())
	if err != nil {
		return ArtImage{}, fmt.Errorf("open image of art %d: %w", artID, err)
	}
	return ArtImage{Content: content, ContentType: img.Format().ContentType(), ETag: img.ETag()}, nil
}
