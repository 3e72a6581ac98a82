package application

import (
	"context"
	"fmt"
)

// UnlikeArt takes a like back; unliking what one does not like changes nothing.
type UnlikeArt struct {
	likes LikeStore
}

// NewUnlikeArt builds the use case.
func NewUnlikeArt(likes LikeStore) *UnlikeArt {
	return &UnlikeArt{likes: likes}
}

// Execute returns art.ErrNotFound for an unknown art.
func (uc *UnlikeArt) Execute(ctx context.Context, memberID, artID int64) error {
	if err := uc.likes.Unlike(ctx, memberID, artID); err != nil {
		return fmt.Errorf("unlike art %d: %w", artID, err)
	}
	return nil
}
