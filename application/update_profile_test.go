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
	"github.com/artauction/artauction/domain/member"
)

func TestUpdateProfileStoresTheChange(t *testing.T) {
	tests := []struct {
		name          string
		change        member.ProfileChange
		checkNickname bool
		wantNickname  member.Nickname
		wantSchool    string
		wantPhone     string
	}{
		{
			name:          "new free nickname is checked",
			change:        member.ProfileChange{Nickname: strPtr("bob")},
			checkNickname: true,
			wantNickname:  "bob", wantSchool: "Seoul Arts", wantPhone: "010-1234-5678",
		},
		{
			name:         "the member's own nickname is not checked",
			change:       member.ProfileChange{Nickname: strPtr(" alice ")},
			wantNickname: "alice", wantSchool: "Seoul Arts", wantPhone: "010-1234-5678",
		},
		{
			name:         "school and phone only",
			change:       member.ProfileChange{School: strPtr("KNUA"), Phone: strPtr("")},
			wantNickname: "alice", wantSchool: "KNUA", wantPhone: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			members := mock.NewMockMemberStore(gomock.NewController(t))
			members.EXPECT().ByID(gomock.Any(), int64(7)).Return(storedAlice(), nil)
			if tt.checkNickname {
				members.EXPECT().NicknameExists(gomock.Any(), tt.wantNickname).Return(false, nil)
			}
			var stored *member.Member
			members.EXPECT().UpdateProfile(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, m *member.Member) error {
				stored = m
				return nil
			})

			got, err := application.NewUpdateProfile(members).Execute(context.Background(), 7, tt.change)

			require.NoError(t, err)
			require.NotNil(t, stored)
			for _, m := range []*member.Member{got, stored} {
				assert.Equal(t, int64(7), m.ID())
				assert.Equal(t, tt.wantNickname, m.Nickname())
				assert.Equal(t, tt.wantSchool, m.School())
				assert.Equal(t, tt.wantPhone, m.Phone())
			}
		})
	}
}

func TestUpdateProfileRefusesAnInvalidChangeWithoutStoring(t *testing.T) {
	members := mock.NewMockMemberStore(gomock.NewController(t))
	members.EXPECT().ByID(gomock.Any(), int64(7)).Return(storedAlice(), nil)

	m, err := application.NewUpdateProfile(members).Execute(context.Background(), 7, member.ProfileChange{
		Nickname: strPtr("b"), Phone: strPtr("not a phone"),
	})

	assert.Nil(t, m)
	assert.Equal(t, []string{"nickname", "phone"}, validationFieldNames(t, err))
}

func TestUpdateProfileToATakenNickname(t *testing.T) {
	members := mock.NewMockMemberStore(gomock.NewController(t))
	members.EXPECT().ByID(gomock.Any(), int64(7)).Return(storedAlice(), nil)
	members.EXPECT().NicknameExists(gomock.Any(), member.Nickname("bob")).Return(true, nil)

	m, err := application.NewUpdateProfile(members).Execute(context.Background(), 7, member.ProfileChange{Nickname: strPtr("bob")})

	assert.Nil(t, m)
	assert.ErrorIs(t, err, member.ErrNicknameTaken)
}

func TestUpdateProfileFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(members *mock.MockMemberStore)
		wantErr error
	}{
		{
			name: "unknown member",
			arrange: func(members *mock.MockMemberStore) {
				members.EXPECT().ByID(gomock.Any(), gomock.Any()).Return(nil, member.ErrNotFound)
			},
			wantErr: member.ErrNotFound,
		},
		{
			name: "nickname lookup fails",
			arrange: func(members *mock.MockMemberStore) {
				members.EXPECT().ByID(gomock.Any(), gomock.Any()).Return(storedAlice(), nil)
				members.EXPECT().NicknameExists(gomock.Any(), gomock.Any()).Return(false, boom)
			},
			wantErr: boom,
		},
		{
			name: "nickname taken meanwhile",
			arrange: func(members *mock.MockMemberStore) {
				members.EXPECT().ByID(gomock.Any(), gomock.Any()).Return(storedAlice(), nil)
				members.EXPECT().NicknameExists(gomock.Any(), gomock.Any()).Return(false, nil)
				members.EXPECT().UpdateProfile(gomock.Any(), gomock.Any()).Return(member.ErrNicknameTaken)
			},
			wantErr: member.ErrNicknameTaken,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			members := mock.NewMockMemberStore(gomock.NewController(t))
			tt.arrange(members)

			m, err := application.NewUpdateProfile(members).Execute(context.Background(), 7, member.ProfileChange{Nickname: strPtr("bob")})

			assert.Nil(t, m)
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}
