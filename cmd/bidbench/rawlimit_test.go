package main

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres/invariant"
)

// The raw limit's bidders run the service's statements and rules: bids are
// accepted, refused and stored as the service would, and every invariant holds.
func TestRawBiddersBidAsTheServiceDoes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := newTestDatabase(ctx, t)
	f, err := insertFixture(ctx, conn, 2, 1)
	require.NoError(t, err)
	require.NoError(t, chargeDirectly(ctx, conn, []int64{f.bidders[0].id, f.bidders[1].id}, 5000))
	target, err := connectRawBidders(ctx, dsn, f)
	require.NoError(t, err)
	t.Cleanup(func() { target.close(ctx) })
	ann, bob := target.bidders[0], target.bidders[1]
	auctionID := f.hot.ID

	first := ann.bid(ctx, auctionID, startPrice)
	again := ann.bid(ctx, auctionID, startPrice+5)
	tooLow := bob.bid(ctx, auctionID, startPrice)
	outbid := bob.bid(ctx, auctionID, startPrice+1)
	short := ann.bid(ctx, auctionID, 6000)

	require.NoError(t, first.err)
	assert.Equal(t, http.StatusCreated, first.status)
	assert.Positive(t, first.bidID)
	assert.Equal(t, bidResult{code: "ALREADY_HIGHEST_BIDDER", status: http.StatusConflict}, again)
	assert.Equal(t, bidResult{code: codeBidTooLow, status: http.StatusUnprocessableEntity, minNextBid: startPrice + 1}, tooLow)
	require.NoError(t, outbid.err)
	assert.Greater(t, outbid.bidID, first.bidID)
	assert.Equal(t, bidResult{code: codeInsufficientPoints, status: http.StatusConflict}, short)

	accepted := []invariant.Bid{
		{AuctionID: auctionID, BidderID: ann.id, Amount: startPrice, ID: first.bidID},
		{AuctionID: auctionID, BidderID: bob.id, Amount: startPrice + 1, ID: outbid.bidID},
	}
	broken, err := checkDatabase(ctx, dsn, accepted, f)
	require.NoError(t, err)
	assert.Empty(t, broken)
	var held, mails int64
	require.NoError(t, conn.QueryRow(ctx, "SELECT points_total - points_available FROM members WHERE id = $1", bob.id).Scan(&held))
	require.NoError(t, conn.QueryRow(ctx, "SELECT count(*) FROM mail_outbox WHERE subject = 'You have been outbid'").Scan(&mails))
	assert.Equal(t, int64(startPrice+1), held, "bob's bid is held")
	assert.Equal(t, int64(1), mails, "ann was told she was outbid")
}
