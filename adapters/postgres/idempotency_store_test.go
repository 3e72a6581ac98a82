package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
)

func answeredKey(memberID int64, key string, createdAt time.Time) application.IdempotencyRecord {
	return application.IdempotencyRecord{
		Key:         application.IdempotencyKey{MemberID: memberID, Operation: "POST /api/v1/me/points/charges", Key: key},
		RequestHash: []byte{1, 2, 3},
		Answer: application.RecordedAnswer{Status: 201, Headers: map[string]string{"Content-Type": "application/json"},
			Body: []byte(`{"points":{"total":10}}`)},
		CreatedAt: createdAt,
	}
}

func TestIdempotencyStoreSavesAndFindsARecord(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewIdempotencyStore(db)
	ctx := context.Background()
	alice := createMember(t, db, "alice")
	rec := answeredKey(alice, "key-1", testNow)

	_, found, err := store.Find(ctx, rec.Key)
	require.NoError(t, err)
	assert.False(t, found)

	require.NoError(t, store.Save(ctx, rec))
	got, found, err := store.Find(ctx, rec.Key)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, rec.RequestHash, got.RequestHash)
	assert.Equal(t, rec.Answer, got.Answer)
	assert.True(t, rec.CreatedAt.Equal(got.CreatedAt))

	// Keys are scoped by member and operation.
	other := rec.Key
	other.Operation = "POST /api/v1/me/points/refunds"
	_, found, err = store.Find(ctx, other)
	require.NoError(t, err)
	assert.False(t, found)
}

func TestIdempotencyStoreSaveReplacesAnExpiredRecord(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewIdempotencyStore(db)
	ctx := context.Background()
	alice := createMember(t, db, "alice")
	require.NoError(t, store.Save(ctx, answeredKey(alice, "key-1", testNow.Add(-48*time.Hour))))

	newer := answeredKey(alice, "key-1", testNow)
	newer.RequestHash = []byte{9}
	newer.Answer.Body = []byte(`{"points":{"total":20}}`)
	require.NoError(t, store.Save(ctx, newer))

	got, found, err := store.Find(ctx, newer.Key)
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, newer.RequestHash, got.RequestHash)
	assert.Equal(t, newer.Answer.Body, got.Answer.Body)
	assert.Equal(t, 1, countRows(t, db, "idempotency_keys", "TRUE"))
}

func TestIdempotencyStorePurgesOnlyOldRecords(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewIdempotencyStore(db)
	ctx := context.Background()
	alice := createMember(t, db, "alice")
	require.NoError(t, store.Save(ctx, answeredKey(alice, "old", testNow.Add(-25*time.Hour))))
	require.NoError(t, store.Save(ctx, answeredKey(alice, "fresh", testNow.Add(-23*time.Hour))))

	n, err := store.PurgeBefore(ctx, testNow.Add(-24*time.Hour))

	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, 1, countRows(t, db, "idempotency_keys", "key = ?", "fresh"))
}

func TestIdempotencyStoreLockIsHeldUntilTheTransactionEnds(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewIdempotencyStore(db)
	tx := postgres.NewTransactor(db)
	ctx := context.Background()
	key := application.IdempotencyKey{MemberID: 1, Operation: "POST /x", Key: "k"}

	_, err := store.TryLock(ctx, key)
	require.Error(t, err, "a lock outside a transaction would end with its statement")

	holding, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- tx.WithinTx(ctx, func(ctx context.Context) error {
			locked, err := store.TryLock(ctx, key)
			if err != nil || !locked {
				return errors.Join(err, errors.New("the first try did not get the lock"))
			}
			close(holding)
			<-release
			return nil
		})
	}()
	select {
	case <-holding:
	case err := <-done:
		require.FailNow(t, "the holder ended before it held the lock", "%v", err)
	}
	tryLock := func(k application.IdempotencyKey) bool {
		var locked bool
		require.NoError(t, tx.WithinTx(ctx, func(ctx context.Context) error {
			var err error
			locked, err = store.TryLock(ctx, k)
			return err
		}))
		return locked
	}
	assert.False(t, tryLock(key), "held by the other transaction")
	otherKey := key
	otherKey.Key = "k2"
	assert.True(t, tryLock(otherKey), "another key is free")
	close(release)
	require.NoError(t, <-done)
	assert.True(t, tryLock(key), "free once the holder's transaction ended")
}

func TestTransactorRunsCommitHooksOnlyAfterACommit(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	tx := postgres.NewTransactor(db)
	var published []application.AuctionEvent
	events := postgres.NewEventsAfterCommit(publisherFunc(func(_ context.Context, e application.AuctionEvent) {
		published = append(published, e)
	}))
	ctx := context.Background()

	events.Publish(ctx, application.AuctionEvent{AuctionID: 1})
	assert.Len(t, published, 1, "outside a transaction an event goes out at once")

	err := tx.WithinTx(ctx, func(ctx context.Context) error {
		// A joined transaction defers to the outermost one.
		return tx.WithinTx(ctx, func(ctx context.Context) error {
			events.Publish(ctx, application.AuctionEvent{AuctionID: 2})
			assert.Len(t, published, 1, "held until the commit")
			return nil
		})
	})
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2}, auctionIDs(published))

	boom := errors.New("boom")
	err = tx.WithinTx(ctx, func(ctx context.Context) error {
		events.Publish(ctx, application.AuctionEvent{AuctionID: 3})
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, []int64{1, 2}, auctionIDs(published), "a rolled-back change is never announced")
}

type publisherFunc func(ctx context.Context, e application.AuctionEvent)

func (f publisherFunc) Publish(ctx context.Context, e application.AuctionEvent) { f(ctx, e) }

func auctionIDs(events []application.AuctionEvent) []int64 {
	ids := make([]int64, len(events))
	for i, e := range events {
		ids[i] = e.AuctionID
	}
	return ids
}
