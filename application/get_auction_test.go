package application_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/auction"
)

func TestGetAuctionReturnsTheDetail(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	detail := application.AuctionDetail{
		Auction:       storedAuction(auctionLedBy(bobID, 2100)),
		Art:           application.ArtSummary{Art: storedArt(auctionArtWithBids), Owner: application.MemberRef{ID: aliceID, Nickname: "alice"}},
		HighestBidder: &application.MemberRef{ID: bobID, Nickname: "bob"},
	}
	auctions.EXPECT().Detail(gomock.Any(), int64(5)).Return(detail, nil)

	got, err := application.NewGetAuction(auctions).Execute(context.Background(), 5)

	require.NoError(t, err)
	assert.Equal(t, detail, got)
}

func TestGetAuctionUnknown(t *testing.T) {
	auctions := mock.NewMockAuctionStore(gomock.NewController(t))
	auctions.EXPECT().Detail(gomock.Any(), int64(404)).Return(application.AuctionDetail{}, auction.ErrNotFound)

	got, err := application.NewGetAuction(auctions).Execute(context.Background(), 404)

	require.ErrorIs(t, err, auction.ErrNotFound)
	assert.Equal(t, application.AuctionDetail{}, got)
}
