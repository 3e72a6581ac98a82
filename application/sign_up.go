package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/validation"
)

// SignUpCommand is a sign-up request with the code that proves the email.
type SignUpCommand struct {
	Email            string
	VerificationCode string
	Password         string
	Nickname         string
	Name             string
	School           string
	Phone            string
}

// SignUp registers a member whose email was verified by a mailed code.
type SignUp struct {
	members MemberStore
	codes   VerificationCodes
	hasher  PasswordHasher
	clock   Clock
}

// NewSignUp builds the use case.
func NewSignUp(members MemberStore, codes VerificationCodes, hasher PasswordHasher, clock Clock) *SignUp {
	return &SignUp{members: members, codes: codes, hasher: hasher, clock: clock}
}

// Execute checks, in the order of docs/rules.md: fields, email taken, nickname taken,
// then the verification code, which is used up only when the member is created.
func (uc *SignUp) Execute(ctx context.Context, cmd SignUpCommand) (*member.Member, error) {
	var c validation.Collector
	reg, err := member.NewRegistration(cmd.Email, cmd.Password, cmd.Nickname, cmd.Name, cmd.School, cmd.Phone)
	c.Merge(err)
	c.Merge(auth.CheckCodeFormat(cmd.VerificationCode))
	if err := c.Err(); err != nil {
		return nil, err
	}
	if taken, err := uc.members.EmailExists(ctx, reg.Email()); err != nil {
		return nil, fmt.Errorf("check email: %w", err)
	} else if taken {
		return nil, member.ErrEmailTaken
	}
	if taken, err := uc.members.NicknameExists(ctx, reg.Nickname()); err != nil {
		return nil, fmt.Errorf("check nickname: %w", err)
	} else if taken {
		return nil, member.ErrNicknameTaken
	}
	if err := uc.codes.Check(ctx, auth.PurposeSignup, reg.Email(), cmd.VerificationCode); err != nil {
		return nil, fmt.Errorf("sign-up code: %w", err)
	}
	hash, err := uc.hasher.Hash(reg.Password())
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	m, err := member.New(reg, hash, uc.clock.Now())
	if err != nil {
		return nil, err
	}
	id, err := uc.members.Create(ctx, m)
	if err != nil {
		return nil, fmt.Errorf("create member: %w", err)
	}
	if err := uc.codes.Delete(ctx, auth.PurposeSignup, reg.Email()); err != nil {
		return nil, fmt.Errorf("use up sign-up code: %w", err)
	}
	return uc.members.ByID(ctx, id)
}
