package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/member"
)

// UpdateProfile changes a member's nickname, school or phone.
type UpdateProfile struct {
	members MemberStore
}

// NewUpdateProfile builds the use case.
func NewUpdateProfile(members MemberStore) *UpdateProfile {
	return &UpdateProfile{members: members}
}

// Execute returns the updated member; member.ErrNicknameTaken when the nickname is someone else's.
func (uc *UpdateProfile) Execute(ctx context.Context, memberID int64, change member.ProfileChange) (*member.Member, error) {
	m, err := uc.members.ByID(ctx, memberID)
	if err != nil {
		return nil, fmt.Errorf("find member: %w", err)
	}
	before := m.Nickname()
	if err := m.ChangeProfile(change); err != nil {
		return nil, err
	}
	if m.Nickname() != before {
		taken, err := uc.members.NicknameExists(ctx, m.Nickname())
		if err != nil {
			return nil, fmt.Errorf("check nickname: %w", err)
		}
		if taken {
			return nil, member.ErrNicknameTaken
		}
	}
	if err := uc.members.UpdateProfile(ctx, m); err != nil {
		return nil, fmt.Errorf("store profile: %w", err)
	}
	return m, nil
}
