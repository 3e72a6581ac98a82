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
	"github.com/artauction/artauction/domain/auction"
)

func TestListAuctionBidsReturnsOnePageWithTheTotal(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	request := mustPage(t, 2, 10)
	bids := []application.BidEntry{
		{ID: 13, AuctionID: 5, Amount: 2200, Bidder: application.MemberRef{ID: bobID, Nickname: "bob"}, CreatedAt: fixedTestNow},
		{ID: 12, AuctionID: 5, Amount: 2100, Bidder: application.MemberRef{ID: annID, Nickname: "ann"}, CreatedAt: fixedTestNow.Add(-1)},
	}
	auctions.EXPECT().Bids(gomock.Any(), int64(5), request).Return(
		application.StoredPage[application.BidEntry]{Items: bids, Total: application.Total{Count: 21}}, nil)

	page, err := application.NewListAuctionBids(auctions).Execute(context.Background(), 5, request)

	require.NoError(t, err)
	assert.Equal(t, bids, page.Items)
	assert.Equal(t, request, page.Request)
	assert.Equal(t, 21, page.TotalItems)
	assert.Equal(t, 3, page.TotalPages())
}

func TestListAuctionBidsOfAnAuctionWithoutBids(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	request := mustPage(t, 1, 20)
	auctions.EXPECT().Bids(gomock.Any(), int64(5), request).Return(application.StoredPage[application.BidEntry]{}, nil)

	page, err := application.NewListAuctionBids(auctions).Execute(context.Background(), 5, request)

	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Zero(t, page.TotalPages())
}

func TestListAuctionBidsOfAnUnknownAuction(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	auctions.EXPECT().Bids(gomock.Any(), int64(404), gomock.Any()).Return(application.StoredPage[application.BidEntry]{}, auction.ErrNotFound)

	_, err := application.NewListAuctionBids(auctions).Execute(context.Background(), 404, mustPage(t, 1, 20))

	require.ErrorIs(t, err, auction.ErrNotFound)
}

func TestListAuctionBidsFailure(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	boom := errors.New("boom")
	auctions.EXPECT().Bids(gomock.Any(), int64(5), gomock.Any()).Return(application.StoredPage[application.BidEntry]{}, boom)

	_, err := application.NewListAuctionBids(auctions).Execute(context.Background(), 5, mustPage(t, 1, 20))

	require.ErrorIs(t, err, boom)
}

func TestListAuctionBidsFollowsItsNextCursor(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	first := mustPage(t, 1, 2)
	auctions.EXPECT().Bids(gomock.Any(), int64(5), first).Return(application.StoredPage[application.BidEntry]{
		Items: []application.BidEntry{{ID: 13}, {ID: 12}}, Next: application.Keyset{12}, Total: application.Total{Count: 3},
	}, nil)
	uc := application.NewListAuctionBids(auctions)
	page1, err := uc.Execute(context.Background(), 5, first)
	require.NoError(t, err)
	require.NotEmpty(t, page1.NextCursor)

	second := mustCursorPage(t, page1.NextCursor, 2)
	auctions.EXPECT().Bids(gomock.Any(), int64(5), gomock.Any()).DoAndReturn(
		func(_ context.Context, _ int64, page application.PageRequest) (application.StoredPage[application.BidEntry], error) {
			assert.Equal(t, application.Keyset{12}, page.After(), "the store starts after the last bid of page 1")
			return application.StoredPage[application.BidEntry]{Items: []application.BidEntry{{ID: 11}}}, nil
		})
	page2, err := uc.Execute(context.Background(), 5, second)

	require.NoError(t, err)
	assert.Equal(t, 2, page2.Request.Number())
	assert.False(t, page2.HasTotal())
	assert.Empty(t, page2.NextCursor, "the last page")

	_, err = uc.Execute(context.Background(), 6, second)
	assert.Equal(t, []string{"cursor"}, validationFieldNames(t, err), "a cursor of another auction's bids")
}
