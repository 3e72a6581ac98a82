package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
)

func removalKey(n int) string {
	return fmt.Sprintf("%02x/%02x0123456789abcdef0123456789ab%02x.png", n, n, n)
}

func claimedKeys(removals []application.ImageRemoval) []string {
	keys := make([]string, 0, len(removals))
	for _, r := range removals {
		keys = append(keys, r.Key)
	}
	return keys
}

func pendingRemovals(t *testing.T, removals *postgres.ImageRemovals) int {
	t.Helper()
	n, err := removals.Pending(context.Background())
	require.NoError(t, err)
	return n
}

func TestImageRemovalsScheduleJoinsTheTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	removals := postgres.NewImageRemovals(db)
	tx := postgres.NewTransactor(db)
	ctx := context.Background()
	errBoom := errors.New("boom")

	err := tx.WithinTx(ctx, func(ctx context.Context) error {
		require.NoError(t, removals.Schedule(ctx, removalKey(1), testNow))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Zero(t, pendingRemovals(t, removals), "rolled back with the art's delete")

	require.NoError(t, tx.WithinTx(ctx, func(ctx context.Context) error { return removals.Schedule(ctx, removalKey(2), testNow) }))
	assert.Equal(t, 1, pendingRemovals(t, removals))
}

func TestImageRemovalsClaimOnlyDueOnesAndLeaseThem(t *testing.T) {
	t.Parallel()
	removals := postgres.NewImageRemovals(pgtest.NewDB(t))
	ctx := context.Background()
	require.NoError(t, removals.Schedule(ctx, removalKey(1), testNow.Add(-2*time.Second)))
	require.NoError(t, removals.Schedule(ctx, removalKey(2), testNow.Add(-time.Second)))
	require.NoError(t, removals.Schedule(ctx, removalKey(3), testNow.Add(time.Hour)))
	// Scheduled again, sooner: the earlier time wins, whichever comes first.
	require.NoError(t, removals.Schedule(ctx, removalKey(3), testNow.Add(-3*time.Second)))
	require.NoError(t, removals.Schedule(ctx, removalKey(1), testNow.Add(time.Hour)))

	got, err := removals.ClaimDue(ctx, testNow, 10, testLease)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{removalKey(1), removalKey(2), removalKey(3)}, claimedKeys(got))

	again, err := removals.ClaimDue(ctx, testNow.Add(testLease-time.Second), 10, testLease)
	require.NoError(t, err)
	assert.Empty(t, again, "leased removals are not claimed again within the lease")
	later, err := removals.ClaimDue(ctx, testNow.Add(testLease), 10, testLease)
	require.NoError(t, err)
	assert.Len(t, later, 3, "an instance that died holding a lease leaves the removals to the others")
	assert.Equal(t, 3, pendingRemovals(t, removals), "claimed removals stay until done")

	limited, err := removals.ClaimDue(ctx, testNow.Add(time.Hour), 2, testLease)
	require.NoError(t, err)
	assert.Len(t, limited, 2)
}

func TestImageRemovalsRetryAndDone(t *testing.T) {
	t.Parallel()
	removals := postgres.NewImageRemovals(pgtest.NewDB(t))
	ctx := context.Background()
	require.NoError(t, removals.Schedule(ctx, removalKey(1), testNow))
	_, err := removals.ClaimDue(ctx, testNow, 10, testLease)
	require.NoError(t, err)

	require.NoError(t, removals.Retry(ctx, removalKey(1), 1, testNow.Add(5*time.Second), "store down"))
	early, err := removals.ClaimDue(ctx, testNow.Add(4*time.Second), 10, testLease)
	require.NoError(t, err)
	assert.Empty(t, early)
	got, err := removals.ClaimDue(ctx, testNow.Add(5*time.Second), 10, testLease)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, application.ImageRemoval{Key: removalKey(1), Attempts: 1}, got[0])

	require.NoError(t, removals.Done(ctx, removalKey(1)))
	require.NoError(t, removals.Done(ctx, removalKey(1)), "done twice is no error")
	assert.Zero(t, pendingRemovals(t, removals))
}

// Every instance runs the worker: concurrent claimers never share a removal.
func TestImageRemovalsConcurrentClaimersGetDisjointRemovals(t *testing.T) {
	t.Parallel()
	removals := postgres.NewImageRemovals(pgtest.NewDB(t))
	ctx := context.Background()
	const n = 60
	for i := range n {
		require.NoError(t, removals.Schedule(ctx, removalKey(i), testNow))
	}

	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			got, err := removals.ClaimDue(ctx, testNow, 15, testLease)
			assert.NoError(t, err)
			mu.Lock()
			defer mu.Unlock()
			for _, k := range claimedKeys(got) {
				seen[k]++
			}
		})
	}
	wg.Wait()
	assert.Len(t, seen, n, "every removal was claimed")
	for k, times := range seen {
		assert.Equal(t, 1, times, "%s claimed %d times", k, times)
	}
}
