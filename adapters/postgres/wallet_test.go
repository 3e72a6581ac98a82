package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

func TestWalletBalance(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 5000)
	require.NoError(t, wallet.Hold(ctx, id, 1200))

	got, err := wallet.Balance(ctx, id)

	require.NoError(t, err)
	assert.Equal(t, point.RestoreBalance(5000, 3800), got)
	_, err = wallet.Balance(ctx, 404)
	require.ErrorIs(t, err, member.ErrNotFound)
}

func TestWalletHold(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 5000)

	require.NoError(t, wallet.Hold(ctx, id, 3000))
	require.NoError(t, wallet.Hold(ctx, id, 2000), "exactly what is available")
	assert.Equal(t, point.RestoreBalance(5000, 0), balanceOf(t, db, id))

	require.ErrorIs(t, wallet.Hold(ctx, id, 1), point.ErrInsufficientPoints)
	assert.Equal(t, point.RestoreBalance(5000, 0), balanceOf(t, db, id), "unchanged")
	require.ErrorIs(t, wallet.Hold(ctx, 404, 1), member.ErrNotFound)
}

func TestWalletHoldOverAvailableChangesNothing(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	id := richMember(t, db, "alice", 5000)

	require.ErrorIs(t, wallet.Hold(context.Background(), id, 5001), point.ErrInsufficientPoints)

	assert.Equal(t, point.RestoreBalance(5000, 5000), balanceOf(t, db, id))
}

func TestWalletRelease(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 5000)
	require.NoError(t, wallet.Hold(ctx, id, 3000))

	require.NoError(t, wallet.Release(ctx, id, 1000))
	assert.Equal(t, point.RestoreBalance(5000, 3000), balanceOf(t, db, id))

	err := wallet.Release(ctx, id, 2001)
	require.Error(t, err, "more than is on hold")
	require.NotErrorIs(t, err, member.ErrNotFound)
	assert.Equal(t, point.RestoreBalance(5000, 3000), balanceOf(t, db, id))
	require.NoError(t, wallet.Release(ctx, id, 2000))
	assert.Equal(t, point.RestoreBalance(5000, 5000), balanceOf(t, db, id))
	require.ErrorIs(t, wallet.Release(ctx, 404, 1), member.ErrNotFound)
}

func TestWalletPay(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 10_000)

	require.NoError(t, wallet.Pay(ctx, id, 3000, 0), "nothing held")
	assert.Equal(t, point.RestoreBalance(7000, 7000), balanceOf(t, db, id))

	require.NoError(t, wallet.Hold(ctx, id, 2000))
	require.NoError(t, wallet.Pay(ctx, id, 2500, 2000), "the hold is consumed, the rest comes from available")
	assert.Equal(t, point.RestoreBalance(4500, 4500), balanceOf(t, db, id))

	require.NoError(t, wallet.Hold(ctx, id, 4500))
	require.NoError(t, wallet.Pay(ctx, id, 4500, 4500), "all of it held")
	assert.Equal(t, point.RestoreBalance(0, 0), balanceOf(t, db, id))
}

func TestWalletPayBeyondWhatIsAvailable(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 5000)
	require.NoError(t, wallet.Hold(ctx, id, 2000))

	require.ErrorIs(t, wallet.Pay(ctx, id, 3001, 0), point.ErrInsufficientPoints, "only 3000 available")
	require.ErrorIs(t, wallet.Pay(ctx, id, 5001, 2000), point.ErrInsufficientPoints, "3001 more than held")
	assert.Equal(t, point.RestoreBalance(5000, 3000), balanceOf(t, db, id))
	require.ErrorIs(t, wallet.Pay(ctx, 404, 1, 0), member.ErrNotFound)
}

func TestWalletReceive(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 1000)
	require.NoError(t, wallet.Hold(ctx, id, 400))

	require.NoError(t, wallet.Receive(ctx, id, 2500))

	assert.Equal(t, point.RestoreBalance(3500, 3100), balanceOf(t, db, id))
	require.ErrorIs(t, wallet.Receive(ctx, 404, 1), member.ErrNotFound)
}

func TestWalletRefusesAmountsThatAreNotPositive(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 5000)
	require.NoError(t, wallet.Hold(ctx, id, 1000))

	for name, err := range map[string]error{
		"hold zero":          wallet.Hold(ctx, id, 0),
		"hold negative":      wallet.Hold(ctx, id, -100),
		"release zero":       wallet.Release(ctx, id, 0),
		"release negative":   wallet.Release(ctx, id, -100),
		"pay zero":           wallet.Pay(ctx, id, 0, 0),
		"pay negative hold":  wallet.Pay(ctx, id, 100, -1),
		"pay hold over":      wallet.Pay(ctx, id, 100, 200),
		"receive zero":       wallet.Receive(ctx, id, 0),
		"receive negative":   wallet.Receive(ctx, id, -100),
		"pay negative price": wallet.Pay(ctx, id, -100, 0),
	} {
		require.Error(t, err, name)
	}
	assert.Equal(t, point.RestoreBalance(5000, 4000), balanceOf(t, db, id), "unchanged")
}

func TestWalletJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	id := richMember(t, db, "alice", 5000)

	err := postgres.NewTransactor(db).WithinTx(context.Background(), func(ctx context.Context) error {
		require.NoError(t, wallet.Hold(ctx, id, 1000))
		require.NoError(t, wallet.Receive(ctx, id, 1000))
		return assert.AnError
	})

	require.ErrorIs(t, err, assert.AnError)
	assert.Equal(t, point.RestoreBalance(5000, 5000), balanceOf(t, db, id))
}

func TestWalletConcurrentHoldsNeverOverdraw(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	id := richMember(t, db, "alice", 5000)
	const n = 10
	refused := make([]bool, n)

	runConcurrently(t, n, func(i int) error {
		err := wallet.Hold(context.Background(), id, 1000)
		if errors.Is(err, point.ErrInsufficientPoints) {
			refused[i] = true
			return nil
		}
		return err
	})

	count := 0
	for _, r := range refused {
		if r {
			count++
		}
	}
	assert.Equal(t, 5, count)
	assert.Equal(t, point.RestoreBalance(5000, 0), balanceOf(t, db, id))
}
