package application_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/point"
)

const testExtendWindow = 2 * time.Minute

func (f tradingFixture) placeBid() *application.PlaceBid {
	return application.NewPlaceBid(f.guard, f.auctions, f.wallet, f.notifier, f.events, f.notes, f.metrics, f.clock, testExtendWindow)
}

func (f tradingFixture) placeBidWithoutSoftClose() *application.PlaceBid {
	return application.NewPlaceBid(f.guard, f.auctions, f.wallet, f.notifier, f.events, f.notes, f.metrics, f.clock, 0)
}

func bid(bidderID, amount int64) application.PlaceBidCommand {
	return application.PlaceBidCommand{AuctionID: 5, BidderID: bidderID, Amount: amount}
}

// expectReads makes the guarded function find the auction, with its art and
// leader, and the member's account, in one read.
func (f tradingFixture) expectReads(a *auction.Auction, memberID, available int64) *gomock.Call {
	return f.auctions.EXPECT().GetForMember(inTx(), a.ID(), memberID).Return(auctionDetailOf(a), tradeAccount(memberID, available), nil)
}

// holdMoves are the moves of an accepted bid: the bidder's amount is held,
// the previous leader's hold (if any) given back.
func holdMoves(bidderID, amount, leaderID, leaderAmount int64) []application.PointMove {
	moves := []application.PointMove{{MemberID: bidderID, Available: -amount}}
	if leaderID != 0 {
		moves = append(moves, application.PointMove{MemberID: leaderID, Available: leaderAmount})
	}
	return moves
}

func TestPlaceBidRefusesAnAmountOutOfRange(t *testing.T) {
	for _, amount := range []int64{-1000, 0, point.MaxPrice + 1} {
		f := newTradingFixture(t)
		f.metrics.EXPECT().BidOutcome(gomock.Any()).AnyTimes()
		// No guard, no store: gomock fails on any call.

		_, err := f.placeBid().Execute(context.Background(), bid(bobID, amount))

		assert.Equal(t, []string{"amount"}, validationFieldNames(t, err), "amount %d", amount)
	}
}

func TestPlaceBidPassesDomainRefusalsThroughWithoutWriting(t *testing.T) {
	tests := []struct {
		name      string
		auction   *auction.Auction
		bidderID  int64
		available int64
		amount    int64
		want      error
		wantLabel string
	}{
		{name: "own auction", auction: storedAuction(), bidderID: aliceID, available: 100_000, amount: 1000,
			want: auction.ErrOwnAuction, wantLabel: "own_auction"},
		{name: "own auction that is closed: OWN_AUCTION first", auction: storedAuction(auctionStatus(auction.StatusClosed)),
			bidderID: aliceID, available: 0, amount: 1, want: auction.ErrOwnAuction, wantLabel: "own_auction"},
		{name: "not open: ended", auction: storedAuction(auctionEndingAt(fixedTestNow)), bidderID: bobID, available: 100_000, amount: 1000,
			want: auction.ErrNotOpen, wantLabel: "auction_not_open"},
		{name: "not open: bought out", auction: storedAuction(auctionStatus(auction.StatusBoughtOut)), bidderID: bobID, available: 100_000,
			amount: 1000, want: auction.ErrNotOpen, wantLabel: "auction_not_open"},
		{name: "not open: not started", auction: storedAuction(func(r *auction.Record) { r.StartAt = fixedTestNow.Add(time.Minute) }),
			bidderID: bobID, available: 100_000, amount: 1000, want: auction.ErrNotOpen, wantLabel: "auction_not_open"},
		{name: "already the highest bidder", auction: storedAuction(auctionLedBy(bobID, 2000)), bidderID: bobID, available: 100_000,
			amount: 2100, want: auction.ErrAlreadyHighestBidder, wantLabel: "already_highest_bidder"},
		{name: "use buy now", auction: storedAuction(auctionLedBy(annID, 2000)), bidderID: bobID, available: 100_000, amount: 5000,
			want: auction.ErrUseBuyNow, wantLabel: "use_buy_now"},
		{name: "insufficient points", auction: storedAuction(auctionLedBy(annID, 2000)), bidderID: bobID, available: 2099, amount: 2100,
			want: point.ErrInsufficientPoints, wantLabel: "insufficient_points"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			f.expectAuctionGuard(5)
			f.expectReads(tt.auction, tt.bidderID, tt.available)
			f.metrics.EXPECT().BidOutcome(tt.wantLabel)
			// No SaveBid, Move, mail or event: gomock fails on them.

			_, err := f.placeBid().Execute(context.Background(), bid(tt.bidderID, tt.amount))

			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestPlaceBidTooLowPassesTheMinimumThrough(t *testing.T) {
	tests := []struct {
		name    string
		auction *auction.Auction
		amount  int64
		wantMin int64
	}{
		{name: "first bid under the start price", auction: storedAuction(), amount: 999, wantMin: 1000},
		{name: "under highest + increment", auction: storedAuction(auctionLedBy(annID, 2000)), amount: 2099, wantMin: 2100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			f.expectAuctionGuard(5)
			f.expectReads(tt.auction, bobID, 100_000)
			f.metrics.EXPECT().BidOutcome("bid_too_low")

			_, err := f.placeBid().Execute(context.Background(), bid(bobID, tt.amount))

			var tooLow *auction.BidTooLowError
			require.ErrorAs(t, err, &tooLow)
			assert.Equal(t, tt.wantMin, tooLow.MinNextBid)
		})
	}
}

func TestPlaceBidUnknownAuction(t *testing.T) {
	f := newTradingFixture(t)
	f.expectAuctionGuard(5)
	f.auctions.EXPECT().GetForMember(inTx(), int64(5), bobID).Return(application.AuctionDetail{}, application.Account{}, auction.ErrNotFound)
	f.metrics.EXPECT().BidOutcome("auction_not_found")

	_, err := f.placeBid().Execute(context.Background(), bid(bobID, 1000))

	require.ErrorIs(t, err, auction.ErrNotFound)
}

func TestPlaceBidLockUnavailableWritesNothing(t *testing.T) {
	f := newTradingFixture(t)
	f.guard.EXPECT().WithAuction(gomock.Any(), int64(5), gomock.Any()).Return(application.ErrLockUnavailable)
	f.metrics.EXPECT().BidOutcome("lock_unavailable")
	// The guard never ran fn: no read, no write, no event.

	_, err := f.placeBid().Execute(context.Background(), bid(bobID, 1000))

	require.ErrorIs(t, err, application.ErrLockUnavailable)
}

func TestPlaceBidFirstBidHoldsAndSendsNoMail(t *testing.T) {
	f := newTradingFixture(t)
	f.expectAuctionGuard(5)
	after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 1000, HighestBidderID: bobID, BidCount: 1,
		ReadBidCount: 0, EndAt: tradeEnd}
	gomock.InOrder(
		f.expectReads(storedAuction(), bobID, 1000),
		f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), fixedTestNow).Return(int64(77), nil),
		f.expectMoves(holdMoves(bobID, 1000, 0, 0)...).Return(nil),
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 1000, BidderID: bobID,
			BidCount: 1, EndAt: tradeEnd, Status: auction.StatusOpen, At: fixedTestNow}),
	)
	f.metrics.EXPECT().BidOutcome("accepted")
	// No mail: gomock fails on it.

	got, err := f.placeBid().Execute(context.Background(), bid(bobID, 1000))

	require.NoError(t, err)
	assert.Equal(t, int64(77), got.BidID)
	assert.Equal(t, int64(1000), got.Amount)
	assert.Equal(t, bobID, got.BidderID)
	assert.Equal(t, fixedTestNow, got.CreatedAt)
}

// The answer is what the bid's own transaction read and left: nothing is read
// after the commit, so a bid that committed is never answered with an error.
func TestPlaceBidAnswersWithTheAuctionAsItsTransactionLeftIt(t *testing.T) {
	f := newTradingFixture(t)
	f.expectAuctionGuard(5)
	f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
	f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), fixedTestNow).Return(int64(78), nil)
	f.expectMoves(holdMoves(bobID, 2100, annID, 2000)...).Return(nil)
	f.expectNotices(t, notification.BidPlaced(42, 5, 2100, annID), mailTo(annID, subjectOutbid, "2100", "auction 5"))
	f.metrics.EXPECT().BidOutcome("accepted")
	f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 2100, BidderID: bobID,
		BidCount: 4, EndAt: tradeEnd, Status: auction.StatusOpen, At: fixedTestNow})
	// Strict mocks: a read of the auction, the art or the bidder after the commit fails the test.

	got, err := f.placeBid().Execute(context.Background(), bid(bobID, 2100))

	require.NoError(t, err)
	d := got.Auction
	assert.Equal(t, auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 2100, HighestBidderID: bobID,
		BidCount: 4, ReadBidCount: 3, EndAt: tradeEnd}, stateOf(d.Auction))
	assert.Equal(t, int64(2200), d.Auction.MinNextBid())
	assert.Equal(t, &application.MemberRef{ID: bobID, Nickname: tradeNickname(bobID), School: "Seoul Arts"}, d.HighestBidder,
		"the new leader, named by the account the bid read")
	assert.Equal(t, int64(42), d.Art.Art.ID())
	assert.Equal(t, int64(2100), d.Art.Art.CurrentPrice(), "the art shows the new highest bid")
	assert.Equal(t, int64(4), d.Art.Art.BidCount())
	assert.Equal(t, []string{"sunset", "oil"}, d.Art.Art.Hashtags().List())
	assert.Equal(t, aliceRef, d.Art.Owner)
	assert.Equal(t, tradeEnd, d.Art.AuctionEndAt)
}

func TestPlaceBidOutbidsTheLeader(t *testing.T) {
	for _, leaderID := range []int64{annID, carlID} {
		f := newTradingFixture(t)
		f.expectAuctionGuard(5)
		after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 2100, HighestBidderID: bobID,
			BidCount: 4, ReadBidCount: 3, EndAt: tradeEnd}
		gomock.InOrder(
			f.expectReads(storedAuction(auctionLedBy(leaderID, 2000)), bobID, 2100),
			f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), fixedTestNow).Return(int64(78), nil),
			// The wallet, not the use case, puts the members in ascending id order.
			f.expectMoves(holdMoves(bobID, 2100, leaderID, 2000)...).Return(nil),
			f.expectNotices(t, notification.BidPlaced(42, 5, 2100, leaderID), mailTo(leaderID, subjectOutbid, "2100", "auction 5")),
		)
		f.metrics.EXPECT().BidOutcome("accepted")
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 2100, BidderID: bobID,
			BidCount: 4, EndAt: tradeEnd, Status: auction.StatusOpen, At: fixedTestNow})

		got, err := f.placeBid().Execute(context.Background(), bid(bobID, 2100))

		require.NoError(t, err, "leader %d", leaderID)
		assert.Equal(t, int64(78), got.BidID)
	}
}

func TestPlaceBidSoftCloseExtendsAndAnnouncesIt(t *testing.T) {
	f := newTradingFixture(t)
	end := fixedTestNow.Add(30 * time.Second)
	newEnd := fixedTestNow.Add(testExtendWindow)
	f.expectAuctionGuard(5)
	reads := f.expectReads(storedAuction(auctionEndingAt(end), auctionLedBy(annID, 2000)), bobID, 100_000)
	after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 2500, HighestBidderID: bobID, BidCount: 4,
		ReadBidCount: 3, EndAt: newEnd}
	f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), fixedTestNow).Return(int64(79), nil).After(reads)
	f.expectMoves(holdMoves(bobID, 2500, annID, 2000)...).Return(nil)
	f.expectNotices(t, notification.BidPlaced(42, 5, 2500, annID), mailTo(annID, subjectOutbid))
	f.metrics.EXPECT().BidOutcome("accepted")
	gomock.InOrder(
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 2500, BidderID: bobID,
			BidCount: 4, EndAt: newEnd, Status: auction.StatusOpen, At: fixedTestNow}),
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventExtended, AuctionID: 5,
			BidCount: 4, EndAt: newEnd, Status: auction.StatusOpen, At: fixedTestNow}),
	)

	got, err := f.placeBid().Execute(context.Background(), bid(bobID, 2500))

	require.NoError(t, err)
	assert.Equal(t, newEnd, got.Auction.Auction.Terms().EndAt())
	assert.Equal(t, newEnd, got.Auction.Art.AuctionEndAt, "the art shows its auction's new end")
}

func TestPlaceBidWithoutSoftCloseNeverExtends(t *testing.T) {
	f := newTradingFixture(t)
	end := fixedTestNow.Add(time.Second)
	f.expectAuctionGuard(5)
	f.expectReads(storedAuction(auctionEndingAt(end)), bobID, 100_000)
	after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 1000, HighestBidderID: bobID, BidCount: 1, EndAt: end}
	f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), fixedTestNow).Return(int64(79), nil)
	f.expectMoves(holdMoves(bobID, 1000, 0, 0)...).Return(nil)
	f.metrics.EXPECT().BidOutcome("accepted")
	// Only the bid event: an extended event would fail the test.
	f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 1000, BidderID: bobID,
		BidCount: 1, EndAt: end, Status: auction.StatusOpen, At: fixedTestNow})

	_, err := f.placeBidWithoutSoftClose().Execute(context.Background(), bid(bobID, 1000))

	require.NoError(t, err)
}

func TestPlaceBidWriteConflictGoesBackToTheGuard(t *testing.T) {
	f := newTradingFixture(t)
	f.expectGuardReturnsFnError(t, 5, application.ErrWriteConflict)
	f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
	f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), fixedTestNow).Return(int64(0), application.ErrWriteConflict)
	f.metrics.EXPECT().BidOutcome(gomock.Any())
	// No move, mail or event after the lost conditional write.

	_, err := f.placeBid().Execute(context.Background(), bid(bobID, 2100))

	require.ErrorIs(t, err, application.ErrWriteConflict)
}

func TestPlaceBidRetriedAfterAConflictDecidesOnWhatItReadsAgain(t *testing.T) {
	f := newTradingFixture(t)
	f.expectAuctionGuardRetrying(5, 3)
	// First attempt: ann leads; the conditional write loses to carl's bid.
	first := f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
	lost := f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), fixedTestNow).Return(int64(0), application.ErrWriteConflict).After(first)
	// Second attempt: carl leads at 2100 with four bids.
	second := f.expectReads(storedAuction(func(r *auction.Record) {
		r.HighestBidderID, r.HighestAmount, r.BidCount = carlID, 2100, 4
	}), bobID, 100_000)
	second.After(lost)
	after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 2500, HighestBidderID: bobID, BidCount: 5,
		ReadBidCount: 4, EndAt: tradeEnd}
	gomock.InOrder(
		f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), fixedTestNow).Return(int64(80), nil).After(second),
		f.expectMoves(holdMoves(bobID, 2500, carlID, 2100)...).Return(nil),
		f.expectNotices(t, notification.BidPlaced(42, 5, 2500, carlID), mailTo(carlID, subjectOutbid, "2500")),
	)
	f.metrics.EXPECT().BidOutcome("accepted")
	f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 2500, BidderID: bobID,
		BidCount: 5, EndAt: tradeEnd, Status: auction.StatusOpen, At: fixedTestNow})

	got, err := f.placeBid().Execute(context.Background(), bid(bobID, 2500))

	require.NoError(t, err)
	assert.Equal(t, int64(80), got.BidID)
	assert.Equal(t, int64(5), got.Auction.Auction.BidCount(), "the answer is the attempt that committed")
	assert.Equal(t, 2, f.guardState.finished)
}

func TestPlaceBidFailuresInsideTheGuard(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(f tradingFixture)
		want    error
	}{
		{
			name: "reading the auction and the account fails",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().GetForMember(inTx(), int64(5), bobID).Return(application.AuctionDetail{}, application.Account{}, boom)
			},
			want: boom,
		},
		{
			name: "saving the bid fails: no points move",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
				f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), gomock.Any()).Return(int64(0), boom)
			},
			want: boom,
		},
		{
			name: "the hold finds the points gone: no mail",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(carlID, 2000)), bobID, 100_000)
				f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), gomock.Any()).Return(int64(78), nil)
				f.expectMoves(holdMoves(bobID, 2100, carlID, 2000)...).Return(point.ErrInsufficientPoints)
			},
			want: point.ErrInsufficientPoints,
		},
		{
			name: "moving the points fails: no mail",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
				f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), gomock.Any()).Return(int64(78), nil)
				f.expectMoves(holdMoves(bobID, 2100, annID, 2000)...).Return(boom)
			},
			want: boom,
		},
		{
			name: "the outbid mail cannot be enqueued: the bid fails with it",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
				f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), gomock.Any()).Return(int64(78), nil)
				f.expectMoves(holdMoves(bobID, 2100, annID, 2000)...).Return(nil)
				f.notifier.EXPECT().Notify(inTx(), gomock.Any()).Return(nil, boom)
			},
			want: boom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			f.expectAuctionGuard(5)
			tt.arrange(f)
			f.metrics.EXPECT().BidOutcome(gomock.Not("accepted"))
			// No event: gomock fails on it.

			_, err := f.placeBid().Execute(context.Background(), bid(bobID, 2100))

			require.ErrorIs(t, err, tt.want)
		})
	}
}

// A guard whose commit fails after fn succeeded: the bid did not happen, so
// nothing is announced and the caller gets the error.
func TestPlaceBidCommitFailureAnnouncesNothing(t *testing.T) {
	f := newTradingFixture(t)
	boom := errors.New("commit failed")
	f.guard.EXPECT().WithAuction(outsideTx(), int64(5), gomock.Any()).DoAndReturn(
		func(ctx context.Context, _ int64, fn func(context.Context) error) error {
			require.NoError(t, f.runGuarded(ctx, fn))
			return boom
		})
	f.expectReads(storedAuction(), bobID, 100_000)
	f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), fixedTestNow).Return(int64(77), nil)
	f.expectMoves(holdMoves(bobID, 1000, 0, 0)...).Return(nil)
	f.metrics.EXPECT().BidOutcome("error")
	// No event: gomock fails on it.

	_, err := f.placeBid().Execute(context.Background(), bid(bobID, 1000))

	require.ErrorIs(t, err, boom)
}
