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

type signUpFixture struct {
	members *mock.MockMemberStore
	codes   *mock.MockVerificationCodes
	hasher  *mock.MockPasswordHasher
	uc      *application.SignUp
}

func newSignUpFixture(t *testing.T) signUpFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := signUpFixture{
		members: mock.NewMockMemberStore(ctrl),
		codes:   mock.NewMockVerificationCodes(ctrl),
		hasher:  mock.NewMockPasswordHasher(ctrl),
	}
	f.uc = application.NewSignUp(f.members, f.codes, f.hasher, newFixedClock(ctrl))
	return f
}

func validSignUp() application.SignUpCommand {
	return application.SignUpCommand{
		Email: " Alice@Example.com", VerificationCode: "123456", Password: "s3cret!pass",
		Nickname: "김철수", Name: "Alice Kim", School: "Seoul Arts", Phone: "010-1234-5678",
	}
}

const (
	aliceEmail    = member.Email("alice@example.com")
	aliceNickname = member.Nickname("김철수")
)

func TestSignUpReportsEveryBadFieldBeforeTouchingTheStore(t *testing.T) {
	f := newSignUpFixture(t)
	cmd := application.SignUpCommand{
		Email: "bad", VerificationCode: "123456", Password: "short", Nickname: "!", Name: "",
	}

	m, err := f.uc.Execute(context.Background(), cmd)

	assert.Nil(t, m)
	assert.Equal(t, []string{"email", "password", "nickname", "name"}, validationFieldNames(t, err))
}

func TestSignUpChecksInTheOrderOfTheAPI(t *testing.T) {
	tests := []struct {
		name    string
		arrange func(f signUpFixture)
		wantErr error
	}{
		{
			name: "email taken is reported before the nickname and the code are checked",
			arrange: func(f signUpFixture) {
				f.members.EXPECT().EmailExists(gomock.Any(), aliceEmail).Return(true, nil)
			},
			wantErr: member.ErrEmailTaken,
		},
		{
			name: "nickname taken is reported before the code is checked",
			arrange: func(f signUpFixture) {
				gomock.InOrder(
					f.members.EXPECT().EmailExists(gomock.Any(), aliceEmail).Return(false, nil),
					f.members.EXPECT().NicknameExists(gomock.Any(), aliceNickname).Return(true, nil),
				)
			},
			wantErr: member.ErrNicknameTaken,
		},
		{
			name: "a wrong code creates nothing and keeps the code",
			arrange: func(f signUpFixture) {
				gomock.InOrder(
					f.members.EXPECT().EmailExists(gomock.Any(), aliceEmail).Return(false, nil),
					f.members.EXPECT().NicknameExists(gomock.Any(), aliceNickname).Return(false, nil),
					f.codes.EXPECT().Check(gomock.Any(), auth.PurposeSignup, aliceEmail, "123456").
						Return(auth.ErrInvalidVerificationCode),
				)
			},
			wantErr: auth.ErrInvalidVerificationCode,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSignUpFixture(t)
			tt.arrange(f)

			m, err := f.uc.Execute(context.Background(), validSignUp())

			assert.Nil(t, m)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestSignUpCreatesTheMemberThenUsesUpTheCode(t *testing.T) {
	f := newSignUpFixture(t)
	ctx := context.Background()
	var created *member.Member
	gomock.InOrder(
		f.members.EXPECT().EmailExists(ctx, aliceEmail).Return(false, nil),
		f.members.EXPECT().NicknameExists(ctx, aliceNickname).Return(false, nil),
		f.codes.EXPECT().Check(ctx, auth.PurposeSignup, aliceEmail, "123456").Return(nil),
		f.hasher.EXPECT().Hash(member.Password("s3cret!pass")).Return("hashed", nil),
		f.members.EXPECT().Create(ctx, gomock.Any()).DoAndReturn(func(_ context.Context, m *member.Member) (int64, error) {
			created = m
			return 7, nil
		}),
		f.codes.EXPECT().Delete(ctx, auth.PurposeSignup, aliceEmail).Return(nil),
		f.members.EXPECT().ByID(ctx, int64(7)).Return(storedAlice(), nil),
	)

	got, err := f.uc.Execute(ctx, validSignUp())

	require.NoError(t, err)
	assert.Equal(t, storedAlice(), got, "the member as stored is returned")
	require.NotNil(t, created)
	assert.Equal(t, aliceEmail, created.Email())
	assert.Equal(t, "hashed", created.PasswordHash(), "only the hash is stored")
	assert.Equal(t, aliceNickname, created.Nickname())
	assert.Equal(t, "Alice Kim", created.Name())
	assert.Equal(t, "Seoul Arts", created.School())
	assert.Equal(t, "010-1234-5678", created.Phone())
	assert.Equal(t, fixedTestNow, created.CreatedAt())
}

func TestSignUpFailures(t *testing.T) {
	boom := errors.New("boom")
	passChecks := func(f signUpFixture) {
		f.members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(false, nil)
		f.members.EXPECT().NicknameExists(gomock.Any(), gomock.Any()).Return(false, nil)
		f.codes.EXPECT().Check(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil)
	}
	tests := []struct {
		name    string
		arrange func(f signUpFixture)
		wantErr error
	}{
		{
			name: "email lookup fails",
			arrange: func(f signUpFixture) {
				f.members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(false, boom)
			},
			wantErr: boom,
		},
		{
			name: "nickname lookup fails",
			arrange: func(f signUpFixture) {
				f.members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(false, nil)
				f.members.EXPECT().NicknameExists(gomock.Any(), gomock.Any()).Return(false, boom)
			},
			wantErr: boom,
		},
		{
			name: "hashing fails, nothing is created",
			arrange: func(f signUpFixture) {
				passChecks(f)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("", boom)
			},
			wantErr: boom,
		},
		{
			name: "the email was taken meanwhile: the code is kept",
			arrange: func(f signUpFixture) {
				passChecks(f)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("hashed", nil)
				f.members.EXPECT().Create(gomock.Any(), gomock.Any()).Return(int64(0), member.ErrEmailTaken)
			},
			wantErr: member.ErrEmailTaken,
		},
		{
			name: "the nickname was taken meanwhile: the code is kept",
			arrange: func(f signUpFixture) {
				passChecks(f)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("hashed", nil)
				f.members.EXPECT().Create(gomock.Any(), gomock.Any()).Return(int64(0), member.ErrNicknameTaken)
			},
			wantErr: member.ErrNicknameTaken,
		},
		{
			name: "using up the code fails",
			arrange: func(f signUpFixture) {
				passChecks(f)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("hashed", nil)
				f.members.EXPECT().Create(gomock.Any(), gomock.Any()).Return(int64(7), nil)
				f.codes.EXPECT().Delete(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
			wantErr: boom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newSignUpFixture(t)
			tt.arrange(f)

			m, err := f.uc.Execute(context.Background(), validSignUp())

			assert.Nil(t, m)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}
