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

func TestListFeedPagesWithItsCursor(t *testing.T) {
	follows := mock.NewMockFollowStore(gomock.NewController(t))
	uc := application.NewListFeed(follows)
	first := mustPage(t, 1, 1)
	items := []application.ArtSummary{storedArtDetail().ArtSummary}
	follows.EXPECT().Feed(gomock.Any(), aliceID, first).Return(application.StoredPage[application.ArtSummary]{
		Items: items, Next: application.Keyset{fixedTestNow.UnixMicro(), 42}, Total: application.Total{Count: 2},
	}, nil)

	page1, err := uc.Execute(context.Background(), aliceID, first)
	require.NoError(t, err)
	assert.Equal(t, items, page1.Items)
	assert.Equal(t, 2, page1.TotalItems)
	require.NotEmpty(t, page1.NextCursor)

	second := mustCursorPage(t, page1.NextCursor, 1)
	follows.EXPECT().Feed(gomock.Any(), aliceID, gomock.Any()).DoAndReturn(
		func(_ context.Context, _ int64, page application.PageRequest) (application.StoredPage[application.ArtSummary], error) {
			assert.Equal(t, application.Keyset{fixedTestNow.UnixMicro(), 42}, page.After())
			return application.StoredPage[application.ArtSummary]{Items: []application.ArtSummary{}}, nil
		})
	page2, err := uc.Execute(context.Background(), aliceID, second)
	require.NoError(t, err)
	assert.False(t, page2.HasTotal())
	assert.Empty(t, page2.NextCursor)

	_, err = uc.Execute(context.Background(), bobID, second)
	assert.Equal(t, []string{"cursor"}, validationFieldNames(t, err), "another member's feed cursor")
}

func TestListFeedFailure(t *testing.T) {
	follows := mock.NewMockFollowStore(gomock.NewController(t))
	boom := errors.New("boom")
	follows.EXPECT().Feed(gomock.Any(), aliceID, gomock.Any()).Return(application.StoredPage[application.ArtSummary]{}, boom)

	_, err := application.NewListFeed(follows).Execute(context.Background(), aliceID, mustPage(t, 1, 20))

	require.ErrorIs(t, err, boom)
}
