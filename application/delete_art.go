package application

import (
	"context"
	"fmt"
)

// DeleteArt removes an art and schedules the removal of its image.
type DeleteArt struct {
	arts     ArtStore
	removals ImageRemovals
	tx       Transactor
	clock    Clock
}

// NewDeleteArt builds the use case.
func NewDeleteArt(arts ArtStore, removals ImageRemovals, tx Transactor, clock Clock) *DeleteArt {
	return &DeleteArt{arts: arts, removals: removals, tx: tx, clock: clock}
}

// Execute returns art.ErrNotOwner, art.ErrSold or art.ErrAuctionHasBids when the
// art must stay. The image's removal is scheduled in the transaction that
// deletes the row, and carried out by RemoveImages within seconds: an image
// store that is down delays it but neither fails the delete nor leaves the
// image behind, and a failed delete never leaves an art without its picture.
func (uc *DeleteArt) Execute(ctx context.Context, memberID, artID int64) error {
	a, err := uc.arts.ByID(ctx, artID)
	if err != nil {
		return fmt.Errorf("find art %d: %w", artID, err)
	}
	if err := a.CheckDeletable(memberID); err != nil {
		return err
	}
	return uc.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := uc.arts.Delete(ctx, artID); err != nil {
			return fmt.Errorf("delete art %d: %w", artID, err)
		}
		if err := uc.removals.Schedule(ctx, a.Image().Key(), uc.clock.Now()); err != nil {
			return fmt.Errorf("schedule removal of the image of art %d: %w", artID, err)
		}
		return nil
	})
}
