package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/member"
)

// likeCount reads an art's stored like count.
func likeCount(t *testing.T, db *bun.DB, artID int64) int64 {
	t.Helper()
	var n int64
	require.NoError(t, db.NewSelect().TableExpr("arts").Column("like_count").Where("id = ?", artID).Scan(context.Background(), &n))
	return n
}

func newLikedArt(t *testing.T, db *bun.DB) int64 {
	t.Helper()
	owner := createMember(t, db, "painter")
	return createTestArt(t, db, newTestArt(t, owner, "Liked", "Much", art.TypeGeneral, 1000, []string{"a"}, testNow), nil)
}

func TestLikeStoreLikeAndUnlikeAreIdempotent(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	likes := postgres.NewLikeStore(db)
	ctx := context.Background()
	artID := newLikedArt(t, db)
	fan := createMember(t, db, "fan")

	require.NoError(t, likes.Like(ctx, fan, artID, testNow))
	require.NoError(t, likes.Like(ctx, fan, artID, testNow))
	assert.Equal(t, int64(1), likeCount(t, db, artID))
	assert.Equal(t, 1, countRows(t, db, "art_likes", "art_id = ?", artID))

	require.NoError(t, likes.Unlike(ctx, fan, artID))
	require.NoError(t, likes.Unlike(ctx, fan, artID))
	assert.Zero(t, likeCount(t, db, artID))
	assert.Zero(t, countRows(t, db, "art_likes", "art_id = ?", artID))
}

func TestLikeStoreUnknownArtOrMember(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	likes := postgres.NewLikeStore(db)
	ctx := context.Background()
	artID := newLikedArt(t, db)
	fan := createMember(t, db, "fan")

	require.ErrorIs(t, likes.Like(ctx, fan, 404, testNow), art.ErrNotFound)
	require.ErrorIs(t, likes.Unlike(ctx, fan, 404), art.ErrNotFound)
	require.ErrorIs(t, likes.Like(ctx, 404, artID, testNow), member.ErrNotFound)
	assert.Zero(t, likeCount(t, db, artID))
}

func TestLikeStoreOneMemberLikingConcurrently(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	likes := postgres.NewLikeStore(db)
	artID := newLikedArt(t, db)
	fan := createMember(t, db, "fan")

	runConcurrently(t, 50, func(int) error { return likes.Like(context.Background(), fan, artID, testNow) })

	assert.Equal(t, 1, countRows(t, db, "art_likes", "art_id = ?", artID))
	assert.Equal(t, int64(1), likeCount(t, db, artID))

	runConcurrently(t, 50, func(int) error { return likes.Unlike(context.Background(), fan, artID) })

	assert.Zero(t, countRows(t, db, "art_likes", "art_id = ?", artID))
	assert.Zero(t, likeCount(t, db, artID))
}

func TestLikeStoreManyMembersLikingConcurrently(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	likes := postgres.NewLikeStore(db)
	artID := newLikedArt(t, db)
	fans := make([]int64, 20)
	for i := range fans {
		fans[i] = createMember(t, db, fmt.Sprintf("fan%02d", i))
	}

	runConcurrently(t, 20, func(i int) error { return likes.Like(context.Background(), fans[i], artID, testNow) })

	assert.Equal(t, 20, countRows(t, db, "art_likes", "art_id = ?", artID))
	assert.Equal(t, int64(20), likeCount(t, db, artID))

	// Half unlike while the other half like again.
	runConcurrently(t, 20, func(i int) error {
		if i%2 == 0 {
			return likes.Unlike(context.Background(), fans[i], artID)
		}
		return likes.Like(context.Background(), fans[i], artID, testNow)
	})

	assert.Equal(t, 10, countRows(t, db, "art_likes", "art_id = ?", artID))
	assert.Equal(t, int64(10), likeCount(t, db, artID))
}

// runConcurrently starts n calls of fn at once and requires each to succeed.
func runConcurrently(t *testing.T, n int, fn func(i int) error) {
	t.Helper()
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
	}
}

// The counters the total of /me/likes reads follow likes, unlikes and an
// art's delete, with members liking several arts at once.
func TestMemberLikeTotalsFollowTheLikes(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	likes := postgres.NewLikeStore(db)
	owner := createMember(t, db, "painter")
	arts := make([]int64, 6)
	for i := range arts {
		arts[i] = createTestArt(t, db, newTestArt(t, owner, fmt.Sprintf("Art %d", i), "text", art.TypeGeneral, 1000, []string{"a"}, testNow), nil)
	}
	fans := make([]int64, 5)
	for i := range fans {
		fans[i] = createMember(t, db, fmt.Sprintf("fan%02d", i))
	}

	runConcurrently(t, len(fans)*len(arts), func(i int) error {
		return likes.Like(ctx, fans[i%len(fans)], arts[i/len(fans)], testNow)
	})
	runConcurrently(t, len(fans), func(i int) error { return likes.Unlike(ctx, fans[i], arts[i]) })
	require.NoError(t, postgres.NewArtStore(db).Delete(ctx, arts[5]))

	type total struct {
		MemberID int64 `bun:"member_id"`
		ArtCount int64 `bun:"art_count"`
	}
	var counted, kept []total
	require.NoError(t, db.NewRaw(`SELECT member_id, count(*) AS art_count FROM art_likes GROUP BY 1 ORDER BY 1`).Scan(ctx, &counted))
	require.NoError(t, db.NewRaw(`SELECT member_id, art_count FROM member_like_totals ORDER BY 1`).Scan(ctx, &kept))
	require.Len(t, counted, len(fans))
	for _, c := range counted {
		assert.Equal(t, int64(len(arts)-2), c.ArtCount, "member %d: one unliked, one deleted", c.MemberID)
	}
	assert.Equal(t, counted, kept)
}
