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
)

func strPtr(s string) *string { return &s }
func boolPtr(b bool) *bool    { return &b }

func TestCheckAvailabilityAnswersOnlyWhatWasAsked(t *testing.T) {
	tests := []struct {
		name          string
		query         application.AvailabilityQuery
		emailTaken    *bool
		nicknameTaken *bool
		want          application.Availability
	}{
		{
			name:       "free email",
			query:      application.AvailabilityQuery{Email: strPtr(" Alice@Example.com ")},
			emailTaken: boolPtr(false),
			want:       application.Availability{Email: boolPtr(true)},
		},
		{
			name:          "taken nickname",
			query:         application.AvailabilityQuery{Nickname: strPtr("김철수")},
			nicknameTaken: boolPtr(true),
			want:          application.Availability{Nickname: boolPtr(false)},
		},
		{
			name:          "both",
			query:         application.AvailabilityQuery{Email: strPtr("alice@example.com"), Nickname: strPtr("김철수")},
			emailTaken:    boolPtr(true),
			nicknameTaken: boolPtr(false),
			want:          application.Availability{Email: boolPtr(false), Nickname: boolPtr(true)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			members := mock.NewMockMemberStore(gomock.NewController(t))
			if tt.emailTaken != nil {
				members.EXPECT().EmailExists(gomock.Any(), aliceEmail).Return(*tt.emailTaken, nil)
			}
			if tt.nicknameTaken != nil {
				members.EXPECT().NicknameExists(gomock.Any(), aliceNickname).Return(*tt.nicknameTaken, nil)
			}

			got, err := application.NewCheckAvailability(members).Execute(context.Background(), tt.query)

			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCheckAvailabilityRefusesBadQueries(t *testing.T) {
	tests := []struct {
		name       string
		query      application.AvailabilityQuery
		wantFields []string
	}{
		{name: "nothing asked", query: application.AvailabilityQuery{}, wantFields: []string{"email"}},
		{
			name:       "bad email and nickname",
			query:      application.AvailabilityQuery{Email: strPtr("bad"), Nickname: strPtr("x")},
			wantFields: []string{"email", "nickname"},
		},
		{
			name:       "one bad field voids the good one",
			query:      application.AvailabilityQuery{Email: strPtr("alice@example.com"), Nickname: strPtr("bad nick")},
			wantFields: []string{"nickname"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			members := mock.NewMockMemberStore(gomock.NewController(t))

			_, err := application.NewCheckAvailability(members).Execute(context.Background(), tt.query)

			assert.Equal(t, tt.wantFields, validationFieldNames(t, err))
		})
	}
}

func TestCheckAvailabilityFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(members *mock.MockMemberStore)
	}{
		{
			name: "email lookup fails",
			arrange: func(members *mock.MockMemberStore) {
				members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(false, boom)
			},
		},
		{
			name: "nickname lookup fails",
			arrange: func(members *mock.MockMemberStore) {
				members.EXPECT().EmailExists(gomock.Any(), gomock.Any()).Return(false, nil)
				members.EXPECT().NicknameExists(gomock.Any(), gomock.Any()).Return(false, boom)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			members := mock.NewMockMemberStore(gomock.NewController(t))
			tt.arrange(members)

			_, err := application.NewCheckAvailability(members).Execute(context.Background(), application.AvailabilityQuery{
				Email: strPtr("alice@example.com"), Nickname: strPtr("alice"),
			})

			assert.ErrorIs(t, err, boom)
		})
	}
}
