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
	gomock.InOrder(
		auctions.EXPECT().Get(gomock.Any(), int64(5)).Return(auctionDetailOf(storedAuction(auctionLedBy(bobID, 2200))), nil),
		auctions.EXPECT().Bids(gomock.Any(), int64(5), request).Return(bids, 21, nil),
	)

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
	auctions.EXPECT().Get(gomock.Any(), int64(5)).Return(auctionDetailOf(storedAuction()), nil)
	auctions.EXPECT().Bids(gomock.Any(), int64(5), request).Return(nil, 0, nil)

	page, err := application.NewListAuctionBids(auctions).Execute(context.Background(), 5, request)

	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Zero(t, page.TotalPages())
}

func TestListAuctionBidsOfAnUnknownAuction(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	auctions.EXPECT().Get(gomock.Any(), int64(404)).Return(application.AuctionDetail{}, auction.ErrNotFound)
	// No Bids call: gomock fails on it.

	_, err := application.NewListAuctionBids(auctions).Execute(context.Background(), 404, mustPage(t, 1, 20))

	require.ErrorIs(t, err, auction.ErrNotFound)
}

func TestListAuctionBidsFailure(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	boom := errors.New("boom")
	auctions.EXPECT().Get(gomock.Any(), int64(5)).Return(auctionDetailOf(storedAuction()), nil)
	auctions.EXPECT().Bids(gomock.Any(), int64(5), gomock.Any()).Return(nil, 0, boom)

	_, err := application.NewListAuctionBids(auctions).Execute(context.Background(), 5, mustPage(t, 1, 20))

	require.ErrorIs(t, err, boom)
}
