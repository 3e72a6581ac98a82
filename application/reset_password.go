package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/validation"
)

// ResetPasswordCommand sets a new password with a mailed code.
type ResetPasswordCommand struct {
	Email            string
	VerificationCode string
	NewPassword      string
}

// ResetPassword replaces a forgotten password and signs the member out everywhere.
type ResetPassword struct {
	members   MemberStore
	codes     VerificationCodes
	hasher    PasswordHasher
	sessions  SessionStore
	blacklist TokenBlacklist
	access    AccessTokens
	clock     Clock
}

// NewResetPassword builds the use case.
func NewResetPassword(members MemberStore, codes VerificationCodes, hasher PasswordHasher, sessions SessionStore,
	blacklist TokenBlacklist, access AccessTokens, clock Clock) *ResetPassword {
	return &ResetPassword{members: members, codes: codes, hasher: hasher, sessions: sessions,
		blacklist: blacklist, access: access, clock: clock}
}

// Execute revokes every token the member held before the reset.
func (uc *ResetPassword) Execute(ctx context.Context, cmd ResetPasswordCommand) error {
	var c validation.Collector
	email, err := member.NewEmail(cmd.Email)
	c.Merge(err)
	password, err := member.NewPassword("new_password", cmd.NewPassword)
	c.Merge(err)
	c.Merge(auth.CheckCodeFormat(cmd.VerificationCode))
	if err := c.Err(); err != nil {
		return err
	}
	if err := uc.codes.Check(ctx, auth.PurposePasswordReset, email, cmd.VerificationCode); err != nil {
		return fmt.Errorf("password reset code: %w", err)
	}
	m, err := uc.members.ByEmail(ctx, email)
	if errors.Is(err, member.ErrNotFound) {
		// The member left after the code was sent: the code proves nothing now.
		return auth.ErrInvalidVerificationCode
	}
	if err != nil {
		return fmt.Errorf("find member: %w", err)
	}
	hash, err := uc.hasher.Hash(password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := uc.members.UpdatePasswordHash(ctx, m.ID(), hash); err != nil {
		return fmt.Errorf("store password: %w", err)
	}
	now := uc.clock.Now()
	revoked, err := uc.sessions.RevokeMemberSessions(ctx, m.ID(), now)
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	if err := revokeSessions(ctx, uc.blacklist, revoked, now, uc.access.TTL()); err != nil {
		return err
	}
	if err := uc.codes.Delete(ctx, auth.PurposePasswordReset, email); err != nil {
		return fmt.Errorf("use up password reset code: %w", err)
	}
	return nil
}
