package postgres_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

// hold takes amount of the member's available points.
func hold(memberID, amount int64) application.PointMove {
	return application.PointMove{MemberID: memberID, Available: -amount}
}

// release gives amount of the member's hold back.
func release(memberID, amount int64) application.PointMove {
	return application.PointMove{MemberID: memberID, Available: amount}
}

func TestWalletAccount(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 5000)
	require.NoError(t, wallet.Move(ctx, hold(id, 1200)))

	got, err := wallet.Account(ctx, id)

	require.NoError(t, err)
	assert.Equal(t, application.Account{
		Member:  application.MemberRef{ID: id, Nickname: "alice", School: "Seoul Arts"},
		Balance: point.RestoreBalance(5000, 3800),
	}, got)
	_, err = wallet.Account(ctx, 404)
	require.ErrorIs(t, err, member.ErrNotFound)
}

func TestWalletMoveHolds(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 5000)

	require.NoError(t, wallet.Move(ctx, hold(id, 3000)))
	require.NoError(t, wallet.Move(ctx, hold(id, 2000)), "exactly what is available")
	assert.Equal(t, point.RestoreBalance(5000, 0), balanceOf(t, db, id))

	require.ErrorIs(t, wallet.Move(ctx, hold(id, 1)), point.ErrInsufficientPoints)
	assert.Equal(t, point.RestoreBalance(5000, 0), balanceOf(t, db, id), "unchanged")
	require.ErrorIs(t, wallet.Move(ctx, hold(404, 1)), member.ErrNotFound)
}

func TestWalletMoveReleases(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	id := richMember(t, db, "alice", 5000)
	require.NoError(t, wallet.Move(ctx, hold(id, 3000)))

	require.NoError(t, wallet.Move(ctx, release(id, 1000)))
	assert.Equal(t, point.RestoreBalance(5000, 3000), balanceOf(t, db, id))

	err := wallet.Move(ctx, release(id, 2001))
	require.Error(t, err, "more than is on hold")
	require.NotErrorIs(t, err, member.ErrNotFound)
	require.NotErrorIs(t, err, point.ErrInsufficientPoints)
	assert.Equal(t, point.RestoreBalance(5000, 3000), balanceOf(t, db, id))
	require.NoError(t, wallet.Move(ctx, release(id, 2000)))
	assert.Equal(t, point.RestoreBalance(5000, 5000), balanceOf(t, db, id))
	require.ErrorIs(t, wallet.Move(ctx, release(404, 1)), member.ErrNotFound)
}

// A bid moves a hold from the previous leader to the bidder in one write,
// whichever of the two has the lower id.
func TestWalletMoveHandsAHoldOver(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	first := richMember(t, db, "ann", 10_000)
	second := richMember(t, db, "bob", 10_000)
	require.NoError(t, wallet.Move(ctx, hold(first, 2000)))

	require.NoError(t, wallet.Move(ctx, hold(second, 2100), release(first, 2000)), "the new leader has the higher id")
	assert.Equal(t, point.RestoreBalance(10_000, 10_000), balanceOf(t, db, first))
	assert.Equal(t, point.RestoreBalance(10_000, 7900), balanceOf(t, db, second))

	require.NoError(t, wallet.Move(ctx, hold(first, 2200), release(second, 2100)), "the new leader has the lower id")
	assert.Equal(t, point.RestoreBalance(10_000, 7800), balanceOf(t, db, first))
	assert.Equal(t, point.RestoreBalance(10_000, 10_000), balanceOf(t, db, second))
}

// A refused move changes nothing, not even the moves before it in id order.
func TestWalletMoveIsAllOrNothing(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	leader := richMember(t, db, "ann", 10_000)
	bidder := richMember(t, db, "bob", 1000)
	require.NoError(t, wallet.Move(ctx, hold(leader, 2000)))

	err := wallet.Move(ctx, hold(bidder, 2100), release(leader, 2000))

	require.ErrorIs(t, err, point.ErrInsufficientPoints)
	assert.Equal(t, point.RestoreBalance(10_000, 8000), balanceOf(t, db, leader), "the release before the refused hold is undone")
	assert.Equal(t, point.RestoreBalance(1000, 1000), balanceOf(t, db, bidder))

	err = postgres.NewTransactor(db).WithinTx(ctx, func(ctx context.Context) error {
		return wallet.Move(ctx, hold(bidder, 2100), release(leader, 2000))
	})
	require.ErrorIs(t, err, point.ErrInsufficientPoints, "in the caller's transaction, which it fails")
	assert.Equal(t, point.RestoreBalance(10_000, 8000), balanceOf(t, db, leader))
}

func TestWalletMoveSettlesASale(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	outbid := richMember(t, db, "ann", 10_000)
	seller := richMember(t, db, "alice", 1000)
	buyer := richMember(t, db, "bob", 10_000)
	require.NoError(t, wallet.Move(ctx, hold(outbid, 3000)))
	require.NoError(t, wallet.Move(ctx, hold(buyer, 2000)))

	// The buyer pays 5000, of which 2000 were on hold; the seller is paid; ann's hold goes back.
	err := wallet.Move(ctx,
		application.PointMove{MemberID: buyer, Total: -5000, Available: -3000},
		application.PointMove{MemberID: seller, Total: 5000, Available: 5000},
		release(outbid, 3000))

	require.NoError(t, err)
	assert.Equal(t, point.RestoreBalance(5000, 5000), balanceOf(t, db, buyer))
	assert.Equal(t, point.RestoreBalance(6000, 6000), balanceOf(t, db, seller))
	assert.Equal(t, point.RestoreBalance(10_000, 10_000), balanceOf(t, db, outbid))
}

func TestWalletMoveRefusesAPaymentBeyondTheBalance(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	seller := richMember(t, db, "alice", 1000)
	buyer := richMember(t, db, "bob", 5000)
	require.NoError(t, wallet.Move(ctx, hold(buyer, 2000)))
	pay := func(price, held int64) error {
		return wallet.Move(ctx, application.PointMove{MemberID: buyer, Total: -price, Available: -(price - held)},
			application.PointMove{MemberID: seller, Total: price, Available: price})
	}

	require.ErrorIs(t, pay(3001, 0), point.ErrInsufficientPoints, "only 3000 available")
	require.ErrorIs(t, pay(5001, 2000), point.ErrInsufficientPoints, "3001 more than held")
	require.Error(t, pay(2500, 2500), "more than is on hold")
	assert.Equal(t, point.RestoreBalance(5000, 3000), balanceOf(t, db, buyer))
	assert.Equal(t, point.RestoreBalance(1000, 1000), balanceOf(t, db, seller))
	require.NoError(t, pay(5000, 2000))
	assert.Equal(t, point.RestoreBalance(0, 0), balanceOf(t, db, buyer))
}

func TestWalletMoveAddsUpTheMovesOfOneMember(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	id := richMember(t, db, "alice", 5000)

	require.NoError(t, wallet.Move(context.Background(), hold(id, 3000), release(id, 1000)))

	assert.Equal(t, point.RestoreBalance(5000, 3000), balanceOf(t, db, id))
}

func TestWalletMoveRefusesNoMoveAndMoreThanATradeMakes(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	ids := []int64{richMember(t, db, "ann", 10), richMember(t, db, "bob", 10), richMember(t, db, "carl", 10), richMember(t, db, "dora", 10)}

	require.Error(t, wallet.Move(ctx))
	require.Error(t, wallet.Move(ctx, hold(ids[0], 1), hold(ids[1], 1), hold(ids[2], 1), hold(ids[3], 1)))
	for _, id := range ids {
		assert.Equal(t, point.RestoreBalance(10, 10), balanceOf(t, db, id))
	}
}

func TestWalletJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	id := richMember(t, db, "alice", 5000)

	err := postgres.NewTransactor(db).WithinTx(context.Background(), func(ctx context.Context) error {
		require.NoError(t, wallet.Move(ctx, hold(id, 1000)))
		require.NoError(t, wallet.Move(ctx, application.PointMove{MemberID: id, Total: 1000, Available: 1000}))
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
		err := wallet.Move(context.Background(), hold(id, 1000))
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

// Bids that hand holds over between the same members in both directions, each
// in a transaction that first references its bidder (as a bid record does),
// all go through: the rows are locked in one order, so none deadlocks.
func TestWalletConcurrentCrossingMovesNeverDeadlock(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	wallet := postgres.NewWallet(db)
	ctx := context.Background()
	members := []int64{richMember(t, db, "ann", 100_000), richMember(t, db, "bob", 100_000), richMember(t, db, "carl", 100_000)}
	for _, id := range members {
		require.NoError(t, wallet.Move(ctx, hold(id, 10_000)))
	}
	const rounds = 30

	runConcurrently(t, 2*len(members), func(i int) error {
		bidder, leader := members[i%len(members)], members[(i+1+i/len(members))%len(members)]
		for range rounds {
			err := postgres.NewTransactor(db).WithinTx(ctx, func(ctx context.Context) error {
				if _, err := postgres.IDB(ctx, db).ExecContext(ctx,
					"INSERT INTO point_ledger (member_id, type, amount, created_at) VALUES (?, 'CHARGE', 1, now())", bidder); err != nil {
					return err
				}
				return wallet.Move(ctx, hold(bidder, 10), release(leader, 10))
			})
			if err != nil {
				return err
			}
		}
		return nil
	})

	var available int64
	for _, id := range members {
		b := balanceOf(t, db, id)
		assert.Equal(t, int64(100_000), b.Total())
		available += b.Available()
	}
	assert.Equal(t, int64(3*90_000), available, "every hold taken was one given back")
}
