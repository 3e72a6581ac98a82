package application

import (
	"context"
	"fmt"
)

// ListFeed pages through the works of the members a member follows, newest
// first: also those listed before the follow, and a new work as soon as its
// listing commits.
type ListFeed struct {
	follows FollowStore
}

// NewListFeed builds the use case.
func NewListFeed(follows FollowStore) *ListFeed {
	return &ListFeed{follows: follows}
}

// Execute returns one page of memberID's feed.
func (uc *ListFeed) Execute(ctx context.Context, memberID int64, page PageRequest) (Page[ArtSummary], error) {
	list := listScope(fmt.Sprintf("feed\x00%d", memberID))
	page, err := page.in(list)
	if err != nil {
		return Page[ArtSummary]{}, err
	}
	stored, err := uc.follows.Feed(ctx, memberID, page)
	if err != nil {
		return Page[ArtSummary]{}, fmt.Errorf("list the feed of member %d: %w", memberID, err)
	}
	return pageOf(stored, page, list), nil
}
