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

type changePasswordFixture struct {
	members *mock.MockMemberStore
	hasher  *mock.MockPasswordHasher
	uc      *application.ChangePassword
}

func newChangePasswordFixture(t *testing.T) changePasswordFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := changePasswordFixture{members: mock.NewMockMemberStore(ctrl), hasher: mock.NewMockPasswordHasher(ctrl)}
	f.uc = application.NewChangePassword(f.members, f.hasher)
	return f
}

func TestChangePasswordChecksTheNewPasswordFirst(t *testing.T) {
	f := newChangePasswordFixture(t)

	err := f.uc.Execute(context.Background(), 7, "0ld!password", "weak")

	assert.Equal(t, []string{"new_password"}, validationFieldNames(t, err))
}

func TestChangePasswordWithAWrongCurrentPassword(t *testing.T) {
	f := newChangePasswordFixture(t)
	f.members.EXPECT().ByID(gomock.Any(), int64(7)).Return(storedAlice(), nil)
	f.hasher.EXPECT().Matches("stored-hash", "wrong!pass1").Return(false)
	// Nothing is hashed or stored: gomock fails on it.

	err := f.uc.Execute(context.Background(), 7, "wrong!pass1", "n3w!password")

	assert.ErrorIs(t, err, auth.ErrInvalidCredentials)
	assert.ErrorIs(t, err, auth.ErrWrongCurrentPassword, "a signed-in member is told apart from a failed login")
}

func TestChangePasswordStoresTheNewHash(t *testing.T) {
	f := newChangePasswordFixture(t)
	gomock.InOrder(
		f.members.EXPECT().ByID(gomock.Any(), int64(7)).Return(storedAlice(), nil),
		f.hasher.EXPECT().Matches("stored-hash", "0ld!password").Return(true),
		f.hasher.EXPECT().Hash(member.Password("n3w!password")).Return("new-hash", nil),
		f.members.EXPECT().UpdatePasswordHash(gomock.Any(), int64(7), "new-hash").Return(nil),
	)

	err := f.uc.Execute(context.Background(), 7, "0ld!password", "n3w!password")

	require.NoError(t, err)
}

func TestChangePasswordFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(f changePasswordFixture)
		wantErr error
	}{
		{
			name: "unknown member",
			arrange: func(f changePasswordFixture) {
				f.members.EXPECT().ByID(gomock.Any(), gomock.Any()).Return(nil, member.ErrNotFound)
			},
			wantErr: member.ErrNotFound,
		},
		{
			name: "hashing fails",
			arrange: func(f changePasswordFixture) {
				f.members.EXPECT().ByID(gomock.Any(), gomock.Any()).Return(storedAlice(), nil)
				f.hasher.EXPECT().Matches(gomock.Any(), gomock.Any()).Return(true)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("", boom)
			},
			wantErr: boom,
		},
		{
			name: "storing fails",
			arrange: func(f changePasswordFixture) {
				f.members.EXPECT().ByID(gomock.Any(), gomock.Any()).Return(storedAlice(), nil)
				f.hasher.EXPECT().Matches(gomock.Any(), gomock.Any()).Return(true)
				f.hasher.EXPECT().Hash(gomock.Any()).Return("new-hash", nil)
				f.members.EXPECT().UpdatePasswordHash(gomock.Any(), gomock.Any(), gomock.Any()).Return(boom)
			},
			wantErr: boom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newChangePasswordFixture(t)
			tt.arrange(f)

			err := f.uc.Execute(context.Background(), 7, "0ld!password", "n3w!password")

			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}
