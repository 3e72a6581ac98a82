package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/member"
)

// UnfollowMember ends a follow, idempotently.
type UnfollowMember struct {
	follows FollowStore
}

// NewUnfollowMember builds the use case.
func NewUnfollowMember(follows FollowStore) *UnfollowMember {
	return &UnfollowMember{follows: follows}
}

// Execute returns member.ErrCannotFollowSelf for oneself and
// member.ErrNotFound for an unknown followee; not following is no error.
func (uc *UnfollowMember) Execute(ctx context.Context, followerID, followeeID int64) error {
	if err := member.CheckFollow(followerID, followeeID); err != nil {
		return err
	}
	if err := uc.follows.Unfollow(ctx, followerID, followeeID); err != nil {
		return fmt.Errorf("member %d unfollows %d: %w", followerID, followeeID, err)
	}
	return nil
}
