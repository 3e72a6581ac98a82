package httpapi

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
)

func TestAuctionMessageFramesEachKind(t *testing.T) {
	end := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	bid := auctionMessage(application.AuctionEvent{Kind: application.EventBid, AuctionID: 7, Amount: 1200, BidderID: 3,
		BidderNickname: "ann", BidCount: 4, EndAt: end, Status: auction.StatusOpen})
	assert.Equal(t, "id: 4\nevent: bid\n"+
		`data: {"auction_id":7,"amount":1200,"bidder":{"id":3,"nickname":"ann"},"bid_count":4,"end_at":"2026-12-01T18:00:00Z"}`+"\n\n",
		bid.String())

	extended := auctionMessage(application.AuctionEvent{Kind: application.EventExtended, AuctionID: 7, BidCount: 4, EndAt: end})
	assert.Equal(t, "event: extended\n"+`data: {"auction_id":7,"end_at":"2026-12-01T18:00:00Z"}`+"\n\n", extended.String())

	failed := auctionMessage(application.AuctionEvent{Kind: application.EventClosed, AuctionID: 7, Status: auction.StatusFailed})
	assert.Equal(t, "event: closed\n"+`data: {"auction_id":7,"status":"failed"}`+"\n\n", failed.String())

	sold := auctionMessage(application.AuctionEvent{Kind: application.EventClosed, AuctionID: 7, Amount: 5000, BidderID: 3,
		BidderNickname: "ann", Status: auction.StatusBoughtOut})
	assert.Equal(t, "event: closed\n"+
		`data: {"auction_id":7,"status":"bought_out","winner":{"id":3,"nickname":"ann"},"amount":5000}`+"\n\n", sold.String())
}

func TestWatcherLimitsPerAddressAndInstance(t *testing.T) {
	limits := newWatcherLimits(3, 2)
	first, err := limits.acquire("10.0.0.1")
	require.NoError(t, err)
	_, err = limits.acquire("10.0.0.1")
	require.NoError(t, err)
	_, err = limits.acquire("10.0.0.1")
	require.ErrorIs(t, err, errTooManyWatchersFromIP)
	_, err = limits.acquire("10.0.0.2")
	require.NoError(t, err)
	_, err = limits.acquire("10.0.0.3")
	require.ErrorIs(t, err, errTooManyWatchers)

	first()
	first()
	_, err = limits.acquire("10.0.0.3")
	require.NoError(t, err, "a released slot is free again, once")
	_, err = limits.acquire("10.0.0.4")
	require.ErrorIs(t, err, errTooManyWatchers)
}
