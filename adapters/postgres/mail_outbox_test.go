package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
)

const testLease = time.Minute

func mail(n int) application.Mail {
	return application.Mail{To: fmt.Sprintf("user%d@example.com", n), Subject: fmt.Sprintf("subject %d", n), Text: fmt.Sprintf("body %d", n)}
}

func enqueueMails(t *testing.T, outbox *postgres.MailOutbox, n int) {
	t.Helper()
	for i := range n {
		require.NoError(t, outbox.Enqueue(context.Background(), mail(i)))
	}
}

func claimedIDs(mails []application.OutboxMail) []int64 {
	ids := make([]int64, 0, len(mails))
	for _, m := range mails {
		ids = append(ids, m.ID)
	}
	return ids
}

func pending(t *testing.T, outbox *postgres.MailOutbox) int {
	t.Helper()
	n, err := outbox.Pending(context.Background())
	require.NoError(t, err)
	return n
}

func TestMailOutboxClaimsDueMailsOldestFirst(t *testing.T) {
	t.Parallel()
	outbox := postgres.NewMailOutbox(pgtest.NewDB(t))
	ctx := context.Background()
	enqueueMails(t, outbox, 3)

	got, err := outbox.ClaimDue(ctx, testNow, 2, testLease)

	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, mail(0), got[0].Mail)
	assert.Equal(t, mail(1), got[1].Mail)
	assert.Less(t, got[0].ID, got[1].ID)
	assert.Zero(t, got[0].Attempts)
	assert.Equal(t, 3, pending(t, outbox), "claimed mails are still pending until sent")
}

func TestMailOutboxEnqueueJoinsTheTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	outbox := postgres.NewMailOutbox(db)
	tx := postgres.NewTransactor(db)
	ctx := context.Background()
	errBoom := errors.New("boom")

	err := tx.WithinTx(ctx, func(ctx context.Context) error {
		require.NoError(t, outbox.Enqueue(ctx, mail(1)))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	assert.Zero(t, pending(t, outbox))

	require.NoError(t, tx.WithinTx(ctx, func(ctx context.Context) error { return outbox.Enqueue(ctx, mail(2)) }))
	assert.Equal(t, 1, pending(t, outbox))
}

func TestMailOutboxLeaseKeepsAClaimedMailUntilItRunsOut(t *testing.T) {
	t.Parallel()
	outbox := postgres.NewMailOutbox(pgtest.NewDB(t))
	ctx := context.Background()
	enqueueMails(t, outbox, 1)
	first, err := outbox.ClaimDue(ctx, testNow, 10, testLease)
	require.NoError(t, err)
	require.Len(t, first, 1)

	during, err := outbox.ClaimDue(ctx, testNow.Add(testLease-time.Second), 10, testLease)
	require.NoError(t, err)
	assert.Empty(t, during, "leased to the first claimer")

	after, err := outbox.ClaimDue(ctx, testNow.Add(testLease), 10, testLease)
	require.NoError(t, err)
	assert.Equal(t, claimedIDs(first), claimedIDs(after), "its sender died: the mail is due again")
}

func TestMailOutboxClaimSkipsRowsLockedByAnotherClaimer(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	outbox := postgres.NewMailOutbox(db)
	ctx := context.Background()
	enqueueMails(t, outbox, 4)
	// Another instance is in the middle of claiming the two oldest mails.
	other, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = other.Rollback() })
	var lockedIDs []int64
	require.NoError(t, other.NewRaw("SELECT id FROM mail_outbox ORDER BY id LIMIT 2 FOR UPDATE").Scan(ctx, &lockedIDs))

	claimCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	got, err := outbox.ClaimDue(claimCtx, testNow, 10, testLease)

	require.NoError(t, err, "the claim skips the locked rows instead of waiting for them")
	require.Len(t, got, 2)
	for _, id := range claimedIDs(got) {
		assert.NotContains(t, lockedIDs, id)
	}
}

func TestMailOutboxConcurrentClaimersNeverShareAMail(t *testing.T) {
	t.Parallel()
	outbox := postgres.NewMailOutbox(pgtest.NewDB(t))
	ctx := context.Background()
	const mails, claimers = 120, 6
	enqueueMails(t, outbox, mails)

	var mu sync.Mutex
	var all []int64
	var wg sync.WaitGroup
	for range claimers {
		wg.Go(func() {
			for {
				got, err := outbox.ClaimDue(ctx, testNow, 7, testLease)
				if !assert.NoError(t, err) || len(got) == 0 {
					return
				}
				mu.Lock()
				all = append(all, claimedIDs(got)...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	assert.Len(t, all, mails)
	slices.Sort(all)
	assert.Len(t, slices.Compact(all), mails, "no mail was claimed twice")
}

func TestMailOutboxMarkSent(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	outbox := postgres.NewMailOutbox(db)
	ctx := context.Background()
	enqueueMails(t, outbox, 2)
	claimed, err := outbox.ClaimDue(ctx, testNow, 1, testLease)
	require.NoError(t, err)
	require.Len(t, claimed, 1)

	require.NoError(t, outbox.MarkSent(ctx, claimed[0].ID, testNow))

	assert.Equal(t, 1, pending(t, outbox))
	later, err := outbox.ClaimDue(ctx, testNow.Add(time.Hour), 10, testLease)
	require.NoError(t, err)
	assert.NotContains(t, claimedIDs(later), claimed[0].ID, "a sent mail is never due again")
	assert.Equal(t, 1, countRows(t, db, "mail_outbox",
		"id = ? AND status = 'sent' AND sent_at = ? AND locked_until IS NULL", claimed[0].ID, testNow))
}

func TestMailOutboxMarkFailedRetriesLater(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	outbox := postgres.NewMailOutbox(db)
	ctx := context.Background()
	enqueueMails(t, outbox, 1)
	claimed, err := outbox.ClaimDue(ctx, testNow, 1, testLease)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	retryAt := testNow.Add(10 * time.Second)

	require.NoError(t, outbox.MarkFailed(ctx, claimed[0].ID, 1, retryAt, "smtp: connection refused"))

	early, err := outbox.ClaimDue(ctx, retryAt.Add(-time.Second), 10, testLease)
	require.NoError(t, err)
	assert.Empty(t, early, "not due before retryAt, though the lease was given back")
	due, err := outbox.ClaimDue(ctx, retryAt, 10, testLease)
	require.NoError(t, err)
	require.Len(t, due, 1)
	assert.Equal(t, 1, due[0].Attempts)
	assert.Equal(t, 1, pending(t, outbox))
	assert.Equal(t, 1, countRows(t, db, "mail_outbox", "last_error = ?", "smtp: connection refused"))
}

func TestMailOutboxMarkFailedWithoutRetryGivesUp(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	outbox := postgres.NewMailOutbox(db)
	ctx := context.Background()
	enqueueMails(t, outbox, 1)
	claimed, err := outbox.ClaimDue(ctx, testNow, 1, testLease)
	require.NoError(t, err)
	require.Len(t, claimed, 1)

	require.NoError(t, outbox.MarkFailed(ctx, claimed[0].ID, 5, time.Time{}, "mailbox unavailable"))

	assert.Zero(t, pending(t, outbox))
	later, err := outbox.ClaimDue(ctx, testNow.Add(24*time.Hour), 10, testLease)
	require.NoError(t, err)
	assert.Empty(t, later)
	assert.Equal(t, 1, countRows(t, db, "mail_outbox", "status = 'failed' AND attempts = 5"))
}

func TestMailOutboxMarkingAnUnknownMail(t *testing.T) {
	t.Parallel()
	outbox := postgres.NewMailOutbox(pgtest.NewDB(t))
	ctx := context.Background()

	assert.Error(t, outbox.MarkSent(ctx, 404, testNow))
	assert.Error(t, outbox.MarkFailed(ctx, 404, 1, testNow, "boom"))
}
