package application

import (
	"context"
	"fmt"
)

// GetMemberPage reads an artist's page: a member's public profile with how
// many works they list and sold, their followers and whom they follow.
type GetMemberPage struct {
	follows FollowStore
}

// NewGetMemberPage builds the use case.
func NewGetMemberPage(follows FollowStore) *GetMemberPage {
	return &GetMemberPage{follows: follows}
}

// Execute reads memberID's page as viewerID (0: anonymous) sees it;
// member.ErrNotFound for an unknown member.
func (uc *GetMemberPage) Execute(ctx context.Context, memberID, viewerID int64) (MemberPage, error) {
	p, err := uc.follows.Page(ctx, memberID, viewerID)
	if err != nil {
		return MemberPage{}, fmt.Errorf("read the page of member %d: %w", memberID, err)
	}
	return p, nil
}
