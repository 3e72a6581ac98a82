package application

import (
	"context"
	"fmt"
)

// GetArt reads an art's page.
type GetArt struct {
	arts ArtStore
}

// NewGetArt builds the use case.
func NewGetArt(arts ArtStore) *GetArt {
	return &GetArt{arts: arts}
}

// Execute returns art.ErrNotFound for an unknown id; viewerID 0 is anonymous.
func (uc *GetArt) Execute(ctx context.Context, artID, viewerID int64) (ArtDetail, error) {
	d, err := uc.arts.Detail(ctx, artID, viewerID)
	if err != nil {
		return ArtDetail{}, fmt.Errorf("get art %d: %w", artID, err)
	}
	return d, nil
}
