package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/validation"
)

// AvailabilityQuery asks whether an email or nickname is still free; nil skips one.
type AvailabilityQuery struct {
	Email    *string
	Nickname *string
}

// Availability answers only what was asked.
type Availability struct {
	Email    *bool
	Nickname *bool
}

// CheckAvailability tells a sign-up form whether its choices are free.
type CheckAvailability struct {
	members MemberStore
}

// NewCheckAvailability builds the use case.
func NewCheckAvailability(members MemberStore) *CheckAvailability {
	return &CheckAvailability{members: members}
}

// Execute needs at least one of email and nickname.
func (uc *CheckAvailability) Execute(ctx context.Context, q AvailabilityQuery) (Availability, error) {
	var c validation.Collector
	var email member.Email
	var nickname member.Nickname
	var err error
	if q.Email == nil && q.Nickname == nil {
		c.Add("email", "give email, nickname or both")
	}
	if q.Email != nil {
		email, err = member.NewEmail(*q.Email)
		c.Merge(err)
	}
	if q.Nickname != nil {
		nickname, err = member.NewNickname(*q.Nickname)
		c.Merge(err)
	}
	if err := c.Err(); err != nil {
		return Availability{}, err
	}
	var answer Availability
	if q.Email != nil {
		taken, err := uc.members.EmailExists(ctx, email)
		if err != nil {
			return Availability{}, fmt.Errorf("check email: %w", err)
		}
		free := !taken
		answer.Email = &free
	}
	if q.Nickname != nil {
		taken, err := uc.members.NicknameExists(ctx, nickname)
		if err != nil {
			return Availability{}, fmt.Errorf("check nickname: %w", err)
		}
		free := !taken
		answer.Nickname = &free
	}
	return answer, nil
}
