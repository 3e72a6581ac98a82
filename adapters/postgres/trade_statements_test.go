package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/point"
)

// The benchmark's raw limit runs the exported statements on a pgx connection
// of its own: they must read and write there as they do in the stores.
func TestTradeStatementsRunOnAPlainPgxConnection(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	db, err := postgres.Open(context.Background(), dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(ctx) })
	store := postgres.NewAuctionStore(db)
	owner := createMember(t, db, "painter")
	alice := richMember(t, db, "alice", 50_000)
	bob := richMember(t, db, "bob", 50_000)
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	bid(t, store, auctionID, alice, 10_000, testNow)
	require.NoError(t, postgres.NewWallet(db).Move(ctx, application.PointMove{MemberID: alice, Available: -10_000}))

	tx, err := conn.BeginTx(ctx, pgx.TxOptions{BeginQuery: postgres.BoundedBeginSQL(time.Second)})
	require.NoError(t, err)
	readAuction := postgres.ReadTradeAuction(auctionID, bob)
	d, acct, err := postgres.ScanTradeAuction(tx.QueryRow(ctx, readAuction.SQL, readAuction.Args...).Scan, bob)
	require.NoError(t, err)
	want, wantAcct, err := store.GetForMember(ctx, auctionID, bob)
	require.NoError(t, err)
	assert.Equal(t, want, d, "read as the store reads it")
	assert.Equal(t, wantAcct, acct)
	assert.Equal(t, application.Account{Member: application.MemberRef{ID: bob, Nickname: "bob", School: "Seoul Arts"},
		Balance: point.RestoreBalance(50_000, 50_000)}, acct)

	out, err := d.Auction.PlaceBid(auction.Participant{MemberID: bob, Available: acct.Balance.Available()}, owner, 10_100, testNow, 0)
	require.NoError(t, err)
	save, err := postgres.SaveBid(d.Auction, testNow)
	require.NoError(t, err)
	var auctions, arts int64
	var bidID *int64
	require.NoError(t, tx.QueryRow(ctx, save.SQL, save.Args...).Scan(&auctions, &arts, &bidID))
	move, err := postgres.MovePoints([]application.PointMove{{MemberID: bob, Available: -10_100},
		{MemberID: out.PreviousLeaderID, Available: out.PreviousAmount}})
	require.NoError(t, err)
	refused, err := postgres.ScanMovedPoints(tx.QueryRow(ctx, move.SQL, move.Args...).Scan)
	require.NoError(t, err)
	notify := postgres.Notify(application.BidNotices(d.Art.Art.ID(), auctionID, 10_100, out.PreviousLeaderID, testNow))
	rows, err := tx.Query(ctx, notify.SQL, notify.Args...)
	require.NoError(t, err)
	var made []notification.Notification
	for rows.Next() {
		n, err := postgres.ScanNotification(rows.Scan)
		require.NoError(t, err)
		made = append(made, n)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, tx.Commit(ctx))

	assert.Equal(t, []int64{1, 1}, []int64{auctions, arts})
	require.NotNil(t, bidID)
	assert.Zero(t, refused)
	require.Len(t, made, 1)
	assert.Equal(t, notification.KindOutbid, made[0].Kind())
	assert.Equal(t, []int64{alice, 1, 10_100, auctionID}, []int64{made[0].MemberID(), made[0].Seq(), made[0].Amount(), made[0].AuctionID()})
	stored, err := postgres.NewNotificationStore(db).Between(ctx, alice, 0, 1)
	require.NoError(t, err)
	assert.Equal(t, made, stored, "read back as the store reads it")
	assert.Equal(t, auctionState{Status: "open", HighestAmount: 10_100, HighestBidderID: bob, BidCount: 2,
		ArtPrice: 10_100, ArtBidCount: 2, ArtStatus: "on_sale", Bids: 2}, stateOf(t, db, auctionID))
	assert.Equal(t, point.RestoreBalance(50_000, 50_000), balanceOf(t, db, alice))
	assert.Equal(t, point.RestoreBalance(50_000, 39_900), balanceOf(t, db, bob))
	assert.Equal(t, 1, countRows(t, db, "mail_outbox", "recipient = 'alice@example.com'"))
}

func TestSaveBidStatementRefusesAnAuctionWithoutOneNewBid(t *testing.T) {
	a := auction.Restore(auction.Record{ID: 5, ArtID: 42, StartAt: testNow.Add(-time.Hour), EndAt: testNow.Add(time.Hour),
		StartPrice: 1000, BidIncrement: 100, Status: auction.StatusOpen})

	_, err := postgres.SaveBid(a, testNow)
	require.Error(t, err, "no bid since it was read")

	for _, bidder := range []int64{8, 9} {
		_, err := a.PlaceBid(auction.Participant{MemberID: bidder, Available: 10_000}, 7, a.MinNextBid(), testNow, 0)
		require.NoError(t, err)
	}
	_, err = postgres.SaveBid(a, testNow)
	require.Error(t, err, "two bids since it was read")
}
