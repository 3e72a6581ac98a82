package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

func TestArtSalesMarkSold(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	sales := postgres.NewArtSales(db)
	arts := postgres.NewArtStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	id := createTestArt(t, db, newTestArt(t, owner, "Harbor", "Boats", art.TypeGeneral, 25_000, []string{"sea"}, testNow), nil)

	require.NoError(t, sales.MarkSold(ctx, id, 25_000))

	got, err := arts.ByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, art.StatusSold, got.Status())
	assert.Equal(t, int64(25_000), got.CurrentPrice())
	require.ErrorIs(t, sales.MarkSold(ctx, id, 25_000), art.ErrSold, "sold once")
	require.ErrorIs(t, sales.MarkUnsold(ctx, id), art.ErrSold)
	got, err = arts.ByID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, art.StatusSold, got.Status(), "unchanged")
}

func TestArtSalesMarkSoldSetsTheAuctionPrice(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	owner := createMember(t, db, "painter")
	artID, _ := createAuctionArt(t, db, owner, "Storm", testNow)

	require.NoError(t, postgres.NewArtSales(db).MarkSold(context.Background(), artID, 50_000))

	assert.Equal(t, 1, countRows(t, db, "arts", "id = ? AND status = 'sold' AND current_price = 50000", artID))
}

func TestArtSalesMarkUnsold(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	sales := postgres.NewArtSales(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	artID, _ := createAuctionArt(t, db, owner, "Storm", testNow)

	require.NoError(t, sales.MarkUnsold(ctx, artID))

	assert.Equal(t, 1, countRows(t, db, "arts", "id = ? AND status = 'unsold' AND current_price = 10000", artID))
	require.ErrorIs(t, sales.MarkUnsold(ctx, artID), art.ErrSold, "no longer on sale")
	require.ErrorIs(t, sales.MarkSold(ctx, artID, 10_000), art.ErrSold)
}

func TestArtSalesOfAMissingArt(t *testing.T) {
	t.Parallel()
	sales := postgres.NewArtSales(pgtest.NewDB(t))
	ctx := context.Background()

	require.ErrorIs(t, sales.MarkSold(ctx, 404, 1000), art.ErrNotFound)
	require.ErrorIs(t, sales.MarkUnsold(ctx, 404), art.ErrNotFound)
	require.Error(t, sales.MarkSold(ctx, 404, 0))
}

func TestArtSalesGet(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	sales := postgres.NewArtSales(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	general := createTestArt(t, db, newTestArt(t, owner, "Harbor", "Boats", art.TypeGeneral, 25_000, []string{"sea", "boats"}, testNow), nil)
	end := testNow.Add(time.Hour)
	auctioned, _ := createAuctionArt(t, db, owner, "Storm", end)

	got, err := sales.Get(ctx, general)

	require.NoError(t, err)
	want, err := postgres.NewArtStore(db).ByID(ctx, general)
	require.NoError(t, err)
	assert.Equal(t, want, got.Art)
	assert.Equal(t, []string{"sea", "boats"}, got.Art.Hashtags().List())
	assert.Equal(t, application.MemberRef{ID: owner, Nickname: "painter", School: "Seoul Arts"}, got.Owner)
	assert.True(t, got.AuctionEndAt.IsZero(), "a general art has no auction")

	got, err = sales.Get(ctx, auctioned)
	require.NoError(t, err)
	assert.Equal(t, art.TypeAuction, got.Art.Type())
	assert.Equal(t, end, got.AuctionEndAt)

	_, err = sales.Get(ctx, 404)
	require.ErrorIs(t, err, art.ErrNotFound)
}
