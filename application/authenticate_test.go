package application_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/auth"
)

type authenticateFixture struct {
	access    *mock.MockAccessTokens
	blacklist *mock.MockTokenBlacklist
	sessions  *mock.MockSessionStore
	uc        *application.Authenticate
}

func newAuthenticateFixture(t *testing.T) authenticateFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := authenticateFixture{access: mock.NewMockAccessTokens(ctrl), blacklist: mock.NewMockTokenBlacklist(ctrl),
		sessions: mock.NewMockSessionStore(ctrl)}
	f.uc = application.NewAuthenticate(f.access, f.blacklist, f.sessions, newFixedClock(ctrl))
	return f
}

var validClaims = application.AccessClaims{
	MemberID: 7, TokenID: "jti-1", SessionID: "session-1",
	IssuedAt: fixedTestNow.Add(-time.Minute), ExpiresAt: fixedTestNow.Add(14 * time.Minute),
}

func TestAuthenticateWithoutATokenIsUnauthenticated(t *testing.T) {
	f := newAuthenticateFixture(t)

	_, err := f.uc.Execute(context.Background(), "")

	assert.ErrorIs(t, err, auth.ErrUnauthenticated)
}

func TestAuthenticatePassesParseErrorsThrough(t *testing.T) {
	for _, parseErr := range []error{auth.ErrTokenExpired, auth.ErrUnauthenticated} {
		t.Run(parseErr.Error(), func(t *testing.T) {
			f := newAuthenticateFixture(t)
			f.access.EXPECT().Parse("access-1", fixedTestNow).Return(application.AccessClaims{}, parseErr)
			// A bad token is never looked up in the blacklist: gomock fails on it.

			p, err := f.uc.Execute(context.Background(), "access-1")

			assert.ErrorIs(t, err, parseErr)
			assert.Equal(t, application.Principal{}, p)
		})
	}
}

func TestAuthenticateRefusesARevokedToken(t *testing.T) {
	f := newAuthenticateFixture(t)
	f.access.EXPECT().Parse("access-1", fixedTestNow).Return(validClaims, nil)
	f.blacklist.EXPECT().IsRevoked(gomock.Any(), "jti-1", "session-1").Return(true, nil)

	p, err := f.uc.Execute(context.Background(), "access-1")

	assert.ErrorIs(t, err, auth.ErrTokenRevoked)
	assert.Equal(t, application.Principal{}, p)
}

func TestAuthenticateAsksTheSessionStoreWhenTheBlacklistCannotBeRead(t *testing.T) {
	for _, revoked := range []bool{false, true} {
		f := newAuthenticateFixture(t)
		f.access.EXPECT().Parse("access-1", fixedTestNow).Return(validClaims, nil)
		f.blacklist.EXPECT().IsRevoked(gomock.Any(), "jti-1", "session-1").Return(false, errors.New("redis down"))
		f.sessions.EXPECT().IsSessionRevoked(gomock.Any(), "session-1").Return(revoked, nil)

		p, err := f.uc.Execute(context.Background(), "access-1")

		if revoked {
			assert.ErrorIs(t, err, auth.ErrTokenRevoked)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, int64(7), p.MemberID)
	}
}

func TestAuthenticateFailsWhenNeitherTheBlacklistNorTheSessionsCanBeRead(t *testing.T) {
	f := newAuthenticateFixture(t)
	redisDown, dbDown := errors.New("redis down"), errors.New("db down")
	f.access.EXPECT().Parse("access-1", fixedTestNow).Return(validClaims, nil)
	f.blacklist.EXPECT().IsRevoked(gomock.Any(), "jti-1", "session-1").Return(false, redisDown)
	f.sessions.EXPECT().IsSessionRevoked(gomock.Any(), "session-1").Return(false, dbDown)

	_, err := f.uc.Execute(context.Background(), "access-1")

	assert.ErrorIs(t, err, redisDown)
	assert.ErrorIs(t, err, dbDown)
	assert.NotErrorIs(t, err, auth.ErrTokenRevoked)
}

func TestAuthenticateReturnsThePrincipal(t *testing.T) {
	f := newAuthenticateFixture(t)
	f.access.EXPECT().Parse("access-1", fixedTestNow).Return(validClaims, nil)
	f.blacklist.EXPECT().IsRevoked(gomock.Any(), "jti-1", "session-1").Return(false, nil)

	p, err := f.uc.Execute(context.Background(), "access-1")

	require.NoError(t, err)
	assert.Equal(t, application.Principal{
		MemberID: 7, TokenID: "jti-1", SessionID: "session-1", ExpiresAt: validClaims.ExpiresAt,
	}, p)
}
