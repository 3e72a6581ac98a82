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
	"github.com/artauction/artauction/domain/purchase"
)

// closeLag is how long before fixedTestNow the closer's auctions ended.
const closeLag = 3 * time.Second

var endedAt = fixedTestNow.Add(-closeLag)

func (f tradingFixture) closeEnded() *application.CloseEndedAuctions {
	return application.NewCloseEndedAuctions(f.guard, f.auctions, f.sales, f.wallet, f.purchases, f.notifier, f.events,
		f.notes, f.metrics, f.clock)
}

// endedAuction is a storedAuction whose end passed closeLag ago.
func endedAuction(edit ...func(*auction.Record)) *auction.Auction {
	return storedAuction(append([]func(*auction.Record){auctionEndingAt(endedAt)}, edit...)...)
}

func (f tradingFixture) expectDue(ids ...int64) *gomock.Call {
	due := make([]application.DueAuction, 0, len(ids))
	for _, id := range ids {
		due = append(due, application.DueAuction{ID: id, EndAt: endedAt})
	}
	return f.auctions.EXPECT().DueForClose(outsideTx(), fixedTestNow, 100).Return(due, nil)
}

func TestCloseEndedAuctionsFailsAnAuctionWithoutBids(t *testing.T) {
	f := newTradingFixture(t)
	a := endedAuction()
	f.expectDue(5)
	f.expectAuctionGuard(5)
	ended := auctionState{ID: 5, ArtID: 42, Status: auction.StatusFailed, EndAt: endedAt}
	gomock.InOrder(
		f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(a), nil),
		f.auctions.EXPECT().Finish(inTx(), auctionIn(ended)).Return(nil),
		f.sales.EXPECT().MarkUnsold(inTx(), int64(42)).Return(nil),
		f.expectNotices(t, notification.AuctionFailed(42, 5, aliceID, false), mailTo(aliceID, subjectUnsold, "42")),
		f.metrics.EXPECT().CloseLag(closeLag),
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 5, EndAt: endedAt,
			Status: auction.StatusFailed, At: fixedTestNow}),
	)
	// No wallet move, no purchase, no ledger: gomock fails on them.

	closed, err := f.closeEnded().Execute(context.Background())

	require.NoError(t, err)
	assert.Equal(t, 1, closed)
}

func TestCloseEndedAuctionsSellsToTheLeader(t *testing.T) {
	for _, winnerID := range []int64{annID, bobID} {
		f := newTradingFixture(t)
		a := endedAuction(auctionLedBy(winnerID, 2300))
		ended := auctionState{ID: 5, ArtID: 42, Status: auction.StatusClosed, HighestAmount: 2300, HighestBidderID: winnerID,
			BidCount: 3, ReadBidCount: 3, EndAt: endedAt}
		p := mustPurchase(t, 42, winnerID, aliceID, 2300, purchase.KindAuction)
		f.expectDue(5)
		f.expectAuctionGuard(5)
		gomock.InOrder(
			f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(a), nil),
			f.auctions.EXPECT().Finish(inTx(), auctionIn(ended)).Return(nil),
			f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(2300)).Return(nil),
			// The winner's hold pays for it all.
			f.expectMoves(paying(winnerID, 2300, 2300), paid(aliceID, 2300)).Return(nil),
			f.purchases.EXPECT().Create(inTx(), p).Return(int64(93), nil),
			f.expectNotices(t, notification.AuctionSold(42, 5, aliceID, winnerID, 2300),
				mailTo(winnerID, subjectWon, "42", "2300"), mailTo(aliceID, subjectSold, "42", "2300")),
			f.metrics.EXPECT().CloseLag(closeLag),
			f.expectPublish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 5, Amount: 2300,
				BidderID: winnerID, BidCount: 3, EndAt: endedAt, Status: auction.StatusClosed, At: fixedTestNow}),
		)
		// No mail to the bidders who lost, no release: gomock fails on them.

		closed, err := f.closeEnded().Execute(context.Background())

		require.NoError(t, err, "winner %d", winnerID)
		assert.Equal(t, 1, closed)
	}
}

func withReservePrice(price int64) func(*auction.Record) {
	return func(r *auction.Record) { r.ReservePrice = price }
}

func TestCloseEndedAuctionsFailsBelowTheReserve(t *testing.T) {
	f := newTradingFixture(t)
	a := endedAuction(withReservePrice(2500), auctionLedBy(bobID, 2300))
	ended := auctionState{ID: 5, ArtID: 42, Status: auction.StatusFailed, HighestAmount: 2300, HighestBidderID: bobID,
		BidCount: 3, ReadBidCount: 3, EndAt: endedAt}
	f.expectDue(5)
	f.expectAuctionGuard(5)
	gomock.InOrder(
		f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(a), nil),
		f.auctions.EXPECT().Finish(inTx(), auctionIn(ended)).Return(nil),
		f.sales.EXPECT().MarkUnsold(inTx(), int64(42)).Return(nil),
		// The leader's hold goes back; their total never moved.
		f.expectMoves(application.PointMove{MemberID: bobID, Available: 2300}).Return(nil),
		f.expectNotices(t, notification.AuctionFailed(42, 5, aliceID, true), mailTo(aliceID, subjectBelowReserve, "42", "2300", "2500")),
		f.metrics.EXPECT().CloseLag(closeLag),
		// Failed: no winner, whoever led.
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 5, BidCount: 3,
			EndAt: endedAt, Status: auction.StatusFailed, At: fixedTestNow}),
	)
	// No purchase, no ledger, no mail to the bidders (they are told auction_lost): gomock fails on them.

	closed, err := f.closeEnded().Execute(context.Background())

	require.NoError(t, err)
	assert.Equal(t, 1, closed)
}

func TestCloseEndedAuctionsSellsAtTheReserve(t *testing.T) {
	f := newTradingFixture(t)
	a := endedAuction(withReservePrice(2300), auctionLedBy(bobID, 2300))
	f.expectDue(5)
	f.expectAuctionGuard(5)
	gomock.InOrder(
		f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(a), nil),
		f.auctions.EXPECT().Finish(inTx(), auctionIn(auctionState{ID: 5, ArtID: 42, Status: auction.StatusClosed,
			HighestAmount: 2300, HighestBidderID: bobID, BidCount: 3, ReadBidCount: 3, EndAt: endedAt})).Return(nil),
		f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(2300)).Return(nil),
		f.expectMoves(paying(bobID, 2300, 2300), paid(aliceID, 2300)).Return(nil),
		f.purchases.EXPECT().Create(inTx(), mustPurchase(t, 42, bobID, aliceID, 2300, purchase.KindAuction)).Return(int64(93), nil),
		f.expectNotices(t, notification.AuctionSold(42, 5, aliceID, bobID, 2300),
			mailTo(bobID, subjectWon, "42", "2300"), mailTo(aliceID, subjectSold, "42", "2300")),
		f.metrics.EXPECT().CloseLag(closeLag),
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 5, Amount: 2300,
			BidderID: bobID, BidCount: 3, EndAt: endedAt, Status: auction.StatusClosed, At: fixedTestNow}),
	)

	closed, err := f.closeEnded().Execute(context.Background())

	require.NoError(t, err)
	assert.Equal(t, 1, closed)
}

func TestCloseEndedAuctionsSkipsWhatIsNoLongerDue(t *testing.T) {
	tests := []struct {
		name    string
		auction *auction.Auction
	}{
		{name: "closed by another instance", auction: endedAuction(auctionLedBy(bobID, 2300), auctionStatus(auction.StatusClosed))},
		{name: "bought out meanwhile", auction: endedAuction(auctionLedBy(bobID, 2300), auctionStatus(auction.StatusBoughtOut))},
		{name: "failed by another instance", auction: endedAuction(auctionStatus(auction.StatusFailed))},
		{name: "extended by a late bid", auction: storedAuction(auctionLedBy(bobID, 2300), auctionEndingAt(fixedTestNow.Add(time.Minute)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			f.expectDue(5)
			f.expectAuctionGuard(5)
			f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(tt.auction), nil)
			// No Finish, no settlement, no mail, no CloseLag, no event: gomock fails on them.

			closed, err := f.closeEnded().Execute(context.Background())

			require.NoError(t, err)
			assert.Zero(t, closed)
		})
	}
}

func TestCloseEndedAuctionsWithNothingDue(t *testing.T) {
	f := newTradingFixture(t)
	f.expectDue()

	closed, err := f.closeEnded().Execute(context.Background())

	require.NoError(t, err)
	assert.Zero(t, closed)
}

func TestCloseEndedAuctionsCannotFindWhatIsDue(t *testing.T) {
	f := newTradingFixture(t)
	boom := errors.New("boom")
	f.auctions.EXPECT().DueForClose(gomock.Any(), fixedTestNow, 100).Return(nil, boom)

	closed, err := f.closeEnded().Execute(context.Background())

	require.ErrorIs(t, err, boom)
	assert.Zero(t, closed)
}

func TestCloseEndedAuctionsOneFailureDoesNotStopTheOthers(t *testing.T) {
	f := newTradingFixture(t)
	boom := errors.New("boom")
	f.expectDue(5, 6, 7, 8, 9)

	// 5: the conditional finish fails.
	f.expectAuctionGuard(5)
	f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction()), nil)
	f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(boom)

	// 6: fails without bids, closed.
	f.expectAuctionGuard(6)
	f.auctions.EXPECT().Get(inTx(), int64(6)).Return(auctionDetailOf(endedAuction(auctionNumbered(6, 46))), nil)
	f.auctions.EXPECT().Finish(inTx(), auctionIn(auctionState{ID: 6, ArtID: 46, Status: auction.StatusFailed, EndAt: endedAt})).Return(nil)
	f.sales.EXPECT().MarkUnsold(inTx(), int64(46)).Return(nil)
	f.expectNotices(t, notification.AuctionFailed(46, 6, aliceID, false), mailTo(aliceID, subjectUnsold, "46"))

	// 7: the guard is busy.
	f.guard.EXPECT().WithAuction(gomock.Any(), int64(7), gomock.Any()).Return(application.ErrLockUnavailable)

	// 8: already closed elsewhere: skipped, not an error.
	f.expectAuctionGuard(8)
	f.auctions.EXPECT().Get(inTx(), int64(8)).Return(auctionDetailOf(endedAuction(auctionNumbered(8, 48), auctionStatus(auction.StatusFailed))), nil)

	// 9: sold to bob.
	f.expectAuctionGuard(9)
	f.auctions.EXPECT().Get(inTx(), int64(9)).Return(auctionDetailOf(endedAuction(auctionNumbered(9, 49), auctionLedBy(bobID, 2300))), nil)
	f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(nil)
	f.sales.EXPECT().MarkSold(inTx(), int64(49), int64(2300)).Return(nil)
	f.expectMoves(paying(bobID, 2300, 2300), paid(aliceID, 2300)).Return(nil)
	f.purchases.EXPECT().Create(inTx(), mustPurchase(t, 49, bobID, aliceID, 2300, purchase.KindAuction)).Return(int64(94), nil)
	f.expectNotices(t, notification.AuctionSold(49, 9, aliceID, bobID, 2300), mailTo(bobID, subjectWon, "49"), mailTo(aliceID, subjectSold, "49"))

	f.metrics.EXPECT().CloseLag(closeLag).Times(2)
	gomock.InOrder(
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 6, EndAt: endedAt,
			Status: auction.StatusFailed, At: fixedTestNow}),
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 9, Amount: 2300, BidderID: bobID,
			BidCount: 3, EndAt: endedAt, Status: auction.StatusClosed, At: fixedTestNow}),
	)

	closed, err := f.closeEnded().Execute(context.Background())

	assert.Equal(t, 2, closed)
	require.ErrorIs(t, err, boom)
	require.ErrorIs(t, err, application.ErrLockUnavailable)
	assert.Contains(t, err.Error(), "auction 5")
	assert.Contains(t, err.Error(), "auction 7")
	assert.NotContains(t, err.Error(), "auction 6")
	assert.NotContains(t, err.Error(), "auction 8")
	assert.NotContains(t, err.Error(), "auction 9")
}

func TestCloseEndedAuctionsFailuresInsideTheGuard(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(f tradingFixture)
		want    error
	}{
		{
			name: "the auction cannot be read",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().Get(inTx(), int64(5)).Return(application.AuctionDetail{}, boom)
			},
			want: boom,
		},
		{
			name: "the conditional finish loses: the guard would retry",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction(auctionLedBy(bobID, 2300))), nil)
				f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(application.ErrWriteConflict)
			},
			want: application.ErrWriteConflict,
		},
		{
			name: "marking the art unsold fails: no mail",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction()), nil)
				f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(nil)
				f.sales.EXPECT().MarkUnsold(inTx(), int64(42)).Return(boom)
			},
			want: boom,
		},
		{
			name: "the unsold notices fail",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction()), nil)
				f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(nil)
				f.sales.EXPECT().MarkUnsold(inTx(), int64(42)).Return(nil)
				f.notifier.EXPECT().Notify(inTx(), gomock.Any()).Return(nil, boom)
			},
			want: boom,
		},
		{
			name: "the release of a hold below the reserve fails: no mail",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction(withReservePrice(4000), auctionLedBy(bobID, 2300))), nil)
				f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(nil)
				f.sales.EXPECT().MarkUnsold(inTx(), int64(42)).Return(nil)
				f.expectMoves(application.PointMove{MemberID: bobID, Available: 2300}).Return(boom)
			},
			want: boom,
		},
		{
			name: "the winner's payment fails: no purchase",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction(auctionLedBy(bobID, 2300))), nil)
				f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(nil)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(2300)).Return(nil)
				f.expectMoves(paying(bobID, 2300, 2300), paid(aliceID, 2300)).Return(boom)
			},
			want: boom,
		},
		{
			name: "the mails fail",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction(auctionLedBy(bobID, 2300))), nil)
				f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(nil)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(2300)).Return(nil)
				f.expectMoves(paying(bobID, 2300, 2300), paid(aliceID, 2300)).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(93), nil)
				f.notifier.EXPECT().Notify(inTx(), gomock.Any()).Return(nil, boom)
			},
			want: boom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			f.expectDue(5)
			f.expectAuctionGuard(5)
			tt.arrange(f)
			// No CloseLag and no event for an auction that did not close.

			closed, err := f.closeEnded().Execute(context.Background())

			require.ErrorIs(t, err, tt.want)
			assert.Zero(t, closed)
		})
	}
}

func TestCloseEndedAuctionsRetriedCloseSeesTheLateBid(t *testing.T) {
	f := newTradingFixture(t)
	f.expectDue(5)
	f.expectAuctionGuardRetrying(5, 3)
	// First attempt: no bid yet, the conditional finish loses to a late bid
	// accepted just before the end.
	first := f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction()), nil)
	lost := f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(application.ErrWriteConflict).After(first)
	// Second attempt: the auction has that bid; it is sold, not failed.
	gomock.InOrder(
		lost,
		f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction(func(r *auction.Record) {
			r.HighestBidderID, r.HighestAmount, r.BidCount = bobID, 1000, 1
		})), nil),
		f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(nil),
		f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(1000)).Return(nil),
	)
	f.expectMoves(paying(bobID, 1000, 1000), paid(aliceID, 1000)).Return(nil)
	f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(93), nil)
	f.expectNotices(t, notification.AuctionSold(42, 5, aliceID, bobID, 1000), mailTo(bobID, subjectWon), mailTo(aliceID, subjectSold))
	f.metrics.EXPECT().CloseLag(closeLag)
	f.expectPublish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 5, Amount: 1000, BidderID: bobID,
		BidCount: 1, EndAt: endedAt, Status: auction.StatusClosed, At: fixedTestNow})
	// No MarkUnsold and no unsold mail from the lost first attempt.

	closed, err := f.closeEnded().Execute(context.Background())

	require.NoError(t, err)
	assert.Equal(t, 1, closed)
}

func TestCloseEndedAuctionsRetriedCloseFindsItClosedElsewhere(t *testing.T) {
	f := newTradingFixture(t)
	f.expectDue(5)
	f.expectAuctionGuardRetrying(5, 3)
	gomock.InOrder(
		// First attempt: finished, then a later conditional write loses.
		f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction()), nil),
		f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(nil),
		f.sales.EXPECT().MarkUnsold(inTx(), int64(42)).Return(application.ErrWriteConflict),
		// Second attempt: another instance closed it meanwhile.
		f.auctions.EXPECT().Get(inTx(), int64(5)).Return(auctionDetailOf(endedAuction(auctionStatus(auction.StatusFailed))), nil),
	)
	// The rolled-back first attempt had set the auction aside as ended; the
	// second must forget it: not counted, no CloseLag, no event.

	closed, err := f.closeEnded().Execute(context.Background())

	require.NoError(t, err)
	assert.Zero(t, closed)
}
