package application_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
)

type resetPasswordFixture struct {
	members   *mock.MockMemberStore
	codes     *mock.MockVerificationCodes
	hasher    *mock.MockPasswordHasher
	sessions  *mock.MockSessionStore
	blacklist *mock.MockTokenBlacklist
	uc        *application.ResetPassword
}

func newResetPasswordFixture(t *testing.T) resetPasswordFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := resetPasswordFixture{
		members:   mock.NewMockMemberStore(ctrl),
		codes:     mock.NewMockVerificationCodes(ctrl),
		hasher:    mock.NewMockPasswordHasher(ctrl),
		sessions:  mock.NewMockSessionStore(ctrl),
		blacklist: mock.NewMockTokenBlacklist(ctrl),
	}
	access := mock.NewMockAccessTokens(ctrl)
	access.EXPECT().TTL().Return(testAccessTTL).AnyTimes()
	f.uc = application.NewResetPassword(f.members, f.codes, f.hasher, f.sessions, f.blacklist, access, newFixedClock(ctrl))
	return f
}

var validReset = application.ResetPasswordCommand{
	Email: "Alice@Example.com", VerificationCode: "654321", NewPassword: "n3w!password",
}

func TestResetPasswordReportsEveryBadFieldFirst(t *testing.T) {
	f := newResetPasswordFixture(t)

	err := f.uc.Execute(context.Background(), application.ResetPasswordCommand{
		Email: "bad", VerificationCode: "654321", NewPassword: "short",
	})

	assert.Equal(t, []string{"email", "new_password"}, validationFieldNames(t, err))
}

func TestResetPasswordWithAWrongCodeChangesNothing(t *testing.T) {
	f := newResetPasswordFixture(t)
	f.codes.EXPECT().Check(gomock.Any(), auth.PurposePasswordReset, aliceEmail, "654321").
		Return(auth.ErrInvalidVerificationCode)

	err := f.uc.Execute(context.Background(), validReset)

	assert.ErrorIs(t, err, auth.ErrInvalidVerificationCode)
}

func TestResetPasswordOfAMemberWhoLeftIsAnInvalidCode(t *testing.T) {
	f := newResetPasswordFixture(t)
	f.codes.EXPECT().Check(gomock.Any(), auth.PurposePasswordReset, aliceEmail, "654321").Return(nil)
	f.members.EXPECT().ByEmail(gomock.Any(), aliceEmail).Return(nil, member.ErrNotFound)

	err := f.uc.Execute(context.Background(), validReset)

	assert.ErrorIs(t, err, auth.ErrInvalidVerificationCode)
	assert.NotErrorIs(t, err, member.ErrNotFound, "no hint that the member is gone")
}

func TestResetPasswordRevokesEverySessionAndUsesUpTheCode(t *testing.T) {
	f := newResetPasswordFixture(t)
	ctx := context.Background()
	gomock.InOrder(
		f.codes.EXPECT().Check(ctx, auth.PurposePasswordReset, aliceEmail, "654321").Return(nil),
		f.members.EXPECT().ByEmail(ctx, aliceEmail).Return(storedAlice(), nil),
		f.hasher.EXPECT().Hash(member.Password("n3w!password")).Return("new-hash", nil),
		f.members.EXPECT().UpdatePasswordHash(ctx, int64(7), "new-hash").Return(nil),
		f.sessions.EXPECT().RevokeMemberSessions(ctx, int64(7), fixedTestNow).Return([]string{"session-1", "session-2"}, nil),
		f.blacklist.EXPECT().RevokeSessions(ctx, []string{"session-1", "session-2"}, fixedTestNow.Add(testAccessTTL)).Return(nil),
		f.codes.EXPECT().Delete(ctx, auth.PurposePasswordReset, aliceEmail).Return(nil),
	)

	err := f.uc.Execute(ctx, validReset)

	require.NoError(t, err)
}

func TestResetPasswordWithNoOpenSessionBlacklistsNothing(t *testing.T) {
	f := newResetPasswordFixture(t)
	f.codes.EXPECT().Check(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
	f.members.EXPECT().ByEmail(gomock.Any(), gomock.Any()).Return(storedAlice(), nil)
	f.hasher.EXPECT().Hash(gomock.Any()).Return("new-hash", nil)
	f.members.EXPECT().UpdatePasswordHash(gomock.Any(), int64(7), "new-hash").Return(nil)
	f.sessions.EXPECT().RevokeMemberSessions(gomock.Any(), int64(7), fixedTestNow).Return(nil, nil)
	f.codes.EXPECT().Delete(gomock.Any(), auth.PurposePasswordReset, aliceEmail).Return(nil)

	err := f.uc.Execute(context.Background(), validReset)

	require.NoError(t, err)
}

func TestResetPasswordFailures(t *testing.T) {
	boom := errors.New("boom")
	upToHash := func(f resetPasswordFixture) {
		f.codes.EXPECT().Check(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
		f.members.EXPECT().ByEmail(gomock.Any(), gomock.Any()).Return(storedAlice(), nil)
	}
	tests := []struct {
		name    string
		arrange func(f resetPasswordFixture)
	}{
		{
			name: "member lookup fails",
			arrange: func(f resetPasswordFixture) {
				f.codes.EXPECT().Check(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.members.EXPECT().ByEmail(gomock.Any(), gomock.Any()).Return(nil, boom)
			},
		},
		{
			name: "hashing fails",
			arrange: func(f resetPasswordFixture) {
				upToHash(f)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("", boom)
			},
		},
		{
			name: "storing the hash fails: sessions stay and the code is kept",
			arrange: func(f resetPasswordFixture) {
				upToHash(f)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("new-hash", nil)
				f.members.EXPECT().UpdatePasswordHash(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "revoking the sessions fails: the code is kept for a retry",
			arrange: func(f resetPasswordFixture) {
				upToHash(f)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("new-hash", nil)
				f.members.EXPECT().UpdatePasswordHash(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.sessions.EXPECT().RevokeMemberSessions(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, boom)
			},
		},
		{
			name: "blacklisting the sessions fails: the code is kept for a retry",
			arrange: func(f resetPasswordFixture) {
				upToHash(f)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("new-hash", nil)
				f.members.EXPECT().UpdatePasswordHash(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.sessions.EXPECT().RevokeMemberSessions(gomock.Any(), gomock.Any(), gomock.Any()).Return([]string{"session-1"}, nil)
				f.blacklist.EXPECT().RevokeSessions(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
		{
			name: "using up the code fails",
			arrange: func(f resetPasswordFixture) {
				upToHash(f)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("new-hash", nil)
				f.members.EXPECT().UpdatePasswordHash(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
				f.sessions.EXPECT().RevokeMemberSessions(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, nil)
				f.codes.EXPECT().Delete(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newResetPasswordFixture(t)
			tt.arrange(f)

			err := f.uc.Execute(context.Background(), validReset)

			assert.ErrorIs(t, err, boom)
		})
	}
}
