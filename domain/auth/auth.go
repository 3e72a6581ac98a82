// Package auth holds the rules of signing in: verification purposes, refresh
// tokens and the errors a client sees when it is not let in.
package auth

import (
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/validation"
)

// Errors of authentication.
var (
	ErrInvalidCredentials      = errors.New("invalid credentials")
	ErrInvalidVerificationCode = errors.New("invalid verification code")
	ErrUnauthenticated         = errors.New("unauthenticated")
	ErrTokenExpired            = errors.New("token expired")
	ErrTokenRevoked            = errors.New("token revoked")
	// ErrRefreshTokenReused means a refresh token was presented a second time: a
	// sign that it leaked, so the whole session must be revoked. Clients see it as
	// ErrTokenRevoked.
	ErrRefreshTokenReused = fmt.Errorf("refresh token reused: %w", ErrTokenRevoked)
)

// CheckCodeFormat validates the shape of a verification code given by a client:
// a missing or malformed code is a validation error, not a wrong guess.
func CheckCodeFormat(code string) error {
	if len(code) != 6 {
		return validation.Field("verification_code", "must be the 6 digits from the mail")
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return validation.Field("verification_code", "must be the 6 digits from the mail")
		}
	}
	return nil
}

// Purpose says what a verification code may be used for.
type Purpose string

// The purposes of the OpenAPI document.
const (
	PurposeSignup        Purpose = "signup"
	PurposePasswordReset Purpose = "password_reset"
)

// ParsePurpose validates a purpose given by a client.
func ParsePurpose(s string) (Purpose, bool) {
	switch p := Purpose(s); p {
	case PurposeSignup, PurposePasswordReset:
		return p, true
	}
	return "", false
}

// RefreshToken is one link of a session's rotation chain. A session is one login;
// each refresh uses up the presented token and issues the next one.
type RefreshToken struct {
	sessionID      string
	memberID       int64
	expiresAt      time.Time
	used           bool
	sessionRevoked bool
}

// RestoreRefreshToken rebuilds a refresh token read from storage.
func RestoreRefreshToken(sessionID string, memberID int64, expiresAt time.Time, used, sessionRevoked bool) RefreshToken {
	return RefreshToken{sessionID: sessionID, memberID: memberID, expiresAt: expiresAt, used: used, sessionRevoked: sessionRevoked}
}

func (t RefreshToken) SessionID() string    { return t.sessionID }
func (t RefreshToken) MemberID() int64      { return t.memberID }
func (t RefreshToken) ExpiresAt() time.Time { return t.expiresAt }

// CheckUsable says whether the token may be exchanged now. Reuse is checked before
// expiry so that a replayed old token still revokes its session.
func (t RefreshToken) CheckUsable(now time.Time) error {
	switch {
	case t.sessionRevoked:
		return ErrTokenRevoked
	case t.used:
		return ErrRefreshTokenReused
	case !now.Before(t.expiresAt):
		return ErrTokenExpired
	}
	return nil
}

// ErrWrongCurrentPassword is a wrong current password when changing it: the
// member is signed in, so it is a bad request rather than a failed login.
var ErrWrongCurrentPassword = fmt.Errorf("current password is wrong: %w", ErrInvalidCredentials)
