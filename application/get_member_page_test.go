package application_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/member"
)

func TestGetMemberPageAsTheViewerSeesIt(t *testing.T) {
	follows := mock.NewMockFollowStore(gomock.NewController(t))
	followed := true
	want := application.MemberPage{Member: tradeMemberRef(bobID), CreatedAt: fixedTestNow,
		Stats: application.MemberStats{Arts: 4, Sold: 1, Followers: 2, Following: 3}, Followed: &followed}
	follows.EXPECT().Page(gomock.Any(), bobID, aliceID).Return(want, nil)

	got, err := application.NewGetMemberPage(follows).Execute(context.Background(), bobID, aliceID)

	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestGetMemberPageOfAnUnknownMember(t *testing.T) {
	follows := mock.NewMockFollowStore(gomock.NewController(t))
	follows.EXPECT().Page(gomock.Any(), int64(404), int64(0)).Return(application.MemberPage{}, member.ErrNotFound)

	_, err := application.NewGetMemberPage(follows).Execute(context.Background(), 404, 0)

	assert.ErrorIs(t, err, member.ErrNotFound)
}
