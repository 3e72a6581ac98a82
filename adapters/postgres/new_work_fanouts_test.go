package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/clock"
	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/notification"
)

// followAt makes follower follow followee at at, straight in the table.
func followAt(t *testing.T, db *bun.DB, follower, followee int64, at time.Time) {
	t.Helper()
	_, err := db.ExecContext(context.Background(),
		"INSERT INTO follows (follower_id, followee_id, created_at) VALUES (?, ?, ?)", follower, followee, at)
	require.NoError(t, err)
}

// claimIn claims a batch in a transaction of its own and advances it at at.
func claimIn(t *testing.T, db *bun.DB, fanOuts *postgres.NewWorkFanOuts, limit int, at time.Time) (application.NewWorkBatch, bool) {
	t.Helper()
	var b application.NewWorkBatch
	var ok bool
	err := postgres.NewTransactor(db).WithinTx(context.Background(), func(ctx context.Context) error {
		var err error
		if b, ok, err = fanOuts.Claim(ctx, limit); err != nil || !ok {
			return err
		}
		return fanOuts.Advance(ctx, b, at)
	})
	require.NoError(t, err)
	return b, ok
}

func TestNewWorkFanOutsEnqueueOnlyForAnArtistWithFollowers(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	fanOuts := postgres.NewNewWorkFanOuts(db)
	loner, artist, fan := createMember(t, db, "loner"), createMember(t, db, "artist"), createMember(t, db, "fan")
	followAt(t, db, fan, artist, testNow)

	waiting := func() bool {
		t.Helper()
		w, err := fanOuts.Waiting(ctx)
		require.NoError(t, err)
		return w
	}
	require.NoError(t, fanOuts.Enqueue(ctx, listArt(t, db, loner, "Alone", 0), loner, testNow))
	assert.False(t, waiting(), "nobody to tell")
	listed := listArt(t, db, artist, "Followed", 0)
	require.NoError(t, fanOuts.Enqueue(ctx, listed, artist, testNow))
	assert.True(t, waiting())

	assert.Equal(t, 1, countRows(t, db, "new_work_fanouts", "true"))
	assert.Equal(t, 1, countRows(t, db, "new_work_fanouts", "art_id = ? AND artist_id = ?", listed, artist))
}

func TestNewWorkFanOutsWalkEachFollowerOnceTheLatestFollowFirst(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	fanOuts := postgres.NewNewWorkFanOuts(db)
	artist := createMember(t, db, "artist")
	var fans []int64
	for i := range 5 {
		fans = append(fans, createMember(t, db, fmt.Sprintf("fan%d", i)))
	}
	// fan0 followed first; fan2 and fan3 at the same time.
	for i, at := range []time.Duration{0, time.Minute, 2 * time.Minute, 2 * time.Minute, 3 * time.Minute} {
		followAt(t, db, fans[i], artist, testNow.Add(at))
	}
	artID := listArt(t, db, artist, "Dawn", 0)
	require.NoError(t, fanOuts.Enqueue(ctx, artID, artist, testNow))

	first, ok := claimIn(t, db, fanOuts, 2, testNow)
	require.True(t, ok)
	assert.Equal(t, []int64{fans[4], fans[2]}, first.Followers, "the latest follow first, ties by member id")
	assert.Equal(t, artID, first.ArtID)
	assert.Equal(t, artist, first.ArtistID)
	assert.False(t, first.Last)
	// A member who follows during the fan-out followed after the listing: not told.
	latecomer := createMember(t, db, "late")
	followAt(t, db, latecomer, artist, testNow.Add(time.Hour))
	second, _ := claimIn(t, db, fanOuts, 2, testNow)
	assert.Equal(t, []int64{fans[3], fans[1]}, second.Followers, "the tie's other half, then on")
	last, _ := claimIn(t, db, fanOuts, 2, testNow)
	assert.Equal(t, []int64{fans[0]}, last.Followers)
	assert.True(t, last.Last)
	assert.Zero(t, countRows(t, db, "new_work_fanouts", "true"), "the last batch ends the fan-out")
	_, ok = claimIn(t, db, fanOuts, 2, testNow)
	assert.False(t, ok)
}

// An artist followed by 45,000 members has the fan-out of a new work told in
// three parts at once, each to its own third of the followers.
func TestNewWorkFanOutsSplitALargeFollowingIntoParts(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	fanOuts := postgres.NewNewWorkFanOuts(db)
	artist := createMember(t, db, "artist")
	var fans []int64
	for i := range 7 {
		fan := createMember(t, db, fmt.Sprintf("fan%d", i))
		fans = append(fans, fan)
		followAt(t, db, fan, artist, testNow.Add(time.Duration(i)*time.Second))
	}
	// The counter the parts are sized by, as if the following were that large.
	_, err := db.ExecContext(ctx, "UPDATE member_stats SET follower_count = 45000 WHERE member_id = ?", artist)
	require.NoError(t, err)
	artID := listArt(t, db, artist, "Crowd", 0)
	require.NoError(t, fanOuts.Enqueue(ctx, artID, artist, testNow))
	assert.Equal(t, 3, countRows(t, db, "new_work_fanouts", "art_id = ? AND parts = 3", artID))

	// Three workers hold the three parts at once.
	told := map[int][]int64{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	claimed := make(chan struct{}, 3)
	allClaimed := make(chan struct{})
	for range 3 {
		wg.Go(func() {
			err := postgres.NewTransactor(db).WithinTx(ctx, func(ctx context.Context) error {
				b, ok, err := fanOuts.Claim(ctx, 10)
				if err != nil || !ok {
					return fmt.Errorf("claimed %t: %w", ok, err)
				}
				claimed <- struct{}{}
				<-allClaimed
				mu.Lock()
				told[b.Part] = b.Followers
				mu.Unlock()
				return fanOuts.Advance(ctx, b, testNow)
			})
			assert.NoError(t, err)
		})
	}
	for range 3 {
		<-claimed
	}
	close(allClaimed)
	wg.Wait()

	var all []int64
	for part, followers := range told {
		for _, f := range followers {
			assert.Equal(t, int64(part), f%3, "member %d is in part %d", f, f%3)
		}
		all = append(all, followers...)
	}
	assert.ElementsMatch(t, fans, all, "each follower in one part")
	assert.Zero(t, countRows(t, db, "new_work_fanouts", "true"))
}

func TestNewWorkFanOutsTakeTurnsAndSkipWhatAnotherInstanceHolds(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	fanOuts := postgres.NewNewWorkFanOuts(db)
	big, small := createMember(t, db, "big"), createMember(t, db, "small")
	for i := range 4 {
		followAt(t, db, createMember(t, db, fmt.Sprintf("fan%d", i)), big, testNow)
	}
	followAt(t, db, createMember(t, db, "fan9"), small, testNow)
	bigArt, smallArt := listArt(t, db, big, "Big", 0), listArt(t, db, small, "Small", 0)
	require.NoError(t, fanOuts.Enqueue(ctx, bigArt, big, testNow))
	require.NoError(t, fanOuts.Enqueue(ctx, smallArt, small, testNow.Add(time.Second)))

	// While one instance holds the big fan-out, another claims the small one.
	held := make(chan struct{})
	release := make(chan struct{})
	done := make(chan error)
	go func() {
		done <- postgres.NewTransactor(db).WithinTx(ctx, func(ctx context.Context) error {
			b, ok, err := fanOuts.Claim(ctx, 2)
			if err != nil || !ok || b.ArtID != bigArt {
				return fmt.Errorf("claimed %+v, %t, %w", b, ok, err)
			}
			close(held)
			<-release
			return fanOuts.Advance(ctx, b, testNow.Add(time.Minute))
		})
	}()
	<-held
	other, ok := claimIn(t, db, fanOuts, 2, testNow.Add(time.Minute))
	require.True(t, ok)
	assert.Equal(t, smallArt, other.ArtID, "skipped the held one")
	close(release)
	require.NoError(t, <-done)

	// The big one's next batch waits its turn behind others that came before it moved.
	require.NoError(t, fanOuts.Enqueue(ctx, listArt(t, db, small, "Small again", 0), small, testNow.Add(30*time.Second)))
	next, _ := claimIn(t, db, fanOuts, 2, testNow.Add(2*time.Minute))
	assert.NotEqual(t, bigArt, next.ArtID)
	next, _ = claimIn(t, db, fanOuts, 2, testNow.Add(2*time.Minute))
	assert.Equal(t, bigArt, next.ArtID)
}

func TestNewWorkFanOutEndsWithItsArt(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	fanOuts := postgres.NewNewWorkFanOuts(db)
	artist := createMember(t, db, "artist")
	followAt(t, db, createMember(t, db, "fan"), artist, testNow)
	artID := listArt(t, db, artist, "Withdrawn", 0)
	require.NoError(t, fanOuts.Enqueue(ctx, artID, artist, testNow))

	_, err := db.ExecContext(ctx, "DELETE FROM arts WHERE id = ?", artID)
	require.NoError(t, err)

	_, ok := claimIn(t, db, fanOuts, 10, testNow)
	assert.False(t, ok, "a deleted art is told to nobody")
}

// Two workers, as on two instances, fan two listings out to their artists'
// followers over the real stores: each follower is told exactly once of each.
func TestFanOutNewWorkTellsEveryFollowerOnceAcrossWorkers(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	first, second := createMember(t, db, "first"), createMember(t, db, "second")
	const fans = 1200
	_, err := db.ExecContext(ctx, `
		INSERT INTO members (email, password_hash, nickname, name, created_at)
		SELECT 'fan' || n || '@example.com', 'hash', 'fan' || n, 'Fan', ? FROM generate_series(1, ?) AS n`, testNow, fans)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `
		INSERT INTO follows (follower_id, followee_id, created_at)
		SELECT m.id, a.id, ?::timestamptz - (m.id % 50) * interval '1 second'
		FROM members AS m CROSS JOIN (VALUES (?::bigint), (?::bigint)) AS a (id) WHERE m.nickname LIKE 'fan%'`,
		testNow, first, second)
	require.NoError(t, err)
	fanOuts := postgres.NewNewWorkFanOuts(db)
	arts := []int64{listArt(t, db, first, "One", 0), listArt(t, db, second, "Two", 0)}
	require.NoError(t, fanOuts.Enqueue(ctx, arts[0], first, testNow))
	require.NoError(t, fanOuts.Enqueue(ctx, arts[1], second, testNow))

	uc := application.NewFanOutNewWork(postgres.NewTransactor(db), fanOuts, postgres.NewNotifier(db), nopPublisher{}, clock.System{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for {
				told, err := uc.Execute(ctx)
				if !assert.NoError(t, err) || told == 0 {
					return
				}
			}
		})
	}
	wg.Wait()

	assert.Equal(t, 2*fans, countRows(t, db, "notifications", "kind = 'new_work'"))
	var once int
	require.NoError(t, db.NewRaw(`SELECT count(*) FROM (SELECT member_id, art_id FROM notifications
		GROUP BY member_id, art_id HAVING count(*) = 1) AS told`).Scan(ctx, &once))
	assert.Equal(t, 2*fans, once, "each follower once per work")
	assert.Zero(t, countRows(t, db, "new_work_fanouts", "true"))
	var fan int64
	require.NoError(t, db.NewRaw("SELECT id FROM members WHERE nickname = 'fan7'").Scan(ctx, &fan))
	made, err := postgres.NewNotificationStore(db).Between(ctx, fan, 0, 2)
	require.NoError(t, err)
	require.Len(t, made, 2)
	for _, n := range made {
		actor, ok := n.Actor()
		require.True(t, ok)
		assert.Contains(t, []int64{first, second}, actor.ID, "the artist is the actor")
		assert.Equal(t, notification.KindNewWork, n.Kind())
	}
}

// BenchmarkFanOutNewWorkTo100kFollowers fans one listing out to an artist's
// 100,000 followers with two workers, as one instance runs them: how long
// the last follower waits (docs/benchmarks.md). Making the followers takes
// minutes; run it once:
// go test ./adapters/postgres/ -run '^$' -bench FanOutNewWork -benchtime 1x
func BenchmarkFanOutNewWorkTo100kFollowers(b *testing.B) {
	db := pgtest.NewDB(b)
	ctx := context.Background()
	const followers, workers = 100_000, 2
	var artist int64
	require.NoError(b, db.NewRaw(`INSERT INTO members (email, password_hash, nickname, name, created_at)
		VALUES ('artist@example.com', 'hash', 'artist', 'Artist', now()) RETURNING id`).Scan(ctx, &artist))
	_, err := db.ExecContext(ctx, `
		INSERT INTO members (email, password_hash, nickname, name, created_at)
		SELECT 'fan' || n || '@example.com', 'hash', 'fan' || n, 'Fan', now() FROM generate_series(1, ?) AS n`, followers)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, `INSERT INTO follows (follower_id, followee_id, created_at)
		SELECT id, ?, now() - id * interval '1 millisecond' FROM members WHERE id <> ?`, artist, artist)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, "VACUUM ANALYZE follows, members")
	require.NoError(b, err)
	fanOuts := postgres.NewNewWorkFanOuts(db)
	uc := application.NewFanOutNewWork(postgres.NewTransactor(db), fanOuts, postgres.NewNotifier(db), nopPublisher{}, clock.System{})

	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		artID := createTestArt(b, db, newTestArt(b, artist, fmt.Sprintf("Work %d", i), "A new work", art.TypeGeneral, 5000,
			[]string{"new"}, testNow), nil)
		require.NoError(b, fanOuts.Enqueue(ctx, artID, artist, testNow))
		b.StartTimer()
		var told atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for {
					n, err := uc.Execute(ctx)
					if !assert.NoError(b, err) || n == 0 {
						return
					}
					told.Add(int64(n))
				}
			})
		}
		wg.Wait()
		require.Equal(b, int64(followers), told.Load())
	}
	b.ReportMetric(float64(followers*b.N)/b.Elapsed().Seconds(), "notifications/s")
}

type nopPublisher struct{}

func (nopPublisher) Publish(context.Context, []notification.Notification) {}
