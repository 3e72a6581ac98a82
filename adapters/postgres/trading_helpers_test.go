package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/point"
)

// richMember saves a member holding points (total and available).
func richMember(t *testing.T, db *bun.DB, nickname string, points int64) int64 {
	t.Helper()
	id := createMember(t, db, nickname)
	if points > 0 {
		_, err := postgres.NewPointStore(db).Charge(context.Background(), id, amount(t, points))
		require.NoError(t, err)
	}
	return id
}

// createAuctionArt saves an auction art of owner running from an hour before
// testNow until end, starting at 10_000 with an increment of 100, and returns
// the art and auction ids.
func createAuctionArt(t *testing.T, db *bun.DB, owner int64, name string, end time.Time) (artID, auctionID int64) {
	t.Helper()
	a := newTestArt(t, owner, name, "An auction art", art.TypeAuction, 10_000, []string{"oil", "blue"}, testNow)
	artID = createTestArt(t, db, a, newTestAuction(testNow.Add(-time.Hour), end, 10_000, 50_000))
	require.NoError(t, db.NewSelect().TableExpr("auctions").Column("id").Where("art_id = ?", artID).
		Scan(context.Background(), &auctionID))
	return artID, auctionID
}

// bid reads the auction, lets the domain accept bidder's amount at at, and saves it.
func bid(t *testing.T, store *postgres.AuctionStore, auctionID, bidderID, amount int64, at time.Time) int64 {
	t.Helper()
	return bidIn(context.Background(), t, store, auctionID, bidderID, amount, at)
}

// bidIn is bid in the transaction ctx carries.
func bidIn(ctx context.Context, t *testing.T, store *postgres.AuctionStore, auctionID, bidderID, amount int64, at time.Time) int64 {
	t.Helper()
	a, owner := readAuction(ctx, t, store, auctionID)
	_, err := a.PlaceBid(auction.Participant{MemberID: bidderID, Available: point.MaxPrice}, owner, amount, at, 0)
	require.NoError(t, err)
	id, err := store.SaveBid(ctx, a, at)
	require.NoError(t, err)
	return id
}

// readAuction reads an auction as a trade does, and its art's owner.
func readAuction(ctx context.Context, t *testing.T, store *postgres.AuctionStore, auctionID int64) (*auction.Auction, int64) {
	t.Helper()
	d, err := store.Get(ctx, auctionID)
	require.NoError(t, err)
	return d.Auction, d.Art.Art.OwnerID()
}

// auctionState is what the auctions and arts tables hold about one auction.
type auctionState struct {
	Status          string `bun:"status"`
	HighestAmount   int64  `bun:"highest_amount"`
	HighestBidderID int64  `bun:"highest_bidder_id"`
	BidCount        int64  `bun:"bid_count"`
	ArtPrice        int64  `bun:"art_price"`
	ArtBidCount     int64  `bun:"art_bid_count"`
	ArtStatus       string `bun:"art_status"`
	Bids            int64  `bun:"bids"`
}

func stateOf(t *testing.T, db *bun.DB, auctionID int64) auctionState {
	t.Helper()
	var s auctionState
	err := db.NewRaw(`SELECT au.status, au.highest_amount, COALESCE(au.highest_bidder_id, 0) AS highest_bidder_id,
			au.bid_count, a.current_price AS art_price, a.bid_count AS art_bid_count, a.status AS art_status,
			(SELECT count(*) FROM bids WHERE auction_id = au.id) AS bids
		FROM auctions AS au JOIN arts AS a ON a.id = au.art_id WHERE au.id = ?`, auctionID).
		Scan(context.Background(), &s)
	require.NoError(t, err)
	return s
}
