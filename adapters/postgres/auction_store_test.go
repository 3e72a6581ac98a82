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
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
)

func TestAuctionStoreGet(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	end := testNow.Add(24 * time.Hour)
	artID, auctionID := createAuctionArt(t, db, owner, "Storm", end)

	d, err := store.Get(ctx, auctionID)

	require.NoError(t, err)
	assert.Equal(t, auction.Restore(auction.Record{
		ID: auctionID, ArtID: artID, StartAt: testNow.Add(-time.Hour), EndAt: end, StartPrice: 10_000,
		BuyNowPrice: 50_000, BidIncrement: 100, Status: auction.StatusOpen,
	}), d.Auction)
	assert.Nil(t, d.HighestBidder)
	assert.Equal(t, artID, d.Art.Art.ID())
	assert.Equal(t, owner, d.Art.Art.OwnerID())
	assert.Equal(t, "Storm", d.Art.Art.Name())
	assert.Equal(t, []string{"oil", "blue"}, d.Art.Art.Hashtags().List())
	assert.Equal(t, application.MemberRef{ID: owner, Nickname: "painter", School: "Seoul Arts"}, d.Art.Owner)
	assert.Equal(t, end, d.Art.AuctionEndAt)

	bid(t, store, auctionID, alice, 10_500, testNow)
	d, err = store.Get(ctx, auctionID)
	require.NoError(t, err)
	assert.Equal(t, &application.MemberRef{ID: alice, Nickname: "alice", School: "Seoul Arts"}, d.HighestBidder)
	assert.Equal(t, int64(1), d.Auction.ReadBidCount(), "the auction remembers the count it was read with")
	assert.Equal(t, int64(10_500), d.Art.Art.CurrentPrice())
	assert.Equal(t, int64(1), d.Art.Art.BidCount())
	detail, err := store.Detail(ctx, auctionID)
	require.NoError(t, err)
	assert.Equal(t, detail, d, "the same auction as its page shows")

	_, err = store.Get(ctx, 404)
	require.ErrorIs(t, err, auction.ErrNotFound)
}

func TestAuctionStoreGetForMemberReadsTheTradersAccountAtOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	bob := richMember(t, db, "bob", 7000)
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))

	d, acct, err := store.GetForMember(ctx, auctionID, bob)

	require.NoError(t, err)
	want, err := store.Get(ctx, auctionID)
	require.NoError(t, err)
	assert.Equal(t, want, d)
	assert.Equal(t, application.Account{Member: application.MemberRef{ID: bob, Nickname: "bob", School: "Seoul Arts"},
		Balance: point.RestoreBalance(7000, 7000)}, acct)
	_, _, err = store.GetForMember(ctx, auctionID, 404)
	require.ErrorIs(t, err, member.ErrNotFound)
	_, _, err = store.GetForMember(ctx, 404, bob)
	require.ErrorIs(t, err, auction.ErrNotFound, "an unknown auction first")
}

func TestAuctionStoreGetWithoutBuyNowPrice(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	owner := createMember(t, db, "painter")
	artID := createTestArt(t, db, newTestArt(t, owner, "Fog", "Soft", "auction", 1000, []string{"fog"}, testNow),
		newTestAuction(testNow, testNow.Add(time.Hour), 1000, 0))
	var auctionID int64
	require.NoError(t, db.NewSelect().TableExpr("auctions").Column("id").Where("art_id = ?", artID).Scan(context.Background(), &auctionID))

	d, err := postgres.NewAuctionStore(db).Get(context.Background(), auctionID)

	require.NoError(t, err)
	assert.Zero(t, d.Auction.Terms().BuyNowPrice())
	assert.Zero(t, d.Auction.HighestBidderID())
}

// An auction with a reserve keeps it through every read, and its close below
// the reserve is stored failed with its bids as they were.
func TestAuctionStoreReservePrice(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	bob := richMember(t, db, "bob", 100_000)
	au := auction.Restore(auction.Record{StartAt: testNow.Add(-time.Hour), EndAt: testNow.Add(time.Hour), StartPrice: 1000,
		BidIncrement: 100, ReservePrice: 5000, Status: auction.StatusOpen})
	artID := createTestArt(t, db, newTestArt(t, owner, "Dawn", "Pale", "auction", 1000, []string{"dawn"}, testNow), au)
	var auctionID int64
	require.NoError(t, db.NewSelect().TableExpr("auctions").Column("id").Where("art_id = ?", artID).Scan(ctx, &auctionID))
	bid(t, store, auctionID, bob, 4900, testNow)

	got, err := store.Get(ctx, auctionID)
	require.NoError(t, err)
	assert.Equal(t, int64(5000), got.Auction.Terms().ReservePrice())
	met, hasReserve := got.Auction.ReserveMet()
	assert.True(t, hasReserve)
	assert.False(t, met)
	forBob, _, err := store.GetForMember(ctx, auctionID, bob)
	require.NoError(t, err)
	assert.Equal(t, int64(5000), forBob.Auction.Terms().ReservePrice())
	detail, err := store.Detail(ctx, auctionID)
	require.NoError(t, err)
	assert.Equal(t, int64(5000), detail.Auction.Terms().ReservePrice())
	mine, err := store.MemberBids(ctx, bob, mustPage(t, 1, 20))
	require.NoError(t, err)
	require.Len(t, mine.Items, 1)
	assert.Equal(t, int64(5000), mine.Items[0].Auction.Terms().ReservePrice())

	closing, err := got.Auction.Close(testNow.Add(time.Hour))
	require.NoError(t, err)
	require.False(t, closing.Sold())
	require.NoError(t, store.Finish(ctx, got.Auction))
	state := stateOf(t, db, auctionID)
	assert.Equal(t, "failed", state.Status)
	assert.Equal(t, int64(4900), state.HighestAmount, "a close below the reserve keeps the bids")
	mine, err = store.MemberBids(ctx, bob, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, application.StandingLost, mine.Items[0].Standing(bob))
}

func TestAuctionStoreSaveBid(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	bob := createMember(t, db, "bob")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))

	first := bid(t, store, auctionID, alice, 10_000, testNow)
	second := bid(t, store, auctionID, bob, 12_000, testNow.Add(time.Minute))

	assert.Greater(t, second, first, "bid ids follow the order bids were accepted")
	assert.Equal(t, auctionState{
		Status: "open", HighestAmount: 12_000, HighestBidderID: bob, BidCount: 2,
		ArtPrice: 12_000, ArtBidCount: 2, ArtStatus: "on_sale", Bids: 2,
	}, stateOf(t, db, auctionID))
	a, _ := readAuction(ctx, t, store, auctionID)
	assert.Equal(t, int64(12_100), a.MinNextBid())

	bids, err := store.Bids(ctx, auctionID, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: 2}, bids.Total)
	assert.Equal(t, []application.BidEntry{
		{ID: second, AuctionID: auctionID, Amount: 12_000, Bidder: application.MemberRef{ID: bob, Nickname: "bob", School: "Seoul Arts"},
			CreatedAt: testNow.Add(time.Minute)},
		{ID: first, AuctionID: auctionID, Amount: 10_000, Bidder: application.MemberRef{ID: alice, Nickname: "alice", School: "Seoul Arts"},
			CreatedAt: testNow},
	}, bids.Items)
}

func TestAuctionStoreSaveBidMovesTheEndForSoftClose(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Minute))
	a, ownerID := readAuction(ctx, t, store, auctionID)
	out, err := a.PlaceBid(auction.Participant{MemberID: alice, Available: 20_000}, ownerID, 10_000, testNow, 2*time.Minute)
	require.NoError(t, err)
	require.True(t, out.Extended)

	_, err = store.SaveBid(ctx, a, testNow)
	require.NoError(t, err)

	got, _ := readAuction(ctx, t, store, auctionID)
	assert.Equal(t, testNow.Add(2*time.Minute), got.Terms().EndAt())
}

func TestAuctionStoreSaveBidWithAStaleCountWritesNothing(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	bob := createMember(t, db, "bob")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	// Bob reads the auction, then Alice's bid lands first.
	stale, ownerID := readAuction(ctx, t, store, auctionID)
	bid(t, store, auctionID, alice, 10_000, testNow)
	before := stateOf(t, db, auctionID)
	_, err := stale.PlaceBid(auction.Participant{MemberID: bob, Available: 20_000}, ownerID, 11_000, testNow, 0)
	require.NoError(t, err)

	_, err = store.SaveBid(ctx, stale, testNow)

	require.ErrorIs(t, err, application.ErrWriteConflict)
	assert.Equal(t, before, stateOf(t, db, auctionID))
}

func TestAuctionStoreSaveBidOnAFinishedAuction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	a, ownerID := readAuction(ctx, t, store, auctionID)
	_, err := db.ExecContext(ctx, "UPDATE auctions SET status = 'failed' WHERE id = ?", auctionID)
	require.NoError(t, err)
	_, err = a.PlaceBid(auction.Participant{MemberID: alice, Available: 20_000}, ownerID, 10_000, testNow, 0)
	require.NoError(t, err)

	_, err = store.SaveBid(ctx, a, testNow)

	require.ErrorIs(t, err, application.ErrWriteConflict)
	assert.Zero(t, stateOf(t, db, auctionID).Bids)
}

func TestAuctionStoreSaveBidRefusesAnAuctionWithoutANewBid(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	owner := createMember(t, db, "painter")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	a, _ := readAuction(context.Background(), t, store, auctionID)

	_, err := store.SaveBid(context.Background(), a, testNow)

	require.Error(t, err)
	assert.Zero(t, stateOf(t, db, auctionID).Bids)
}

func TestAuctionStoreSaveBidJoinsTheCallersTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	before := stateOf(t, db, auctionID)

	err := postgres.NewTransactor(db).WithinTx(context.Background(), func(ctx context.Context) error {
		bidIn(ctx, t, store, auctionID, alice, 10_000, testNow)
		return assert.AnError
	})

	require.ErrorIs(t, err, assert.AnError)
	assert.Equal(t, before, stateOf(t, db, auctionID), "rolled back with the caller's transaction")
}

func TestAuctionStoreConcurrentSaveBidsOnOneCountHaveOneWinner(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	const n = 8
	bidders := make([]int64, n)
	for i := range bidders {
		bidders[i] = createMember(t, db, "bidder"+string(rune('a'+i)))
	}

	// Every bidder read the auction before any bid landed.
	read := make([]*auction.Auction, n)
	for i := range read {
		a, ownerID := readAuction(ctx, t, store, auctionID)
		_, err := a.PlaceBid(auction.Participant{MemberID: bidders[i], Available: 50_000}, ownerID, 10_000+int64(i)*100, testNow, 0)
		require.NoError(t, err)
		read[i] = a
	}

	conflicts := make([]bool, n)
	runConcurrently(t, n, func(i int) error {
		return postgres.NewTransactor(db).WithinTx(ctx, func(ctx context.Context) error {
			_, err := store.SaveBid(ctx, read[i], testNow)
			if errors.Is(err, application.ErrWriteConflict) {
				conflicts[i] = true
				return nil
			}
			return err
		})
	})

	won := 0
	for _, c := range conflicts {
		if !c {
			won++
		}
	}
	assert.Equal(t, 1, won, "one bid on a count of zero wins")
	st := stateOf(t, db, auctionID)
	assert.Equal(t, int64(1), st.BidCount)
	assert.Equal(t, int64(1), st.Bids)
	assert.Equal(t, st.HighestAmount, st.ArtPrice)
}

func TestAuctionStoreFinish(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	bob := createMember(t, db, "bob")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	bid(t, store, auctionID, alice, 10_000, testNow)
	stale, _ := readAuction(ctx, t, store, auctionID)
	bid(t, store, auctionID, bob, 10_100, testNow)
	a, _ := readAuction(ctx, t, store, auctionID)
	for _, ended := range []*auction.Auction{stale, a} {
		closing, err := ended.Close(testNow.Add(time.Hour))
		require.NoError(t, err)
		require.True(t, closing.Sold())
	}

	require.ErrorIs(t, store.Finish(ctx, stale), application.ErrWriteConflict, "read before the last bid")
	assert.Equal(t, "open", stateOf(t, db, auctionID).Status)
	require.NoError(t, store.Finish(ctx, a))
	assert.Equal(t, "closed", stateOf(t, db, auctionID).Status)
	require.ErrorIs(t, store.Finish(ctx, a), application.ErrWriteConflict, "closed exactly once")
	assert.Equal(t, 1, countRows(t, db, "auctions", "id = ? AND updated_at > created_at", auctionID))
}

func TestAuctionStoreFinishRefusesAnOpenAuction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	owner := createMember(t, db, "painter")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	a, _ := readAuction(context.Background(), t, store, auctionID)

	require.Error(t, store.Finish(context.Background(), a))
	assert.Equal(t, "open", stateOf(t, db, auctionID).Status)
}

func TestAuctionStoreDueForClose(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	_, endedLater := createAuctionArt(t, db, owner, "B", testNow.Add(-time.Minute))
	_, endedFirst := createAuctionArt(t, db, owner, "A", testNow.Add(-30*time.Minute))
	_, endsNow := createAuctionArt(t, db, owner, "C", testNow)
	_, tiedWithNow := createAuctionArt(t, db, owner, "D", testNow)
	createAuctionArt(t, db, owner, "Future", testNow.Add(time.Second))
	_, closed := createAuctionArt(t, db, owner, "Closed", testNow.Add(-time.Hour+time.Second))
	_, err := db.ExecContext(ctx, "UPDATE auctions SET status = 'failed' WHERE id = ?", closed)
	require.NoError(t, err)

	due, err := store.DueForClose(ctx, testNow, 10)
	require.NoError(t, err)
	assert.Equal(t, []application.DueAuction{
		{ID: endedFirst, EndAt: testNow.Add(-30 * time.Minute)},
		{ID: endedLater, EndAt: testNow.Add(-time.Minute)},
		{ID: endsNow, EndAt: testNow},
		{ID: tiedWithNow, EndAt: testNow},
	}, due)

	due, err = store.DueForClose(ctx, testNow, 2)
	require.NoError(t, err)
	require.Len(t, due, 2)
	assert.Equal(t, endedFirst, due[0].ID)

	due, err = store.DueForClose(ctx, testNow.Add(-2*time.Hour), 10)
	require.NoError(t, err)
	assert.Empty(t, due)
}

func TestAuctionStoreDetail(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	end := testNow.Add(time.Hour)
	artID, auctionID := createAuctionArt(t, db, owner, "Storm", end)

	d, err := store.Detail(ctx, auctionID)
	require.NoError(t, err)
	assert.Nil(t, d.HighestBidder)
	assert.Equal(t, artID, d.Art.Art.ID())
	assert.Equal(t, []string{"oil", "blue"}, d.Art.Art.Hashtags().List())
	assert.Equal(t, application.MemberRef{ID: owner, Nickname: "painter", School: "Seoul Arts"}, d.Art.Owner)
	assert.Equal(t, end, d.Art.AuctionEndAt)
	assert.Equal(t, int64(10_000), d.Auction.MinNextBid())

	bid(t, store, auctionID, alice, 10_500, testNow)
	d, err = store.Detail(ctx, auctionID)
	require.NoError(t, err)
	want, _ := readAuction(ctx, t, store, auctionID)
	assert.Equal(t, want, d.Auction)
	assert.Equal(t, &application.MemberRef{ID: alice, Nickname: "alice", School: "Seoul Arts"}, d.HighestBidder)
	assert.Equal(t, int64(10_500), d.Art.Art.CurrentPrice())
	assert.Equal(t, int64(1), d.Art.Art.BidCount())

	_, err = store.Detail(ctx, 404)
	require.ErrorIs(t, err, auction.ErrNotFound)
}

func TestAuctionStoreBidsPages(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	bob := createMember(t, db, "bob")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	_, other := createAuctionArt(t, db, owner, "Other", testNow.Add(time.Hour))
	bid(t, store, other, alice, 10_000, testNow)
	var ids []int64
	for i := range 5 {
		bidder := alice
		if i%2 == 1 {
			bidder = bob
		}
		ids = append(ids, bid(t, store, auctionID, bidder, 10_000+int64(i)*100, testNow))
	}

	page2, err := store.Bids(ctx, auctionID, mustPage(t, 2, 2))

	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: 5}, page2.Total)
	require.Len(t, page2.Items, 2)
	assert.Equal(t, []int64{ids[2], ids[1]}, []int64{page2.Items[0].ID, page2.Items[1].ID})
	assert.Equal(t, int64(10_100), page2.Items[1].Amount)
	assert.Equal(t, "bob", page2.Items[1].Bidder.Nickname)
	assert.Equal(t, application.Keyset{ids[1]}, page2.Next, "page 3 starts after the last bid of page 2")

	page3, err := store.Bids(ctx, auctionID, afterPage(t, page2.Next, 2))
	require.NoError(t, err)
	assert.Equal(t, []int64{ids[0]}, []int64{page3.Items[0].ID}, "the page after the cursor")
	assert.Nil(t, page3.Next, "the last page")
	assert.Zero(t, page3.Total, "a cursor page does not count")

	past, err := store.Bids(ctx, auctionID, mustPage(t, 4, 2))
	require.NoError(t, err)
	assert.Empty(t, past.Items)
	assert.Equal(t, application.Total{Count: 5}, past.Total, "past the last page, the total still")

	_, err = store.Bids(ctx, 404, mustPage(t, 1, 20))
	assert.ErrorIs(t, err, auction.ErrNotFound)

	_, err = store.Bids(ctx, auctionID, afterPage(t, application.Keyset{ids[1], 7}, 2))
	assert.ErrorIs(t, err, application.ErrInvalidCursor, "a bid keyset is one id")
}

func TestAuctionStoreBidsWithoutBids(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	owner := createMember(t, db, "painter")
	_, auctionID := createAuctionArt(t, db, owner, "Quiet", testNow.Add(time.Hour))

	page, err := postgres.NewAuctionStore(db).Bids(context.Background(), auctionID, mustPage(t, 1, 20))

	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Zero(t, page.Total)
	assert.Nil(t, page.Next)
}

func TestAuctionStoreMemberBids(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	purchases := postgres.NewPurchaseStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	bob := createMember(t, db, "bob")
	_, first := createAuctionArt(t, db, owner, "First", testNow.Add(time.Hour))
	secondArt, second := createAuctionArt(t, db, owner, "Second", testNow.Add(time.Hour))
	_, third := createAuctionArt(t, db, owner, "Third", testNow.Add(time.Hour))
	_, untouched := createAuctionArt(t, db, owner, "Untouched", testNow.Add(time.Hour))
	bid(t, store, untouched, bob, 10_000, testNow)

	// Alice bids on first, second, third; then again on first, so first is her latest.
	bid(t, store, first, alice, 10_000, testNow)
	bid(t, store, second, alice, 10_000, testNow)
	bid(t, store, second, bob, 10_500, testNow)
	bid(t, store, second, alice, 11_000, testNow)
	bid(t, store, third, alice, 10_000, testNow)
	bid(t, store, third, bob, 12_000, testNow)
	bid(t, store, first, bob, 10_200, testNow)
	bid(t, store, first, alice, 10_400, testNow)
	// Second ends, sold to Alice.
	a, _ := readAuction(ctx, t, store, second)
	_, err := a.Close(testNow.Add(time.Hour))
	require.NoError(t, err)
	require.NoError(t, store.Finish(ctx, a))
	p, err := purchase.New(secondArt, alice, owner, 11_000, purchase.KindAuction, testNow.Add(time.Hour))
	require.NoError(t, err)
	_, err = purchases.Create(ctx, p)
	require.NoError(t, err)

	all, err := store.MemberBids(ctx, alice, mustPage(t, 1, 20))

	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: 3}, all.Total)
	items := all.Items
	require.Len(t, items, 3)
	assert.Equal(t, []int64{first, third, second}, []int64{items[0].Auction.ID(), items[1].Auction.ID(), items[2].Auction.ID()})
	assert.Equal(t, []int64{10_400, 10_000, 11_000}, []int64{items[0].MyBid, items[1].MyBid, items[2].MyBid})
	assert.Equal(t, []int64{0, 0, alice}, []int64{items[0].BuyerID, items[1].BuyerID, items[2].BuyerID})
	assert.Equal(t, []string{application.StandingLeading, application.StandingOutbid, application.StandingWon},
		[]string{items[0].Standing(alice), items[1].Standing(alice), items[2].Standing(alice)})
	assert.Equal(t, "Third", items[1].Art.Art.Name())
	assert.Equal(t, []string{"oil", "blue"}, items[1].Art.Art.Hashtags().List())
	assert.Equal(t, "painter", items[1].Art.Owner.Nickname)
	assert.Equal(t, testNow.Add(time.Hour), items[1].Art.AuctionEndAt)
	assert.Equal(t, int64(12_000), items[1].Auction.HighestAmount())
	assert.Equal(t, auction.StatusClosed, items[2].Auction.StoredStatus())

	page1, err := store.MemberBids(ctx, alice, mustPage(t, 1, 2))
	require.NoError(t, err)
	require.NotNil(t, page1.Next)
	page2, err := store.MemberBids(ctx, alice, mustPage(t, 2, 2))
	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: 3}, page2.Total)
	require.Len(t, page2.Items, 1)
	assert.Equal(t, second, page2.Items[0].Auction.ID())
	assert.Nil(t, page2.Next)
	byCursor, err := store.MemberBids(ctx, alice, afterPage(t, page1.Next, 2))
	require.NoError(t, err)
	require.Len(t, byCursor.Items, 1)
	assert.Equal(t, second, byCursor.Items[0].Auction.ID(), "the cursor page is the second page")
	assert.Nil(t, byCursor.Next)

	bobs, err := store.MemberBids(ctx, bob, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: 4}, bobs.Total)
	assert.Equal(t, first, bobs.Items[0].Auction.ID())
	assert.Equal(t, application.StandingLost, bobs.Items[2].Standing(bob), "second was sold to Alice")

	none, err := store.MemberBids(ctx, owner, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Zero(t, none.Total)
	assert.Empty(t, none.Items)

	past, err := store.MemberBids(ctx, alice, mustPage(t, 5, 2))
	require.NoError(t, err)
	assert.Empty(t, past.Items)
	assert.Equal(t, application.Total{Count: 3}, past.Total, "past the last page, the total still")
}

func TestAuctionStoreReplaysBidsAfterACount(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	bob := createMember(t, db, "bob")
	_, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))
	_, other := createAuctionArt(t, db, owner, "Calm", testNow.Add(time.Hour))
	bid(t, store, auctionID, alice, 10_000, testNow)
	bid(t, store, other, alice, 10_000, testNow)
	bid(t, store, auctionID, bob, 12_000, testNow.Add(time.Minute))
	bid(t, store, auctionID, alice, 13_000, testNow.Add(2*time.Minute))

	count, err := store.BidCount(ctx, auctionID)
	require.NoError(t, err)
	assert.Equal(t, int64(3), count)
	_, err = store.BidCount(ctx, 404)
	require.ErrorIs(t, err, auction.ErrNotFound)

	after1, err := store.BidsAfter(ctx, auctionID, 1, 0)
	require.NoError(t, err)
	require.Len(t, after1, 2)
	assert.Equal(t, []int64{12_000, 13_000}, []int64{after1[0].Amount, after1[1].Amount})
	assert.Equal(t, application.MemberRef{ID: bob, Nickname: "bob", School: "Seoul Arts"}, after1[0].Bidder)
	assert.Equal(t, testNow.Add(time.Minute), after1[0].CreatedAt)

	limited, err := store.BidsAfter(ctx, auctionID, 0, 1)
	require.NoError(t, err)
	require.Len(t, limited, 1)
	assert.Equal(t, int64(10_000), limited[0].Amount)

	none, err := store.BidsAfter(ctx, auctionID, 3, 0)
	require.NoError(t, err)
	assert.Empty(t, none)
}

func TestAuctionStoreSaleOfAnEndedAuction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewAuctionStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	alice := createMember(t, db, "alice")
	artID, auctionID := createAuctionArt(t, db, owner, "Storm", testNow.Add(time.Hour))

	_, _, sold, err := store.Sale(ctx, auctionID)
	require.NoError(t, err)
	assert.False(t, sold)

	p, err := purchase.New(artID, alice, owner, 11_000, purchase.KindBuyNow, testNow)
	require.NoError(t, err)
	_, err = postgres.NewPurchaseStore(db).Create(ctx, p)
	require.NoError(t, err)

	buyer, price, sold, err := store.Sale(ctx, auctionID)
	require.NoError(t, err)
	assert.True(t, sold)
	assert.Equal(t, int64(11_000), price)
	assert.Equal(t, application.MemberRef{ID: alice, Nickname: "alice", School: "Seoul Arts"}, buyer)
}
