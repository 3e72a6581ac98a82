package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
)

// newTestArt builds an unsaved art listed at createdAt.
func newTestArt(t testing.TB, ownerID int64, name, description string, typ art.Type, price int64, tags []string, createdAt time.Time) *art.Art {
	t.Helper()
	d, err := art.NewDraft(name, description, string(typ), price, tags)
	require.NoError(t, err)
	img, err := art.NewImage("images/"+name+".png", art.FormatPNG, 640, 480, 12345, fmt.Sprintf("etag-%s", name))
	require.NoError(t, err)
	return art.New(ownerID, d, img, createdAt)
}

// newTestAuction builds an open auction without bids running from start to end.
func newTestAuction(start, end time.Time, startPrice, buyNow int64) *auction.Auction {
	return auction.Restore(auction.Record{
		StartAt: start.UTC(), EndAt: end.UTC(), StartPrice: startPrice, BuyNowPrice: buyNow,
		BidIncrement: 100, Status: auction.StatusOpen,
	})
}

// createTestArt saves an art (and its auction when au is not nil) and returns its id.
func createTestArt(t testing.TB, db *bun.DB, a *art.Art, au *auction.Auction) int64 {
	t.Helper()
	id, err := postgres.NewArtStore(db).Create(context.Background(), a, au)
	require.NoError(t, err)
	return id
}

// placeBid sets an auction's highest bid directly, as the bid flow would.
func placeBid(t *testing.T, db *bun.DB, artID, bidderID, amount, bidCount int64) {
	t.Helper()
	ctx := context.Background()
	_, err := db.ExecContext(ctx, `UPDATE auctions SET highest_amount = ?, highest_bidder_id = ?, bid_count = ? WHERE art_id = ?`,
		amount, bidderID, bidCount, artID)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `UPDATE arts SET current_price = ?, bid_count = ? WHERE id = ?`, amount, bidCount, artID)
	require.NoError(t, err)
}

// mustPage builds a page request.
func mustPage(t *testing.T, number, size int) application.PageRequest {
	t.Helper()
	p, err := application.NewPageRequest(number, size)
	require.NoError(t, err)
	return p
}

// afterPage is the request for the page of size after keyset.
func afterPage(t *testing.T, after application.Keyset, size int) application.PageRequest {
	t.Helper()
	p, err := application.NewPageAfter(after, size)
	require.NoError(t, err)
	return p
}

// summaryIDs lists the art ids of a page in order.
func summaryIDs(items []application.ArtSummary) []int64 {
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.Art.ID()
	}
	return ids
}
