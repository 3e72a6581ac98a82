package postgres_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
)

func newPurchase(t *testing.T, artID, buyerID, sellerID, price int64, kind purchase.Kind, at time.Time) purchase.Purchase {
	t.Helper()
	p, err := purchase.New(artID, buyerID, sellerID, price, kind, at)
	require.NoError(t, err)
	return p
}

func TestPurchaseStoreCreateAndGet(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPurchaseStore(db)
	ctx := context.Background()
	seller := createMember(t, db, "painter")
	buyer := createMember(t, db, "collector")
	artID := createTestArt(t, db, newTestArt(t, seller, "Harbor", "Boats", art.TypeGeneral, 25_000, []string{"sea", "boats"}, testNow), nil)

	id, err := store.Create(ctx, newPurchase(t, artID, buyer, seller, 25_000, purchase.KindGeneral, testNow.Add(time.Minute)))
	require.NoError(t, err)
	assert.Positive(t, id)

	got, err := store.Get(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, purchase.Restore(id, artID, buyer, seller, 25_000, purchase.KindGeneral, testNow.Add(time.Minute)), got.Purchase)
	assert.Equal(t, application.MemberRef{ID: buyer, Nickname: "collector", School: "Seoul Arts"}, got.Buyer)
	assert.Equal(t, application.MemberRef{ID: seller, Nickname: "painter", School: "Seoul Arts"}, got.Seller)
	assert.Equal(t, artID, got.Art.Art.ID())
	assert.Equal(t, "Harbor", got.Art.Art.Name())
	assert.Equal(t, []string{"sea", "boats"}, got.Art.Art.Hashtags().List())
	assert.Equal(t, seller, got.Art.Owner.ID)
	assert.True(t, got.Art.AuctionEndAt.IsZero())

	_, err = store.Get(ctx, 404)
	require.ErrorIs(t, err, purchase.ErrNotFound)
	assert.NotErrorIs(t, err, sql.ErrNoRows, "no driver error crosses the port")
}

func TestPurchaseStoreCreateRecordsTheLedgerEntriesOfTheSale(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPurchaseStore(db)
	points := postgres.NewPointStore(db)
	ctx := context.Background()
	seller := createMember(t, db, "painter")
	buyer := createMember(t, db, "collector")
	artID := createTestArt(t, db, newTestArt(t, seller, "Harbor", "Boats", art.TypeGeneral, 25_000, []string{"sea"}, testNow), nil)
	at := testNow.Add(time.Minute)

	_, err := store.Create(ctx, newPurchase(t, artID, buyer, seller, 25_000, purchase.KindGeneral, at))
	require.NoError(t, err)

	bought, err := points.History(ctx, buyer, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, []point.LedgerEntry{point.RestoreLedgerEntry(buyer, point.EntryPurchase, 25_000, artID, at)}, bought.Items)
	sold, err := points.History(ctx, seller, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, []point.LedgerEntry{point.RestoreLedgerEntry(seller, point.EntrySale, 25_000, artID, at)}, sold.Items)
}

func TestPurchaseStoreSellsAnArtOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPurchaseStore(db)
	ctx := context.Background()
	seller := createMember(t, db, "painter")
	buyer := createMember(t, db, "collector")
	other := createMember(t, db, "rival")
	artID := createTestArt(t, db, newTestArt(t, seller, "Harbor", "Boats", art.TypeGeneral, 25_000, []string{"sea"}, testNow), nil)
	_, err := store.Create(ctx, newPurchase(t, artID, buyer, seller, 25_000, purchase.KindGeneral, testNow))
	require.NoError(t, err)

	_, err = store.Create(ctx, newPurchase(t, artID, other, seller, 25_000, purchase.KindGeneral, testNow))

	require.ErrorIs(t, err, art.ErrSold)
	assert.Equal(t, 1, countRows(t, db, "purchases", "art_id = ?", artID))
	assert.Zero(t, countRows(t, db, "point_ledger", "member_id = ?", other), "no ledger entry of the refused sale")
}

func TestPurchaseStoreCreateForUnknownArtOrMember(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPurchaseStore(db)
	ctx := context.Background()
	seller := createMember(t, db, "painter")
	buyer := createMember(t, db, "collector")
	artID := createTestArt(t, db, newTestArt(t, seller, "Harbor", "Boats", art.TypeGeneral, 25_000, []string{"sea"}, testNow), nil)

	_, err := store.Create(ctx, newPurchase(t, 404, buyer, seller, 25_000, purchase.KindGeneral, testNow))
	require.ErrorIs(t, err, art.ErrNotFound)
	_, err = store.Create(ctx, newPurchase(t, artID, 404, seller, 25_000, purchase.KindGeneral, testNow))
	require.ErrorIs(t, err, member.ErrNotFound)
	_, err = store.Create(ctx, newPurchase(t, artID, buyer, 404, 25_000, purchase.KindGeneral, testNow))
	require.ErrorIs(t, err, member.ErrNotFound)
}

func TestPurchaseStoreListsByBuyerAndSeller(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPurchaseStore(db)
	auctions := postgres.NewAuctionStore(db)
	ctx := context.Background()
	painter := createMember(t, db, "painter")
	sculptor := createMember(t, db, "sculptor")
	buyer := createMember(t, db, "collector")
	general := func(owner int64, name string) int64 {
		return createTestArt(t, db, newTestArt(t, owner, name, "Work", art.TypeGeneral, 1000, []string{"x"}, testNow), nil)
	}
	a1, a2, a3, a4 := general(painter, "One"), general(painter, "Two"), general(sculptor, "Three"), general(painter, "Four")
	auctionArt, auctionID := createAuctionArt(t, db, painter, "Auctioned", testNow.Add(time.Hour))
	bid(t, auctions, auctionID, buyer, 10_000, testNow)

	p1, err := store.Create(ctx, newPurchase(t, a1, buyer, painter, 1000, purchase.KindGeneral, testNow.Add(1*time.Minute)))
	require.NoError(t, err)
	p2, err := store.Create(ctx, newPurchase(t, a2, buyer, painter, 1000, purchase.KindGeneral, testNow.Add(3*time.Minute)))
	require.NoError(t, err)
	p3, err := store.Create(ctx, newPurchase(t, a3, buyer, sculptor, 1000, purchase.KindGeneral, testNow.Add(2*time.Minute)))
	require.NoError(t, err)
	// Same time as p2: the later id comes first.
	p4, err := store.Create(ctx, newPurchase(t, a4, sculptor, painter, 1000, purchase.KindGeneral, testNow.Add(3*time.Minute)))
	require.NoError(t, err)
	p5, err := store.Create(ctx, newPurchase(t, auctionArt, buyer, painter, 10_000, purchase.KindAuction, testNow.Add(time.Hour)))
	require.NoError(t, err)

	ids := func(items []application.PurchaseView) []int64 {
		out := make([]int64, len(items))
		for i, it := range items {
			out[i] = it.Purchase.ID()
		}
		return out
	}

	bought, err := store.ByBuyer(ctx, buyer, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: 4}, bought.Total)
	assert.Equal(t, []int64{p5, p2, p3, p1}, ids(bought.Items))
	assert.Equal(t, purchase.KindAuction, bought.Items[0].Purchase.Kind())
	assert.Equal(t, testNow.Add(time.Hour), bought.Items[0].Art.AuctionEndAt)
	assert.Equal(t, "sculptor", bought.Items[2].Seller.Nickname)
	assert.Nil(t, bought.Next)

	page1, err := store.ByBuyer(ctx, buyer, mustPage(t, 1, 3))
	require.NoError(t, err)
	assert.Equal(t, []int64{p5, p2, p3}, ids(page1.Items))
	page2, err := store.ByBuyer(ctx, buyer, mustPage(t, 2, 3))
	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: 4}, page2.Total)
	assert.Equal(t, []int64{p1}, ids(page2.Items))
	byCursor, err := store.ByBuyer(ctx, buyer, afterPage(t, page1.Next, 3))
	require.NoError(t, err)
	assert.Equal(t, []int64{p1}, ids(byCursor.Items), "the page after the cursor is page 2")
	assert.Nil(t, byCursor.Next)

	sold, err := store.BySeller(ctx, painter, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: 4}, sold.Total)
	assert.Equal(t, []int64{p5, p4, p2, p1}, ids(sold.Items))
	assert.Equal(t, "sculptor", sold.Items[1].Buyer.Nickname)

	// p2 and p4 share a time: the cursor after p4 still finds p2.
	soldFirst, err := store.BySeller(ctx, painter, mustPage(t, 1, 2))
	require.NoError(t, err)
	soldRest, err := store.BySeller(ctx, painter, afterPage(t, soldFirst.Next, 2))
	require.NoError(t, err)
	assert.Equal(t, []int64{p2, p1}, ids(soldRest.Items))

	none, err := store.BySeller(ctx, buyer, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Zero(t, none.Total)
	assert.Empty(t, none.Items)

	past, err := store.BySeller(ctx, painter, mustPage(t, 3, 2))
	require.NoError(t, err)
	assert.Empty(t, past.Items)
	assert.Equal(t, application.Total{Count: 4}, past.Total, "past the last page, the total still")

	_, err = store.BySeller(ctx, painter, afterPage(t, application.Keyset{1}, 2))
	assert.ErrorIs(t, err, application.ErrInvalidCursor, "a purchase keyset is a time and an id")
}
