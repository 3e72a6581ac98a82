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
)

type logoutFixture struct {
	sessions  *mock.MockSessionStore
	blacklist *mock.MockTokenBlacklist
	uc        *application.Logout
}

func newLogoutFixture(t *testing.T) logoutFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := logoutFixture{sessions: mock.NewMockSessionStore(ctrl), blacklist: mock.NewMockTokenBlacklist(ctrl)}
	access := mock.NewMockAccessTokens(ctrl)
	access.EXPECT().TTL().Return(testAccessTTL).AnyTimes()
	f.uc = application.NewLogout(f.sessions, f.blacklist, access, newFixedClock(ctrl))
	return f
}

var loggedIn = application.Principal{
	MemberID: 7, TokenID: "jti-1", SessionID: "session-1", ExpiresAt: fixedTestNow.Add(10 * time.Minute),
}

func TestLogoutRevokesTheAccessTokenAndItsSession(t *testing.T) {
	f := newLogoutFixture(t)
	ctx := context.Background()
	gomock.InOrder(
		f.blacklist.EXPECT().RevokeAccessToken(ctx, "jti-1", loggedIn.ExpiresAt).Return(nil),
		f.blacklist.EXPECT().RevokeSessions(ctx, []string{"session-1"}, fixedTestNow.Add(testAccessTTL)).Return(nil),
		f.sessions.EXPECT().RevokeSession(ctx, "session-1", fixedTestNow).Return(nil),
	)

	err := f.uc.Execute(ctx, loggedIn)

	require.NoError(t, err)
}

func TestLogoutFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(f logoutFixture)
	}{
		{
			name: "blacklisting the access token fails",
			arrange: func(f logoutFixture) {
				f.blacklist.EXPECT().RevokeAccessToken(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "blacklisting the session fails",
			arrange: func(f logoutFixture) {
				f.blacklist.EXPECT().RevokeAccessToken(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.blacklist.EXPECT().RevokeSessions(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "revoking the stored session fails",
			arrange: func(f logoutFixture) {
				f.blacklist.EXPECT().RevokeAccessToken(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.blacklist.EXPECT().RevokeSessions(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.sessions.EXPECT().RevokeSession(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newLogoutFixture(t)
			tt.arrange(f)

			err := f.uc.Execute(context.Background(), loggedIn)

			assert.ErrorIs(t, err, boom)
		})
	}
}
