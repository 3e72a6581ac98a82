package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/member"
)

// GetMember reads one member; the caller decides how much of it to show.
type GetMember struct {
	members MemberStore
}

// NewGetMember builds the use case.
func NewGetMember(members MemberStore) *GetMember {
	return &GetMember{members: members}
}

// Execute returns member.ErrNotFound for an unknown id.
func (uc *GetMember) Execute(ctx context.Context, id int64) (*member.Member, error) {
	m, err := uc.members.ByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("get member %d: %w", id, err)
	}
	return m, nil
}
