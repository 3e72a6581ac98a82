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

// expectFollowList expects the store call of direction's list.
func expectFollowList(follows *mock.MockFollowStore, direction application.FollowDirection, memberID int64, page any) *gomock.Call {
	if direction == application.Following {
		return follows.EXPECT().Following(gomock.Any(), memberID, page)
	}
	return follows.EXPECT().Followers(gomock.Any(), memberID, page)
}

func TestListFollowsPagesWithTheirCursor(t *testing.T) {
	for _, direction := range []application.FollowDirection{application.Followers, application.Following} {
		t.Run(string(direction), func(t *testing.T) {
			follows := mock.NewMockFollowStore(gomock.NewController(t))
			uc := application.NewListFollows(follows)
			first := mustPage(t, 1, 2)
			items := []application.MemberRef{tradeMemberRef(annID), tradeMemberRef(carlID)}
			expectFollowList(follows, direction, bobID, first).Return(application.StoredPage[application.MemberRef]{
				Items: items, Next: application.Keyset{fixedTestNow.UnixMicro(), carlID}, Total: application.Total{Count: 3},
			}, nil)

			page1, err := uc.Execute(context.Background(), bobID, direction, first)
			require.NoError(t, err)
			assert.Equal(t, items, page1.Items)
			assert.Equal(t, 3, page1.TotalItems)
			require.NotEmpty(t, page1.NextCursor)

			second := mustCursorPage(t, page1.NextCursor, 2)
			expectFollowList(follows, direction, bobID, gomock.Any()).DoAndReturn(
				func(_ context.Context, _ int64, page application.PageRequest) (application.StoredPage[application.MemberRef], error) {
					assert.Equal(t, application.Keyset{fixedTestNow.UnixMicro(), carlID}, page.After())
					return application.StoredPage[application.MemberRef]{Items: []application.MemberRef{tradeMemberRef(aliceID)}}, nil
				})
			page2, err := uc.Execute(context.Background(), bobID, direction, second)
			require.NoError(t, err)
			assert.False(t, page2.HasTotal())
			assert.Empty(t, page2.NextCursor)

			_, err = uc.Execute(context.Background(), annID, direction, second)
			assert.Equal(t, []string{"cursor"}, validationFieldNames(t, err), "a cursor of another member's list")
		})
	}
}

func TestListFollowsCursorOfTheOtherList(t *testing.T) {
	follows := mock.NewMockFollowStore(gomock.NewController(t))
	uc := application.NewListFollows(follows)
	follows.EXPECT().Followers(gomock.Any(), bobID, gomock.Any()).Return(application.StoredPage[application.MemberRef]{
		Items: []application.MemberRef{tradeMemberRef(annID)}, Next: application.Keyset{1, annID},
	}, nil)
	page, err := uc.Execute(context.Background(), bobID, application.Followers, mustPage(t, 1, 1))
	require.NoError(t, err)

	_, err = uc.Execute(context.Background(), bobID, application.Following, mustCursorPage(t, page.NextCursor, 1))

	assert.Equal(t, []string{"cursor"}, validationFieldNames(t, err), "a followers cursor on the following list")
}

func TestListFollowsErrors(t *testing.T) {
	boom := errors.New("boom")
	for _, storeErr := range []error{member.ErrNotFound, boom} {
		follows := mock.NewMockFollowStore(gomock.NewController(t))
		follows.EXPECT().Followers(gomock.Any(), int64(404), gomock.Any()).Return(application.StoredPage[application.MemberRef]{}, storeErr)

		_, err := application.NewListFollows(follows).Execute(context.Background(), 404, application.Followers, mustPage(t, 1, 20))

		assert.ErrorIs(t, err, storeErr)
	}
	_, err := application.NewListFollows(mock.NewMockFollowStore(gomock.NewController(t))).
		Execute(context.Background(), bobID, "fans", mustPage(t, 1, 20))
	assert.Error(t, err)
}
