package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
)

// ChangePassword replaces a known password with a new one.
type ChangePassword struct {
	members MemberStore
	hasher  PasswordHasher
}

// NewChangePassword builds the use case.
func NewChangePassword(members MemberStore, hasher PasswordHasher) *ChangePassword {
	return &ChangePassword{members: members, hasher: hasher}
}

// Execute returns auth.ErrWrongCurrentPassword when current is wrong.
func (uc *ChangePassword) Execute(ctx context.Context, memberID int64, current, next string) error {
	password, err := member.NewPassword("new_password", next)
	if err != nil {
		return err
	}
	m, err := uc.members.ByID(ctx, memberID)
	if err != nil {
		return fmt.Errorf("find member: %w", err)
	}
	if !uc.hasher.Matches(m.PasswordHash(), current) {
		return auth.ErrWrongCurrentPassword
	}
	hash, err := uc.hasher.Hash(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := uc.members.UpdatePasswordHash(ctx, memberID, hash); err != nil {
		return fmt.Errorf("store password: %w", err)
	}
	return nil
}
