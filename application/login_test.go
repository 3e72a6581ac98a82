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
	"github.com/artauction/artauction/domain/member"
)

const (
	loginIP         = "198.51.100.4"
	testRefreshTTL  = 14 * 24 * time.Hour
	testAccessTTL   = 15 * time.Minute
	loginEmail      = "alice@example.com"
	correctPassword = "s3cret!pass"
)

type loginFixture struct {
	members  *mock.MockMemberStore
	hasher   *mock.MockPasswordHasher
	sessions *mock.MockSessionStore
	access   *mock.MockAccessTokens
	secrets  *mock.MockSecrets
	limiter  *mock.MockRateLimiter
	tx       *mock.MockTransactor
	uc       *application.Login
}

func newLoginFixture(t *testing.T) loginFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := loginFixture{
		members:  mock.NewMockMemberStore(ctrl),
		hasher:   mock.NewMockPasswordHasher(ctrl),
		sessions: mock.NewMockSessionStore(ctrl),
		access:   mock.NewMockAccessTokens(ctrl),
		secrets:  mock.NewMockSecrets(ctrl),
		limiter:  mock.NewMockRateLimiter(ctrl),
		tx:       mock.NewMockTransactor(ctrl),
	}
	f.uc = application.NewLogin(f.members, f.hasher, f.sessions, f.access, f.secrets, f.limiter,
		newFixedClock(ctrl), f.tx, testRefreshTTL)
	return f
}

func (f loginFixture) passLimits() {
	f.limiter.EXPECT().Take(gomock.Any(), application.LoginsPerIPMinute, loginIP).Return(nil)
	f.limiter.EXPECT().Check(gomock.Any(), application.FailedLoginsPerEmail15m, loginEmail).Return(nil)
}

func TestLoginRateLimitsMatchTheAPI(t *testing.T) {
	assert.Equal(t, 60, application.LoginsPerIPMinute.Limit)
	assert.Equal(t, time.Minute, application.LoginsPerIPMinute.Window)
	assert.Equal(t, 10, application.FailedLoginsPerEmail15m.Limit)
	assert.Equal(t, 15*time.Minute, application.FailedLoginsPerEmail15m.Window)
	assert.NotEqual(t, application.LoginsPerIPMinute.Name, application.FailedLoginsPerEmail15m.Name)
}

func TestLoginStopsWhenTheIPLimitIsUsedUp(t *testing.T) {
	f := newLoginFixture(t)
	f.limiter.EXPECT().Take(gomock.Any(), application.LoginsPerIPMinute, loginIP).
		Return(&application.RateLimitedError{Rule: application.LoginsPerIPMinute.Name, RetryAfter: time.Minute})

	_, err := f.uc.Execute(context.Background(), application.LoginCommand{
		Email: loginEmail, Password: correctPassword, ClientIP: loginIP,
	})

	var rateErr *application.RateLimitedError
	require.ErrorAs(t, err, &rateErr)
	assert.Equal(t, application.LoginsPerIPMinute.Name, rateErr.Rule)
}

func TestLoginStopsWhenTooManyLoginsFailedForTheEmail(t *testing.T) {
	f := newLoginFixture(t)
	gomock.InOrder(
		f.limiter.EXPECT().Take(gomock.Any(), application.LoginsPerIPMinute, loginIP).Return(nil),
		f.limiter.EXPECT().Check(gomock.Any(), application.FailedLoginsPerEmail15m, loginEmail).
			Return(&application.RateLimitedError{Rule: application.FailedLoginsPerEmail15m.Name, RetryAfter: time.Minute}),
	)
	// Not even the right password gets past it: no lookup, no comparison.

	_, err := f.uc.Execute(context.Background(), application.LoginCommand{
		Email: "Alice@Example.com", Password: correctPassword, ClientIP: loginIP,
	})

	var rateErr *application.RateLimitedError
	require.ErrorAs(t, err, &rateErr)
	assert.Equal(t, application.FailedLoginsPerEmail15m.Name, rateErr.Rule)
}

func TestLoginWithAMalformedEmailSpendsAComparisonAndFails(t *testing.T) {
	f := newLoginFixture(t)
	f.limiter.EXPECT().Take(gomock.Any(), application.LoginsPerIPMinute, loginIP).Return(nil)
	f.hasher.EXPECT().Matches("", "whatever1!").Return(false)

	_, err := f.uc.Execute(context.Background(), application.LoginCommand{
		Email: "not-an-email", Password: "whatever1!", ClientIP: loginIP,
	})

	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
}

func TestLoginFailsAlikeForUnknownEmailAndWrongPassword(t *testing.T) {
	tests := []struct {
		name     string
		found    *member.Member
		findErr  error
		wantHash string
	}{
		{name: "unknown email", found: nil, findErr: member.ErrNotFound, wantHash: ""},
		{name: "wrong password", found: storedAlice(), findErr: nil, wantHash: "stored-hash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLoginFixture(t)
			f.passLimits()
			f.members.EXPECT().ByEmail(gomock.Any(), member.Email(loginEmail)).Return(tt.found, tt.findErr)
			f.hasher.EXPECT().Matches(tt.wantHash, "wrong-pass1!").Return(false)
			f.limiter.EXPECT().Record(gomock.Any(), application.FailedLoginsPerEmail15m, loginEmail).Return(nil)
			// No session is created: gomock fails on any session or token call.

			pair, err := f.uc.Execute(context.Background(), application.LoginCommand{
				Email: loginEmail, Password: "wrong-pass1!", ClientIP: loginIP,
			})

			assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
			assert.NotErrorIs(t, err, auth.ErrWrongCurrentPassword, "a failed login is not a bad password change")
			assert.Equal(t, application.TokenPair{}, pair)
		})
	}
}

func TestLoginOfAnUnknownEmailFailsEvenIfTheHasherWereFooled(t *testing.T) {
	f := newLoginFixture(t)
	f.passLimits()
	f.members.EXPECT().ByEmail(gomock.Any(), gomock.Any()).Return(nil, member.ErrNotFound)
	f.hasher.EXPECT().Matches("", gomock.Any()).Return(true)
	f.limiter.EXPECT().Record(gomock.Any(), application.FailedLoginsPerEmail15m, loginEmail).Return(nil)

	_, err := f.uc.Execute(context.Background(), application.LoginCommand{
		Email: loginEmail, Password: "", ClientIP: loginIP,
	})

	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
}

func TestLoginStartsASessionInOneTransaction(t *testing.T) {
	f := newLoginFixture(t)
	f.passLimits()
	f.members.EXPECT().ByEmail(gomock.Any(), member.Email(loginEmail)).Return(storedAlice(), nil)
	f.hasher.EXPECT().Matches("stored-hash", correctPassword).Return(true)
	f.secrets.EXPECT().SessionID().Return("session-1", nil)
	f.secrets.EXPECT().RefreshToken().Return("refresh-1", nil)
	expectOneTx(f.tx)
	gomock.InOrder(
		f.sessions.EXPECT().CreateSession(inTx(), "session-1", int64(7), fixedTestNow).Return(nil),
		f.sessions.EXPECT().AddRefreshToken(inTx(), "refresh-1", "session-1", fixedTestNow.Add(testRefreshTTL)).Return(nil),
	)
	f.access.EXPECT().Issue(int64(7), "session-1", fixedTestNow).
		Return("access-1", application.AccessClaims{MemberID: 7, TokenID: "jti-1", SessionID: "session-1"}, nil)
	f.access.EXPECT().TTL().Return(testAccessTTL).AnyTimes()

	pair, err := f.uc.Execute(context.Background(), application.LoginCommand{
		Email: " ALICE@example.com ", Password: correctPassword, ClientIP: loginIP,
	})

	require.NoError(t, err)
	assert.Equal(t, application.TokenPair{AccessToken: "access-1", RefreshToken: "refresh-1", ExpiresIn: testAccessTTL}, pair)
}

func TestLoginFailures(t *testing.T) {
	boom := errors.New("boom")
	passPassword := func(f loginFixture) {
		f.passLimits()
		f.members.EXPECT().ByEmail(gomock.Any(), gomock.Any()).Return(storedAlice(), nil)
		f.hasher.EXPECT().Matches(gomock.Any(), gomock.Any()).Return(true)
	}
	tests := []struct {
		name    string
		arrange func(f loginFixture)
	}{
		{
			name: "failed-login check fails",
			arrange: func(f loginFixture) {
				f.limiter.EXPECT().Take(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.limiter.EXPECT().Check(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "member lookup fails: no failure is counted",
			arrange: func(f loginFixture) {
				f.passLimits()
				f.members.EXPECT().ByEmail(gomock.Any(), gomock.Any()).Return(nil, boom)
			},
		},
		{
			name: "counting the failure fails",
			arrange: func(f loginFixture) {
				f.passLimits()
				f.members.EXPECT().ByEmail(gomock.Any(), gomock.Any()).Return(storedAlice(), nil)
				f.hasher.EXPECT().Matches(gomock.Any(), gomock.Any()).Return(false)
				f.limiter.EXPECT().Record(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "no session id",
			arrange: func(f loginFixture) {
				passPassword(f)
				f.secrets.EXPECT().SessionID().Return("", boom)
			},
		},
		{
			name: "creating the session fails, no token is issued",
			arrange: func(f loginFixture) {
				passPassword(f)
				f.secrets.EXPECT().SessionID().Return("session-1", nil)
				expectOneTx(f.tx)
				f.sessions.EXPECT().CreateSession(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "storing the refresh token fails",
			arrange: func(f loginFixture) {
				passPassword(f)
				f.secrets.EXPECT().SessionID().Return("session-1", nil)
				expectOneTx(f.tx)
				f.sessions.EXPECT().CreateSession(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.secrets.EXPECT().RefreshToken().Return("refresh-1", nil)
				f.sessions.EXPECT().AddRefreshToken(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "issuing the access token fails",
			arrange: func(f loginFixture) {
				passPassword(f)
				f.secrets.EXPECT().SessionID().Return("session-1", nil)
				expectOneTx(f.tx)
				f.sessions.EXPECT().CreateSession(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.secrets.EXPECT().RefreshToken().Return("refresh-1", nil)
				f.sessions.EXPECT().AddRefreshToken(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.access.EXPECT().Issue(gomock.Any(), gomock.Any(), gomock.Any()).Return("", application.AccessClaims{}, boom)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLoginFixture(t)
			tt.arrange(f)

			pair, err := f.uc.Execute(context.Background(), application.LoginCommand{
				Email: loginEmail, Password: correctPassword, ClientIP: loginIP,
			})

			assert.ErrorIs(t, err, boom)
			assert.Equal(t, application.TokenPair{}, pair)
		})
	}
}
