package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/invariant"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/member"
)

// follow makes follower follow followee at testNow plus offset.
func follow(t *testing.T, store *postgres.FollowStore, follower, followee int64, offset time.Duration) {
	t.Helper()
	require.NoError(t, store.Follow(context.Background(), follower, followee, testNow.Add(offset)))
}

// listArt lists a general art of owner at testNow plus offset.
func listArt(t *testing.T, db *bun.DB, owner int64, name string, offset time.Duration) int64 {
	t.Helper()
	return createTestArt(t, db, newTestArt(t, owner, name, "A work", art.TypeGeneral, 1000, []string{"feed"}, testNow.Add(offset)), nil)
}

// insertMembers adds n members straight into the database and returns their ids.
func insertMembers(t *testing.T, db *bun.DB, prefix string, n int) []int64 {
	t.Helper()
	var ids []int64
	err := db.NewRaw(`INSERT INTO members (email, password_hash, nickname, name, created_at)
SELECT ? || g || '@example.com', 'hash', ? || g, 'Member', now() FROM generate_series(1, ?) AS g ORDER BY g RETURNING id`,
		prefix, prefix, n).Scan(context.Background(), &ids)
	require.NoError(t, err)
	return ids
}

func refIDs(items []application.MemberRef) []int64 {
	ids := make([]int64, 0, len(items))
	for _, m := range items {
		ids = append(ids, m.ID)
	}
	return ids
}

// checkCounters runs the invariant checks and fails on what they say of the
// member counters (these tests sell arts without the trades around a sale).
func checkCounters(t *testing.T, db *bun.DB) {
	t.Helper()
	broken, err := invariant.Check(context.Background(), db.DB)
	require.NoError(t, err)
	for _, line := range broken {
		assert.NotContains(t, line, "member counters")
	}
}

func TestFollowStorePageCountsWorksSalesAndFollows(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewFollowStore(db)
	ctx := context.Background()
	artist := createMember(t, db, "artist")
	fan := createMember(t, db, "fan")
	other := createMember(t, db, "other")

	page, err := store.Page(ctx, artist, 0)
	require.NoError(t, err)
	assert.Equal(t, application.MemberPage{Member: application.MemberRef{ID: artist, Nickname: "artist", School: "Seoul Arts"},
		CreatedAt: testNow}, page,
		"a member with nothing yet: zero counts, and no followed for an anonymous viewer")

	sold := listArt(t, db, artist, "sold", 0)
	unsold := listArt(t, db, artist, "unsold", time.Second)
	listArt(t, db, artist, "onsale", 2*time.Second)
	deleted := listArt(t, db, artist, "deleted", 3*time.Second)
	listArt(t, db, other, "elsewhere", 0)
	sales := postgres.NewArtSales(db)
	require.NoError(t, sales.MarkSold(ctx, sold, 1000))
	require.NoError(t, sales.MarkUnsold(ctx, unsold))
	require.NoError(t, postgres.NewArtStore(db).Delete(ctx, deleted))
	follow(t, store, fan, artist, 0)
	follow(t, store, other, artist, 0)
	follow(t, store, artist, fan, 0)

	page, err = store.Page(ctx, artist, fan)
	require.NoError(t, err)
	assert.Equal(t, application.MemberStats{Arts: 3, Sold: 1, Followers: 2, Following: 1}, page.Stats)
	require.NotNil(t, page.Followed)
	assert.True(t, *page.Followed)

	page, err = store.Page(ctx, fan, artist)
	require.NoError(t, err)
	assert.Equal(t, application.MemberStats{Followers: 1, Following: 1}, page.Stats)
	require.NotNil(t, page.Followed)
	assert.True(t, *page.Followed, "the artist follows the fan back")

	page, err = store.Page(ctx, other, fan)
	require.NoError(t, err)
	assert.Equal(t, application.MemberStats{Arts: 1, Following: 1}, page.Stats)
	require.NotNil(t, page.Followed)
	assert.False(t, *page.Followed)

	_, err = store.Page(ctx, 404_404, fan)
	assert.ErrorIs(t, err, member.ErrNotFound)
	checkCounters(t, db)
}

func TestFollowStoreFollowAndUnfollowAreIdempotent(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewFollowStore(db)
	ctx := context.Background()
	artist := createMember(t, db, "artist")
	fan := createMember(t, db, "fan")

	follow(t, store, fan, artist, 0)
	follow(t, store, fan, artist, time.Hour)
	assert.Equal(t, 1, countRows(t, db, "follows", "follower_id = ? AND followee_id = ?", fan, artist))
	var at time.Time
	require.NoError(t, db.NewRaw("SELECT created_at FROM follows WHERE follower_id = ?", fan).Scan(ctx, &at))
	assert.True(t, testNow.Equal(at), "following again keeps the first follow's time, %s", at)
	page, err := store.Page(ctx, artist, 0)
	require.NoError(t, err)
	assert.Equal(t, int64(1), page.Stats.Followers)

	require.NoError(t, store.Unfollow(ctx, fan, artist))
	require.NoError(t, store.Unfollow(ctx, fan, artist), "unfollowing again is no error")
	assert.Zero(t, countRows(t, db, "follows", "TRUE"))
	page, err = store.Page(ctx, artist, fan)
	require.NoError(t, err)
	assert.Equal(t, application.MemberStats{}, page.Stats)
	require.NotNil(t, page.Followed)
	assert.False(t, *page.Followed)
	checkCounters(t, db)
}

func TestFollowStoreUnknownMembers(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewFollowStore(db)
	ctx := context.Background()
	fan := createMember(t, db, "fan")

	assert.ErrorIs(t, store.Follow(ctx, fan, 404_404, testNow), member.ErrNotFound)
	assert.ErrorIs(t, store.Unfollow(ctx, fan, 404_404), member.ErrNotFound)
	_, err := store.Followers(ctx, 404_404, mustPage(t, 1, 20))
	assert.ErrorIs(t, err, member.ErrNotFound)
	_, err = store.Following(ctx, 404_404, afterPage(t, application.Keyset{testNow.UnixMicro(), 1}, 20))
	assert.ErrorIs(t, err, member.ErrNotFound)
	assert.Zero(t, countRows(t, db, "follows", "TRUE"))
	assert.Zero(t, countRows(t, db, "member_stats", "TRUE"), "a refused follow counts nothing")
}

func TestFollowStoreFiftyConcurrentFollowsMakeOneRow(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewFollowStore(db)
	artist := createMember(t, db, "artist")
	fan := createMember(t, db, "fan")

	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- store.Follow(context.Background(), fan, artist, testNow.Add(time.Duration(i)*time.Millisecond))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	assert.Equal(t, 1, countRows(t, db, "follows", "TRUE"))
	page, err := postgres.NewFollowStore(db).Page(context.Background(), artist, 0)
	require.NoError(t, err)
	assert.Equal(t, int64(1), page.Stats.Followers)
	checkCounters(t, db)
}

// Members who follow each other at the same moment take both counter rows
// in one order, so none waits for another in a cycle (Postgres would abort
// one with a deadlock error).
func TestFollowStoreFollowsBackAtTheSameTimeNeverDeadlock(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewFollowStore(db)
	ids := insertMembers(t, db, "ring", 8)

	var wg sync.WaitGroup
	errs := make(chan error, len(ids)*len(ids)*2)
	for round := range 2 {
		for _, a := range ids {
			for _, b := range ids {
				if a == b {
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					var err error
					if round == 0 {
						err = store.Follow(context.Background(), a, b, testNow)
					} else {
						err = store.Unfollow(context.Background(), a, b)
					}
					errs <- err
				}()
			}
		}
		wg.Wait()
		if round == 0 {
			assert.Equal(t, len(ids)*(len(ids)-1), countRows(t, db, "follows", "TRUE"))
			checkCounters(t, db)
		}
	}
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Zero(t, countRows(t, db, "follows", "TRUE"))
	checkCounters(t, db)
}

func TestFollowStoreListsTheLatestFollowFirst(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewFollowStore(db)
	ctx := context.Background()
	artist := createMember(t, db, "artist")
	fans := insertMembers(t, db, "fan", 5)
	// fans[0] first, fans[4] last; fans[2] and fans[3] at the same moment.
	for i, offsets := range []time.Duration{0, time.Second, 2 * time.Second, 2 * time.Second, 3 * time.Second} {
		follow(t, store, fans[i], artist, offsets)
	}
	for i, followee := range fans[:3] {
		follow(t, store, artist, followee, time.Duration(i)*time.Minute)
	}
	want := []int64{fans[4], fans[2], fans[3], fans[1], fans[0]}

	first, err := store.Followers(ctx, artist, mustPage(t, 1, 2))
	require.NoError(t, err)
	assert.Equal(t, want[:2], refIDs(first.Items))
	assert.Equal(t, application.Total{Count: 5}, first.Total)
	assert.Equal(t, "fan5", first.Items[0].Nickname)
	require.NotNil(t, first.Next)

	second, err := store.Followers(ctx, artist, afterPage(t, first.Next, 2))
	require.NoError(t, err)
	assert.Equal(t, want[2:4], refIDs(second.Items), "the tie at one moment is split across pages without a gap")
	assert.Zero(t, second.Total)
	third, err := store.Followers(ctx, artist, afterPage(t, second.Next, 2))
	require.NoError(t, err)
	assert.Equal(t, want[4:], refIDs(third.Items))
	assert.Nil(t, third.Next)

	numbered, err := store.Followers(ctx, artist, mustPage(t, 2, 2))
	require.NoError(t, err)
	assert.Equal(t, want[2:4], refIDs(numbered.Items))
	assert.Equal(t, application.Total{Count: 5}, numbered.Total)
	beyond, err := store.Followers(ctx, artist, mustPage(t, 9, 2))
	require.NoError(t, err)
	assert.Empty(t, beyond.Items)
	assert.Equal(t, application.Total{Count: 5}, beyond.Total)

	following, err := store.Following(ctx, artist, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, []int64{fans[2], fans[1], fans[0]}, refIDs(following.Items))
	assert.Equal(t, application.Total{Count: 3}, following.Total)
	assert.Nil(t, following.Next)

	none, err := store.Following(ctx, createMember(t, db, "loner"), mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, []application.MemberRef{}, none.Items)
	assert.Equal(t, application.Total{}, none.Total)

	_, err = store.Followers(ctx, artist, afterPage(t, application.Keyset{1}, 2))
	assert.ErrorIs(t, err, application.ErrInvalidCursor)
}

func TestFollowStoreFeed(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewFollowStore(db)
	ctx := context.Background()
	reader := createMember(t, db, "reader")
	painter := createMember(t, db, "painter")
	potter := createMember(t, db, "potter")
	stranger := createMember(t, db, "stranger")
	old := listArt(t, db, painter, "old", -time.Hour)
	listArt(t, db, stranger, "unfollowed", time.Minute)
	follow(t, store, reader, painter, 0)
	follow(t, store, reader, potter, 0)
	vase := listArt(t, db, potter, "vase", time.Second)
	canvas := listArt(t, db, painter, "canvas", 2*time.Second)
	sameMoment := listArt(t, db, potter, "cup", 2*time.Second)

	first, err := store.Feed(ctx, reader, mustPage(t, 1, 2))
	require.NoError(t, err)
	assert.Equal(t, []int64{sameMoment, canvas}, summaryIDs(first.Items), "newest first, ties by id descending")
	assert.Equal(t, application.Total{Count: 4}, first.Total)
	assert.Equal(t, "potter", first.Items[0].Owner.Nickname)
	rest, err := store.Feed(ctx, reader, afterPage(t, first.Next, 2))
	require.NoError(t, err)
	assert.Equal(t, []int64{vase, old}, summaryIDs(rest.Items), "a work listed before the follow too")
	assert.Nil(t, rest.Next)

	require.NoError(t, store.Unfollow(ctx, reader, painter))
	after, err := store.Feed(ctx, reader, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, []int64{sameMoment, vase}, summaryIDs(after.Items))
	assert.Equal(t, application.Total{Count: 2}, after.Total)

	empty, err := store.Feed(ctx, stranger, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Empty(t, empty.Items)
	assert.Equal(t, application.Total{}, empty.Total)
}

// A member who follows more than a few reads the feed another way (walking
// the newest arts); both ways answer the same pages.
func TestFollowStoreFeedOfAMemberWhoFollowsMany(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewFollowStore(db)
	ctx := context.Background()
	artists := insertMembers(t, db, "artist", 130)
	few, many := createMember(t, db, "few"), createMember(t, db, "many")
	for _, a := range artists[:20] {
		follow(t, store, few, a, 0)
	}
	for _, a := range artists {
		follow(t, store, many, a, 0)
	}
	// Two works each of the first 20 artists, one each of the rest, and works
	// of members nobody follows in between.
	var want []int64
	for i, a := range artists {
		want = append(want, listArt(t, db, a, fmt.Sprintf("w%d", i), time.Duration(i)*time.Second))
		if i < 20 {
			want = append(want, listArt(t, db, a, fmt.Sprintf("x%d", i), time.Duration(i)*time.Second+time.Millisecond))
		}
		listArt(t, db, few, fmt.Sprintf("own%d", i), time.Duration(i)*time.Second)
	}
	newestFirst := func(ids []int64, n int) []int64 {
		var out []int64
		for i := len(ids) - 1; i >= 0 && len(out) < n; i-- {
			out = append(out, ids[i])
		}
		return out
	}

	for _, tc := range []struct {
		name   string
		reader int64
		works  []int64
	}{{"following 20", few, want[:40]}, {"following 130", many, want}} {
		t.Run(tc.name, func(t *testing.T) {
			var got []int64
			page, err := store.Feed(ctx, tc.reader, mustPage(t, 1, 7))
			require.NoError(t, err)
			assert.Equal(t, application.Total{Count: len(tc.works)}, page.Total)
			for {
				got = append(got, summaryIDs(page.Items)...)
				if page.Next == nil {
					break
				}
				page, err = store.Feed(ctx, tc.reader, afterPage(t, page.Next, 7))
				require.NoError(t, err)
			}
			assert.Equal(t, newestFirst(tc.works, len(tc.works)), got, "every page by cursor, no gap, no repeat")

			third, err := store.Feed(ctx, tc.reader, mustPage(t, 3, 7))
			require.NoError(t, err)
			assert.Equal(t, newestFirst(tc.works, 21)[14:], summaryIDs(third.Items), "a numbered page")
		})
	}
}
