package application

import (
	"context"
	"fmt"
)

// DeleteArt removes an art and its image.
type DeleteArt struct {
	arts   ArtStore
	images ImageStore
}

// NewDeleteArt builds the use case.
func NewDeleteArt(arts ArtStore, images ImageStore) *DeleteArt {
	return &DeleteArt{arts: arts, images: images}
}

// Execute returns art.ErrNotOwner, art.ErrSold or art.ErrAuctionHasBids when the
// art must stay. The image goes only after the row is gone, so a failed delete
// never leaves an art without its picture.
func (uc *DeleteArt) Execute(ctx context.Context, memberID, artID int64) error {
	a, err := uc.arts.ByID(ctx, artID)
	if err != nil {
		return fmt.Errorf("find art %d: %w", artID, err)
	}
	if err := a.CheckDeletable(memberID); err != nil {
		return err
	}
	if err := uc.arts.Delete(ctx, artID); err != nil {
		return fmt.Errorf("delete art %d: %w", artID, err)
	}
	if err := uc.images.Delete(ctx, a.Image().Key()); err != nil {
		return fmt.Errorf("delete image of art %d: %w", artID, err)
	}
	return nil
}
