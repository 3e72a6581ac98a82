package auth_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/validation"
)

func TestParsePurpose(t *testing.T) {
	tests := []struct {
		raw    string
		want   auth.Purpose
		wantOK bool
	}{
		{raw: "signup", want: auth.PurposeSignup, wantOK: true},
		{raw: "password_reset", want: auth.PurposePasswordReset, wantOK: true},
		{raw: "", wantOK: false},
		{raw: "SIGNUP", wantOK: false},
		{raw: "password-reset", wantOK: false},
		{raw: "login", wantOK: false},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, ok := auth.ParsePurpose(tt.raw)

			assert.Equal(t, tt.wantOK, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRefreshTokenCheckUsable(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	later := now.Add(time.Hour)
	tests := []struct {
		name          string
		expiresAt     time.Time
		used, revoked bool
		wantErr       error
		wantNotReused bool
	}{
		{name: "fresh token", expiresAt: later, wantErr: nil},
		{name: "session revoked", expiresAt: later, revoked: true, wantErr: auth.ErrTokenRevoked, wantNotReused: true},
		{name: "session revoked wins over reuse", expiresAt: later, used: true, revoked: true,
			wantErr: auth.ErrTokenRevoked, wantNotReused: true},
		{name: "used token", expiresAt: later, used: true, wantErr: auth.ErrRefreshTokenReused},
		{name: "used and expired token still counts as reuse", expiresAt: now.Add(-time.Hour), used: true,
			wantErr: auth.ErrRefreshTokenReused},
		{name: "expired token", expiresAt: now.Add(-time.Second), wantErr: auth.ErrTokenExpired},
		{name: "expires this instant", expiresAt: now, wantErr: auth.ErrTokenExpired},
		{name: "expires a nanosecond later", expiresAt: now.Add(time.Nanosecond), wantErr: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := auth.RestoreRefreshToken("session-1", 7, tt.expiresAt, tt.used, tt.revoked)

			err := token.CheckUsable(now)

			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
			if tt.wantNotReused {
				assert.NotErrorIs(t, err, auth.ErrRefreshTokenReused, "a revoked session is not a sign of theft")
			}
		})
	}
}

func TestRefreshTokenReusedIsSeenAsRevoked(t *testing.T) {
	assert.ErrorIs(t, auth.ErrRefreshTokenReused, auth.ErrTokenRevoked)
	assert.NotErrorIs(t, auth.ErrTokenRevoked, auth.ErrRefreshTokenReused)
	assert.NotErrorIs(t, auth.ErrTokenExpired, auth.ErrTokenRevoked)
}

func TestWrongCurrentPasswordIsInvalidCredentials(t *testing.T) {
	assert.ErrorIs(t, auth.ErrWrongCurrentPassword, auth.ErrInvalidCredentials)
	assert.NotErrorIs(t, auth.ErrInvalidCredentials, auth.ErrWrongCurrentPassword)
}

func TestRestoreRefreshTokenKeepsFields(t *testing.T) {
	expires := time.Date(2026, 6, 15, 0, 0, 0, 0, time.UTC)

	token := auth.RestoreRefreshToken("session-1", 7, expires, false, false)

	assert.Equal(t, "session-1", token.SessionID())
	assert.Equal(t, int64(7), token.MemberID())
	assert.Equal(t, expires, token.ExpiresAt())
}

func TestAuthErrorsAreDistinct(t *testing.T) {
	errs := []error{
		auth.ErrInvalidCredentials, auth.ErrInvalidVerificationCode, auth.ErrUnauthenticated,
		auth.ErrTokenExpired, auth.ErrTokenRevoked,
	}
	for i, a := range errs {
		for j, b := range errs {
			assert.Equal(t, i == j, errors.Is(a, b), "errors.Is(%v, %v)", a, b)
		}
	}
}

func TestCheckCodeFormat(t *testing.T) {
	for _, code := range []string{"", "12345", "1234567", "12a456", "１２３４５６"} {
		err := auth.CheckCodeFormat(code)
		var verr *validation.Error
		if assert.ErrorAs(t, err, &verr, "code %q", code) {
			assert.Equal(t, "verification_code", verr.Fields()[0].Field)
		}
	}
	assert.NoError(t, auth.CheckCodeFormat("042917"))
}
