package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/member"
)

// FollowMember makes a member follow another, idempotently.
type FollowMember struct {
	follows FollowStore
	clock   Clock
}

// NewFollowMember builds the use case.
func NewFollowMember(follows FollowStore, clock Clock) *FollowMember {
	return &FollowMember{follows: follows, clock: clock}
}

// Execute returns member.ErrCannotFollowSelf for oneself and
// member.ErrNotFound for an unknown followee.
func (uc *FollowMember) Execute(ctx context.Context, followerID, followeeID int64) error {
	if err := member.CheckFollow(followerID, followeeID); err != nil {
		return err
	}
	if err := uc.follows.Follow(ctx, followerID, followeeID, uc.clock.Now()); err != nil {
		return fmt.Errorf("member %d follows %d: %w", followerID, followeeID, err)
	}
	return nil
}
