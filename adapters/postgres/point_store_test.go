package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

func amount(t *testing.T, v int64) point.Amount {
	t.Helper()
	a, err := point.NewTransferAmount(v)
	require.NoError(t, err)
	return a
}

func balanceOf(t *testing.T, db *bun.DB, id int64) point.Balance {
	t.Helper()
	m, err := postgres.NewMemberStore(db).ByID(context.Background(), id)
	require.NoError(t, err)
	return m.Balance()
}

func TestPointStoreCharge(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPointStore(db)
	ctx := context.Background()
	id := createMember(t, db, "alice")

	_, err := store.Charge(ctx, id, amount(t, 1000))
	require.NoError(t, err)
	got, err := store.Charge(ctx, id, amount(t, 500))

	require.NoError(t, err)
	assert.Equal(t, point.RestoreBalance(1500, 1500), got)
	assert.Equal(t, got, balanceOf(t, db, id))
}

func TestPointStoreChargeOfAMissingMember(t *testing.T) {
	t.Parallel()
	store := postgres.NewPointStore(pgtest.NewDB(t))

	_, err := store.Charge(context.Background(), 404, amount(t, 1000))

	assert.ErrorIs(t, err, member.ErrNotFound)
}

func TestPointStoreRefund(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPointStore(db)
	ctx := context.Background()
	id := createMember(t, db, "alice")
	_, err := store.Charge(ctx, id, amount(t, 1000))
	require.NoError(t, err)

	got, err := store.Refund(ctx, id, amount(t, 1000))

	require.NoError(t, err)
	assert.Equal(t, point.RestoreBalance(0, 0), got)
	assert.Equal(t, got, balanceOf(t, db, id))
}

func TestPointStoreRefundOverAvailableChangesNothing(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPointStore(db)
	ctx := context.Background()
	id := createMember(t, db, "alice")
	_, err := store.Charge(ctx, id, amount(t, 1000))
	require.NoError(t, err)
	// 400 of the 1000 are held by a bid.
	_, err = db.ExecContext(ctx, "UPDATE members SET points_available = 600 WHERE id = ?", id)
	require.NoError(t, err)

	_, err = store.Refund(ctx, id, amount(t, 601))

	assert.ErrorIs(t, err, point.ErrInsufficientPoints)
	assert.Equal(t, point.RestoreBalance(1000, 600), balanceOf(t, db, id))
}

func TestPointStoreRefundOfAMissingMember(t *testing.T) {
	t.Parallel()
	store := postgres.NewPointStore(pgtest.NewDB(t))

	_, err := store.Refund(context.Background(), 404, amount(t, 1))

	assert.ErrorIs(t, err, member.ErrNotFound)
}

func TestPointStoreConcurrentRefundsNeverOverdraw(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPointStore(db)
	ctx := context.Background()
	id := createMember(t, db, "alice")
	_, err := store.Charge(ctx, id, amount(t, 500))
	require.NoError(t, err)

	const refunds = 12
	errs := make([]error, refunds)
	var wg sync.WaitGroup
	for i := range refunds {
		wg.Go(func() { _, errs[i] = store.Refund(ctx, id, amount(t, 100)) })
	}
	wg.Wait()

	succeeded := 0
	for _, err := range errs {
		if err == nil {
			succeeded++
			continue
		}
		assert.ErrorIs(t, err, point.ErrInsufficientPoints)
	}
	assert.Equal(t, 5, succeeded)
	assert.Equal(t, point.RestoreBalance(0, 0), balanceOf(t, db, id))
}

func TestPointStoreHistoryNewestFirstAndPaged(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPointStore(db)
	ctx := context.Background()
	alice := createMember(t, db, "alice")
	bob := createMember(t, db, "bob")
	at := func(minutes int) time.Time { return testNow.Add(time.Duration(minutes) * time.Minute) }
	// Appended out of time order; the last two share a time, so the later id comes first.
	entries := []point.LedgerEntry{
		point.NewLedgerEntry(alice, point.EntryCharge, amount(t, 5000), 0, at(0)),
		point.NewLedgerEntry(alice, point.EntrySale, amount(t, 2000), 7, at(30)),
		point.NewLedgerEntry(alice, point.EntryPurchase, amount(t, 1500), 9, at(10)),
		point.NewLedgerEntry(bob, point.EntryCharge, amount(t, 100), 0, at(20)),
		point.NewLedgerEntry(alice, point.EntryRefund, amount(t, 100), 0, at(40)),
		point.NewLedgerEntry(alice, point.EntryCharge, amount(t, 300), 0, at(40)),
	}
	for _, e := range entries {
		require.NoError(t, store.AppendLedger(ctx, e))
	}
	wantOrder := []point.LedgerEntry{entries[5], entries[4], entries[1], entries[2], entries[0]}

	tests := []struct {
		page, size int
		want       []point.LedgerEntry
	}{
		{page: 1, size: 20, want: wantOrder},
		{page: 1, size: 2, want: wantOrder[0:2]},
		{page: 2, size: 2, want: wantOrder[2:4]},
		{page: 3, size: 2, want: wantOrder[4:]},
		{page: 4, size: 2, want: []point.LedgerEntry{}},
	}
	for _, tt := range tests {
		req, err := application.NewPageRequest(tt.page, tt.size)
		require.NoError(t, err)

		got, err := store.History(ctx, alice, req)

		require.NoError(t, err)
		assert.Equal(t, tt.want, got.Items, "page %d of %d", tt.page, tt.size)
		assert.Equal(t, application.Total{Count: 5}, got.Total)
	}

	var walked []point.LedgerEntry
	req, err := application.NewPageRequest(1, 2)
	require.NoError(t, err)
	for {
		got, err := store.History(ctx, alice, req)
		require.NoError(t, err)
		walked = append(walked, got.Items...)
		if got.Next == nil {
			break
		}
		req = afterPage(t, got.Next, 2)
	}
	assert.Equal(t, wantOrder, walked, "page after page by cursor, the same entries in the same order")
}

func TestPointStoreHistoryOfAMemberWithoutEntries(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	req, err := application.NewPageRequest(1, 20)
	require.NoError(t, err)

	got, err := postgres.NewPointStore(db).History(context.Background(), createMember(t, db, "alice"), req)

	require.NoError(t, err)
	assert.Empty(t, got.Items)
	assert.NotNil(t, got.Items)
	assert.Zero(t, got.Total)
	assert.Nil(t, got.Next)
}

func TestPointStoreAppendLedgerOfAMissingMember(t *testing.T) {
	t.Parallel()
	store := postgres.NewPointStore(pgtest.NewDB(t))

	err := store.AppendLedger(context.Background(), point.NewLedgerEntry(404, point.EntryCharge, amount(t, 1), 0, testNow))

	assert.ErrorIs(t, err, member.ErrNotFound)
}

func TestPointStoreChargeAndLedgerCommitTogether(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewPointStore(db)
	ctx := context.Background()
	id := createMember(t, db, "alice")
	errBoom := errors.New("boom")

	err := postgres.NewTransactor(db).WithinTx(ctx, func(ctx context.Context) error {
		if _, err := store.Charge(ctx, id, amount(t, 1000)); err != nil {
			return err
		}
		if err := store.AppendLedger(ctx, point.NewLedgerEntry(id, point.EntryCharge, amount(t, 1000), 0, testNow)); err != nil {
			return err
		}
		return errBoom
	})

	require.ErrorIs(t, err, errBoom)
	assert.Equal(t, point.Balance{}, balanceOf(t, db, id))
	assert.Zero(t, countRows(t, db, "point_ledger", "TRUE"))
}
