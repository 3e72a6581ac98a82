package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/art"
)

// UpdateArt edits an art's name, description or hashtags.
type UpdateArt struct {
	arts ArtStore
}

// NewUpdateArt builds the use case.
func NewUpdateArt(arts ArtStore) *UpdateArt {
	return &UpdateArt{arts: arts}
}

// Execute returns art.ErrNotOwner for anyone but the owner and art.ErrSold once sold.
func (uc *UpdateArt) Execute(ctx context.Context, memberID, artID int64, change art.Change) (ArtDetail, error) {
	a, err := uc.arts.ByID(ctx, artID)
	if err != nil {
		return ArtDetail{}, fmt.Errorf("find art %d: %w", artID, err)
	}
	if err := a.Edit(memberID, change); err != nil {
		return ArtDetail{}, err
	}
	if err := uc.arts.Update(ctx, a); err != nil {
		return ArtDetail{}, fmt.Errorf("store art %d: %w", artID, err)
	}
	return uc.arts.Detail(ctx, artID, memberID)
}
