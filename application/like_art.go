package application

import (
	"context"
	"fmt"
)

// LikeArt records that a member likes an art; liking twice is liking once.
type LikeArt struct {
	likes LikeStore
	clock Clock
}

// NewLikeArt builds the use case.
func NewLikeArt(likes LikeStore, clock Clock) *LikeArt {
	return &LikeArt{likes: likes, clock: clock}
}

// Execute returns art.ErrNotFound for an unknown art.
func (uc *LikeArt) Execute(ctx context.Context, memberID, artID int64) error {
	if err := uc.likes.Like(ctx, memberID, artID, uc.clock.Now()); err != nil {
		return fmt.Errorf("like art %d: %w", artID, err)
	}
	return nil
}
