package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/member"
)

func TestArtStoreCreateAndReadAGeneralArt(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	a := newTestArt(t, owner, "Harbor", "Boats at dawn", art.TypeGeneral, 25_000, []string{"Sea", "#boats", "dawn"}, testNow)

	id, err := store.Create(ctx, a, nil)
	require.NoError(t, err)
	assert.Positive(t, id)

	got, err := store.ByID(ctx, id)
	require.NoError(t, err)
	want := art.Restore(art.Record{
		ID: id, OwnerID: owner, Name: "Harbor", Description: "Boats at dawn", Type: art.TypeGeneral,
		Price: 25_000, CurrentPrice: 25_000, Hashtags: []string{"sea", "boats", "dawn"},
		Image:  art.RestoreImage("images/Harbor.png", art.FormatPNG, 640, 480, 12345, "etag-Harbor"),
		Status: art.StatusOnSale, CreatedAt: testNow,
	})
	assert.Equal(t, want, got)

	detail, err := store.Detail(ctx, id, 0)
	require.NoError(t, err)
	assert.Equal(t, want, detail.Art)
	assert.Equal(t, owner, detail.Owner.ID)
	assert.Equal(t, "painter", detail.Owner.Nickname)
	assert.Equal(t, "Seoul Arts", detail.Owner.School)
	assert.True(t, detail.AuctionEndAt.IsZero())
	assert.Nil(t, detail.Auction)
	assert.Nil(t, detail.HighestBidder)
	assert.Nil(t, detail.Liked, "an anonymous viewer")
}

func TestArtStoreCreateAndReadAnAuctionArt(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	likes := postgres.NewLikeStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	bidder := createMember(t, db, "bidder")
	viewer := createMember(t, db, "viewer")
	start, end := testNow.Add(-time.Hour), testNow.Add(24*time.Hour)
	a := newTestArt(t, owner, "Storm", "Grey sky", art.TypeAuction, 10_000, []string{"sky", "grey"}, testNow)
	buyNow, increment, reserve := int64(50_000), int64(500), int64(20_000)
	terms, err := auction.NewTerms(auction.TermsInput{StartAt: &start, EndAt: &end, StartPrice: 10_000,
		BuyNowPrice: &buyNow, BidIncrement: &increment, ReservePrice: &reserve}, start)
	require.NoError(t, err)

	// Created in the caller's transaction: a rollback leaves nothing behind.
	tx := postgres.NewTransactor(db)
	errRollback := assert.AnError
	err = tx.WithinTx(ctx, func(ctx context.Context) error {
		_, err := store.Create(ctx, a, auction.New(terms))
		require.NoError(t, err)
		return errRollback
	})
	require.ErrorIs(t, err, errRollback)
	assert.Zero(t, countRows(t, db, "arts", "TRUE"))
	assert.Zero(t, countRows(t, db, "auctions", "TRUE"))
	assert.Zero(t, countRows(t, db, "art_hashtags", "TRUE"))

	var id int64
	require.NoError(t, tx.WithinTx(ctx, func(ctx context.Context) error {
		id, err = store.Create(ctx, a, auction.New(terms))
		return err
	}))
	placeBid(t, db, id, bidder, 12_000, 3)
	require.NoError(t, likes.Like(ctx, viewer, id, testNow))

	detail, err := store.Detail(ctx, id, viewer)
	require.NoError(t, err)
	assert.Equal(t, []string{"sky", "grey"}, detail.Art.Hashtags().List())
	assert.Equal(t, int64(12_000), detail.Art.CurrentPrice())
	assert.Equal(t, int64(3), detail.Art.BidCount())
	assert.Equal(t, int64(1), detail.Art.LikeCount())
	assert.True(t, end.Equal(detail.AuctionEndAt))
	require.NotNil(t, detail.Auction)
	wantAuction := auction.Restore(auction.Record{
		ID: detail.Auction.ID(), ArtID: id, StartAt: start, EndAt: end, StartPrice: 10_000, BuyNowPrice: 50_000,
		BidIncrement: 500, ReservePrice: 20_000, Status: auction.StatusOpen, HighestAmount: 12_000, HighestBidderID: bidder, BidCount: 3,
	})
	assert.Equal(t, wantAuction, detail.Auction)
	assert.Equal(t, int64(12_500), detail.Auction.MinNextBid())
	require.NotNil(t, detail.HighestBidder)
	assert.Equal(t, bidder, detail.HighestBidder.ID)
	assert.Equal(t, "bidder", detail.HighestBidder.Nickname)
	require.NotNil(t, detail.Liked)
	assert.True(t, *detail.Liked)

	detail, err = store.Detail(ctx, id, owner)
	require.NoError(t, err)
	require.NotNil(t, detail.Liked)
	assert.False(t, *detail.Liked)
}

func TestArtStoreAuctionWithoutBuyNowPrice(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	a := newTestArt(t, owner, "Fog", "Soft", art.TypeAuction, 1000, []string{"fog"}, testNow)

	id := createTestArt(t, db, a, newTestAuction(testNow, testNow.Add(time.Hour), 1000, 0))

	detail, err := store.Detail(ctx, id, 0)
	require.NoError(t, err)
	require.NotNil(t, detail.Auction)
	assert.Zero(t, detail.Auction.Terms().BuyNowPrice())
	assert.Zero(t, detail.Auction.Terms().ReservePrice())
	assert.Nil(t, detail.HighestBidder)
	assert.Equal(t, 1, countRows(t, db, "auctions", "art_id = ? AND buy_now_price IS NULL AND reserve_price IS NULL", id))
}

func TestArtStoreCreateForAnUnknownOwner(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)

	_, err := postgres.NewArtStore(db).Create(context.Background(),
		newTestArt(t, 404, "Lost", "Nobody's", art.TypeGeneral, 1000, []string{"x"}, testNow), nil)

	assert.ErrorIs(t, err, member.ErrNotFound)
}

func TestArtStoreMissingArt(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	ctx := context.Background()

	_, err := store.ByID(ctx, 404)
	require.ErrorIs(t, err, art.ErrNotFound)
	_, err = store.Detail(ctx, 404, 1)
	require.ErrorIs(t, err, art.ErrNotFound)
	err = store.Update(ctx, art.Restore(art.Record{ID: 404, Name: "x", Description: "y", Hashtags: []string{"z"}}))
	require.ErrorIs(t, err, art.ErrNotFound)
	require.ErrorIs(t, store.Delete(ctx, 404), art.ErrNotFound)
}

func TestArtStoreUpdateReplacesNameDescriptionAndHashtags(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	id := createTestArt(t, db, newTestArt(t, owner, "Old", "Old text", art.TypeGeneral, 1000, []string{"a", "b", "c"}, testNow), nil)
	a, err := store.ByID(ctx, id)
	require.NoError(t, err)
	name, description := "New", "New text"
	require.NoError(t, a.Edit(owner, art.Change{Name: &name, Description: &description, Hashtags: []string{"c", "z", "a"}, HasHashtags: true}))

	require.NoError(t, store.Update(ctx, a))

	got, err := store.ByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "New", got.Name())
	assert.Equal(t, "New text", got.Description())
	assert.Equal(t, []string{"c", "z", "a"}, got.Hashtags().List(), "the new list in its order")
	assert.Equal(t, 1, countRows(t, db, "arts", "id = ? AND updated_at > created_at", id))
}

func TestArtStoreRefusesToChangeASoldArt(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	id := createTestArt(t, db, newTestArt(t, owner, "Sold", "Gone", art.TypeGeneral, 1000, []string{"a"}, testNow), nil)
	a, err := store.ByID(ctx, id)
	require.NoError(t, err)
	// Sold between the read and the write.
	_, err = db.ExecContext(ctx, "UPDATE arts SET status = 'sold' WHERE id = ?", id)
	require.NoError(t, err)
	name := "Renamed"
	require.NoError(t, a.Edit(owner, art.Change{Name: &name, Hashtags: []string{"b"}, HasHashtags: true}))

	require.ErrorIs(t, store.Update(ctx, a), art.ErrSold)
	require.ErrorIs(t, store.Delete(ctx, id), art.ErrSold)

	got, err := store.ByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Sold", got.Name())
	assert.Equal(t, []string{"a"}, got.Hashtags().List(), "hashtags untouched")
}

func TestArtStoreRefusesToDeleteAnAuctionWithBids(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	bidder := createMember(t, db, "bidder")
	a := newTestArt(t, owner, "Bid", "On", art.TypeAuction, 1000, []string{"a"}, testNow)
	id := createTestArt(t, db, a, newTestAuction(testNow, testNow.Add(time.Hour), 1000, 0))
	placeBid(t, db, id, bidder, 1000, 1)

	require.ErrorIs(t, store.Delete(ctx, id), art.ErrAuctionHasBids)

	assert.Equal(t, 1, countRows(t, db, "arts", "id = ?", id))
	// Edits stay allowed (the OpenAPI document).
	b, err := store.ByID(ctx, id)
	require.NoError(t, err)
	require.NoError(t, store.Update(ctx, b))
}

func TestArtStoreDeleteRemovesHashtagsLikesAndAuction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	fan := createMember(t, db, "fan")
	a := newTestArt(t, owner, "Brief", "Soon gone", art.TypeAuction, 1000, []string{"a", "b"}, testNow)
	id := createTestArt(t, db, a, newTestAuction(testNow, testNow.Add(time.Hour), 1000, 0))
	kept := createTestArt(t, db, newTestArt(t, owner, "Kept", "Stays", art.TypeGeneral, 1000, []string{"a"}, testNow), nil)
	require.NoError(t, postgres.NewLikeStore(db).Like(ctx, fan, id, testNow))
	require.NoError(t, postgres.NewLikeStore(db).Like(ctx, fan, kept, testNow))

	require.NoError(t, store.Delete(ctx, id))

	for _, table := range []string{"arts", "art_hashtags", "art_likes", "auctions"} {
		column := "art_id"
		if table == "arts" {
			column = "id"
		}
		assert.Zero(t, countRows(t, db, table, column+" = ?", id), table)
	}
	assert.Equal(t, 1, countRows(t, db, "art_hashtags", "art_id = ?", kept))
	assert.Equal(t, 1, countRows(t, db, "art_likes", "art_id = ?", kept))
	require.ErrorIs(t, store.Delete(ctx, id), art.ErrNotFound)
}
