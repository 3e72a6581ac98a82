package application

import (
	"context"
	"fmt"
)

// FollowDirection picks one of a member's two follow lists.
type FollowDirection string

// The follow lists of a member.
const (
	// Followers are the members who follow them.
	Followers FollowDirection = "followers"
	// Following are the members they follow.
	Following FollowDirection = "following"
)

// ListFollows pages through a member's followers or whom they follow, the
// latest follow first.
type ListFollows struct {
	follows FollowStore
}

// NewListFollows builds the use case.
func NewListFollows(follows FollowStore) *ListFollows {
	return &ListFollows{follows: follows}
}

// Execute returns member.ErrNotFound for an unknown member.
func (uc *ListFollows) Execute(ctx context.Context, memberID int64, direction FollowDirection, page PageRequest) (Page[MemberRef], error) {
	read := uc.follows.Followers
	switch direction {
	case Followers:
	case Following:
		read = uc.follows.Following
	default:
		return Page[MemberRef]{}, fmt.Errorf("list follows: unknown direction %q", direction)
	}
	list := listScope(fmt.Sprintf("%s\x00%d", direction, memberID))
	page, err := page.in(list)
	if err != nil {
		return Page[MemberRef]{}, err
	}
	stored, err := read(ctx, memberID, page)
	if err != nil {
		return Page[MemberRef]{}, fmt.Errorf("list %s of member %d: %w", direction, memberID, err)
	}
	return pageOf(stored, page, list), nil
}
