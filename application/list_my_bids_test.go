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

func TestListMyBidsReturnsOnePageWithTheTotal(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	request := mustPage(t, 1, 2)
	rows := []application.MemberBid{
		{Auction: storedAuction(auctionLedBy(bobID, 2100)), Art: application.ArtSummary{Art: storedArt(auctionArtWithBids)}, MyBid: 2100},
		{Auction: storedAuction(auctionNumbered(6, 46), auctionLedBy(bobID, 3000), auctionStatus(auction.StatusClosed)),
			Art: application.ArtSummary{Art: storedArt(auctionArtWithBids, soldArt)}, MyBid: 3000, BuyerID: bobID},
	}
	auctions.EXPECT().MemberBids(gomock.Any(), bobID, request).Return(application.StoredPage[application.MemberBid]{Items: rows, Total: application.Total{Count: 5}}, nil)

	page, err := application.NewListMyBids(auctions).Execute(context.Background(), bobID, request)

	require.NoError(t, err)
	assert.Equal(t, rows, page.Items)
	assert.Equal(t, request, page.Request)
	assert.Equal(t, 5, page.TotalItems)
	assert.Equal(t, 3, page.TotalPages())
	assert.Equal(t, application.StandingLeading, page.Items[0].Standing(bobID))
	assert.Equal(t, application.StandingWon, page.Items[1].Standing(bobID))
}

func TestListMyBidsOfAMemberWhoNeverBid(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	request := mustPage(t, 1, 20)
	auctions.EXPECT().MemberBids(gomock.Any(), annID, request).Return(application.StoredPage[application.MemberBid]{}, nil)

	page, err := application.NewListMyBids(auctions).Execute(context.Background(), annID, request)

	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Zero(t, page.TotalPages())
}

func TestListMyBidsFailure(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	boom := errors.New("boom")
	auctions.EXPECT().MemberBids(gomock.Any(), gomock.Any(), gomock.Any()).Return(application.StoredPage[application.MemberBid]{}, boom)

	_, err := application.NewListMyBids(auctions).Execute(context.Background(), bobID, mustPage(t, 1, 20))

	require.ErrorIs(t, err, boom)
}
