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

type refreshFixture struct {
	sessions  *mock.MockSessionStore
	blacklist *mock.MockTokenBlacklist
	access    *mock.MockAccessTokens
	secrets   *mock.MockSecrets
	tx        *mock.MockTransactor
	uc        *application.RefreshTokens
}

func newRefreshFixture(t *testing.T) refreshFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := refreshFixture{
		sessions:  mock.NewMockSessionStore(ctrl),
		blacklist: mock.NewMockTokenBlacklist(ctrl),
		access:    mock.NewMockAccessTokens(ctrl),
		secrets:   mock.NewMockSecrets(ctrl),
		tx:        mock.NewMockTransactor(ctrl),
	}
	f.access.EXPECT().TTL().Return(testAccessTTL).AnyTimes()
	f.uc = application.NewRefreshTokens(f.sessions, f.blacklist, f.access, f.secrets, newFixedClock(ctrl), f.tx, testRefreshTTL)
	return f
}

// presented makes the store know "refresh-old" as a link of session-1 of member 7.
func (f refreshFixture) presented(expiresAt time.Time, used, sessionRevoked bool) {
	f.sessions.EXPECT().RefreshToken(gomock.Any(), "refresh-old").
		Return(auth.RestoreRefreshToken("session-1", 7, expiresAt, used, sessionRevoked), nil)
}

// expectSessionRevoked expects session-1 to be revoked in the store and the
// blacklist, outside any transaction so that no rollback undoes it.
func (f refreshFixture) expectSessionRevoked() {
	f.sessions.EXPECT().RevokeSession(outsideTx(), "session-1", fixedTestNow).Return(nil)
	f.blacklist.EXPECT().RevokeSessions(outsideTx(), []string{"session-1"}, fixedTestNow.Add(testAccessTTL)).Return(nil)
}

var refreshValidUntil = fixedTestNow.Add(time.Hour)

func TestRefreshWithoutATokenIsUnauthenticated(t *testing.T) {
	f := newRefreshFixture(t)

	_, err := f.uc.Execute(context.Background(), "")

	assert.ErrorIs(t, err, auth.ErrUnauthenticated)
}

func TestRefreshWithAnUnknownToken(t *testing.T) {
	f := newRefreshFixture(t)
	f.sessions.EXPECT().RefreshToken(gomock.Any(), "refresh-old").Return(auth.RefreshToken{}, auth.ErrUnauthenticated)

	_, err := f.uc.Execute(context.Background(), "refresh-old")

	assert.ErrorIs(t, err, auth.ErrUnauthenticated)
}

func TestRefreshRefusesAnUnusableTokenWithoutRevoking(t *testing.T) {
	tests := []struct {
		name           string
		expiresAt      time.Time
		sessionRevoked bool
		wantErr        error
	}{
		{name: "expired", expiresAt: fixedTestNow, wantErr: auth.ErrTokenExpired},
		{name: "session already revoked", expiresAt: refreshValidUntil, sessionRevoked: true, wantErr: auth.ErrTokenRevoked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRefreshFixture(t)
			f.presented(tt.expiresAt, false, tt.sessionRevoked)
			// No transaction, no revocation, no new token: gomock fails on any.

			pair, err := f.uc.Execute(context.Background(), "refresh-old")

			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, application.TokenPair{}, pair)
		})
	}
}

func TestRefreshWithAReusedTokenRevokesTheWholeSession(t *testing.T) {
	tests := []struct {
		name      string
		expiresAt time.Time
	}{
		{name: "still valid", expiresAt: refreshValidUntil},
		{name: "already expired", expiresAt: fixedTestNow.Add(-time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRefreshFixture(t)
			f.presented(tt.expiresAt, true, false)
			f.expectSessionRevoked()

			pair, err := f.uc.Execute(context.Background(), "refresh-old")

			assert.ErrorIs(t, err, auth.ErrTokenRevoked)
			assert.ErrorIs(t, err, auth.ErrRefreshTokenReused)
			assert.Equal(t, application.TokenPair{}, pair)
		})
	}
}

func TestRefreshThatLosesTheRaceToUseTheTokenRevokesTheSession(t *testing.T) {
	f := newRefreshFixture(t)
	f.presented(refreshValidUntil, false, false)
	expectOneTx(f.tx)
	f.sessions.EXPECT().MarkRefreshTokenUsed(inTx(), "refresh-old", fixedTestNow).Return(false, nil)
	f.expectSessionRevoked()
	// No new refresh or access token: gomock fails on any.

	pair, err := f.uc.Execute(context.Background(), "refresh-old")

	assert.ErrorIs(t, err, auth.ErrTokenRevoked)
	assert.Equal(t, application.TokenPair{}, pair)
}

func TestRefreshRotatesTheToken(t *testing.T) {
	f := newRefreshFixture(t)
	f.presented(refreshValidUntil, false, false)
	expectOneTx(f.tx)
	gomock.InOrder(
		f.sessions.EXPECT().MarkRefreshTokenUsed(inTx(), "refresh-old", fixedTestNow).Return(true, nil),
		f.secrets.EXPECT().RefreshToken().Return("refresh-new", nil),
		f.sessions.EXPECT().AddRefreshToken(inTx(), "refresh-new", "session-1", fixedTestNow.Add(testRefreshTTL)).Return(nil),
		f.access.EXPECT().Issue(int64(7), "session-1", fixedTestNow).
			Return("access-new", application.AccessClaims{MemberID: 7, SessionID: "session-1"}, nil),
	)

	pair, err := f.uc.Execute(context.Background(), "refresh-old")

	require.NoError(t, err)
	assert.Equal(t, application.TokenPair{AccessToken: "access-new", RefreshToken: "refresh-new", ExpiresIn: testAccessTTL}, pair)
}

func TestRefreshFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(f refreshFixture)
	}{
		{
			name: "token lookup fails",
			arrange: func(f refreshFixture) {
				f.sessions.EXPECT().RefreshToken(gomock.Any(), gomock.Any()).Return(auth.RefreshToken{}, boom)
			},
		},
		{
			name: "using up the token fails: nothing is revoked",
			arrange: func(f refreshFixture) {
				f.presented(refreshValidUntil, false, false)
				expectOneTx(f.tx)
				f.sessions.EXPECT().MarkRefreshTokenUsed(inTx(), gomock.Any(), gomock.Any()).Return(false, boom)
			},
		},
		{
			name: "storing the new token fails",
			arrange: func(f refreshFixture) {
				f.presented(refreshValidUntil, false, false)
				expectOneTx(f.tx)
				f.sessions.EXPECT().MarkRefreshTokenUsed(inTx(), gomock.Any(), gomock.Any()).Return(true, nil)
				f.secrets.EXPECT().RefreshToken().Return("refresh-new", nil)
				f.sessions.EXPECT().AddRefreshToken(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "revoking the session of a reused token fails",
			arrange: func(f refreshFixture) {
				f.presented(refreshValidUntil, true, false)
				f.sessions.EXPECT().RevokeSession(gomock.Any(), "session-1", gomock.Any()).Return(boom)
			},
		},
		{
			name: "blacklisting the session of a reused token fails",
			arrange: func(f refreshFixture) {
				f.presented(refreshValidUntil, true, false)
				f.sessions.EXPECT().RevokeSession(gomock.Any(), "session-1", gomock.Any()).Return(nil)
				f.blacklist.EXPECT().RevokeSessions(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newRefreshFixture(t)
			tt.arrange(f)

			pair, err := f.uc.Execute(context.Background(), "refresh-old")

			assert.ErrorIs(t, err, boom)
			assert.Equal(t, application.TokenPair{}, pair)
		})
	}
}
