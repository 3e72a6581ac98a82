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
	"github.com/artauction/artauction/domain/point"
)

const testExtendWindow = 2 * time.Minute

func (f tradingFixture) placeBid() *application.PlaceBid {
	return application.NewPlaceBid(f.guard, f.auctions, f.wallet, f.members, f.outbox, f.events, f.metrics, f.clock, testExtendWindow)
}

func (f tradingFixture) placeBidWithoutSoftClose() *application.PlaceBid {
	return application.NewPlaceBid(f.guard, f.auctions, f.wallet, f.members, f.outbox, f.events, f.metrics, f.clock, 0)
}

func bid(bidderID, amount int64) application.PlaceBidCommand {
	return application.PlaceBidCommand{AuctionID: 5, BidderID: bidderID, Amount: amount}
}

// expectReads makes the guarded function find the auction and the bidder's balance.
func (f tradingFixture) expectReads(a *auction.Auction, bidderID, available int64) *gomock.Call {
	get := f.auctions.EXPECT().Get(inTx(), a.ID()).Return(a, aliceID, nil)
	return f.wallet.EXPECT().Balance(inTx(), bidderID).Return(point.RestoreBalance(available+50_000, available), nil).After(get)
}

func storedAuctionDetail() application.AuctionDetail {
	return application.AuctionDetail{Auction: storedAuction(auctionLedBy(bobID, 2100)), Art: application.ArtSummary{Art: storedArt(auctionArtWithBids)}}
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
			// No SaveBid, Hold, Release, mail, event or Detail: gomock fails on them.

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
	f.auctions.EXPECT().Get(inTx(), int64(5)).Return(nil, int64(0), auction.ErrNotFound)
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
	a := storedAuction()
	f.expectAuctionGuard(5)
	reads := f.expectReads(a, bobID, 1000)
	after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 1000, HighestBidderID: bobID, BidCount: 1, EndAt: tradeEnd}
	gomock.InOrder(
		reads,
		f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), int64(0), fixedTestNow).Return(int64(77), nil),
		f.wallet.EXPECT().Hold(inTx(), bobID, int64(1000)).Return(nil),
	)
	f.metrics.EXPECT().BidOutcome("accepted")
	detail := storedAuctionDetail()
	gomock.InOrder(
		f.auctions.EXPECT().Detail(outsideTx(), int64(5)).Return(detail, nil),
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 1000, BidderID: bobID,
			BidCount: 1, EndAt: tradeEnd, Status: auction.StatusOpen, At: fixedTestNow}),
	)
	// No Release, no mail: gomock fails on them.

	got, err := f.placeBid().Execute(context.Background(), bid(bobID, 1000))

	require.NoError(t, err)
	assert.Equal(t, application.PlacedBid{BidID: 77, Amount: 1000, BidderID: bobID, CreatedAt: fixedTestNow, Auction: detail}, got)
}

func TestPlaceBidMovesHoldsInAscendingMemberOrder(t *testing.T) {
	tests := []struct {
		name     string
		leaderID int64
		bidderID int64
		lowFirst func(f tradingFixture) []any
	}{
		{
			name: "the previous leader has the lower id: release, then hold", leaderID: annID, bidderID: bobID,
			lowFirst: func(f tradingFixture) []any {
				return []any{
					f.wallet.EXPECT().Release(inTx(), annID, int64(2000)).Return(nil),
					f.wallet.EXPECT().Hold(inTx(), bobID, int64(2100)).Return(nil),
				}
			},
		},
		{
			name: "the previous leader has the higher id: hold, then release", leaderID: carlID, bidderID: bobID,
			lowFirst: func(f tradingFixture) []any {
				return []any{
					f.wallet.EXPECT().Hold(inTx(), bobID, int64(2100)).Return(nil),
					f.wallet.EXPECT().Release(inTx(), carlID, int64(2000)).Return(nil),
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			a := storedAuction(auctionLedBy(tt.leaderID, 2000))
			f.expectAuctionGuard(5)
			reads := f.expectReads(a, tt.bidderID, 2100)
			after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 2100, HighestBidderID: tt.bidderID, BidCount: 4, EndAt: tradeEnd}
			save := f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), int64(3), fixedTestNow).Return(int64(78), nil).After(reads)
			moves := tt.lowFirst(f)
			calls := append([]any{save}, moves...)
			gomock.InOrder(calls...)
			f.expectTradeMail(tt.leaderID, subjectOutbid, "2100", "auction 5")
			f.metrics.EXPECT().BidOutcome("accepted")
			f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 2100, BidderID: tt.bidderID,
				BidCount: 4, EndAt: tradeEnd, Status: auction.StatusOpen, At: fixedTestNow})
			f.auctions.EXPECT().Detail(outsideTx(), int64(5)).Return(storedAuctionDetail(), nil)

			got, err := f.placeBid().Execute(context.Background(), bid(tt.bidderID, 2100))

			require.NoError(t, err)
			assert.Equal(t, int64(78), got.BidID)
		})
	}
}

func TestPlaceBidSoftCloseExtendsAndAnnouncesIt(t *testing.T) {
	f := newTradingFixture(t)
	end := fixedTestNow.Add(30 * time.Second)
	a := storedAuction(auctionEndingAt(end), auctionLedBy(annID, 2000))
	newEnd := fixedTestNow.Add(testExtendWindow)
	f.expectAuctionGuard(5)
	reads := f.expectReads(a, bobID, 100_000)
	after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 2500, HighestBidderID: bobID, BidCount: 4, EndAt: newEnd}
	f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), int64(3), fixedTestNow).Return(int64(79), nil).After(reads)
	f.wallet.EXPECT().Release(inTx(), annID, int64(2000)).Return(nil)
	f.wallet.EXPECT().Hold(inTx(), bobID, int64(2500)).Return(nil)
	f.expectTradeMail(annID, subjectOutbid)
	f.metrics.EXPECT().BidOutcome("accepted")
	gomock.InOrder(
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 2500, BidderID: bobID,
			BidCount: 4, EndAt: newEnd, Status: auction.StatusOpen, At: fixedTestNow}),
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventExtended, AuctionID: 5,
			BidCount: 4, EndAt: newEnd, Status: auction.StatusOpen, At: fixedTestNow}),
	)
	f.auctions.EXPECT().Detail(outsideTx(), int64(5)).Return(storedAuctionDetail(), nil)

	_, err := f.placeBid().Execute(context.Background(), bid(bobID, 2500))

	require.NoError(t, err)
}

func TestPlaceBidWithoutSoftCloseNeverExtends(t *testing.T) {
	f := newTradingFixture(t)
	end := fixedTestNow.Add(time.Second)
	a := storedAuction(auctionEndingAt(end))
	f.expectAuctionGuard(5)
	f.expectReads(a, bobID, 100_000)
	after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 1000, HighestBidderID: bobID, BidCount: 1, EndAt: end}
	f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), int64(0), fixedTestNow).Return(int64(79), nil)
	f.wallet.EXPECT().Hold(inTx(), bobID, int64(1000)).Return(nil)
	f.metrics.EXPECT().BidOutcome("accepted")
	// Only the bid event: an extended event would fail the test.
	f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 1000, BidderID: bobID,
		BidCount: 1, EndAt: end, Status: auction.StatusOpen, At: fixedTestNow})
	f.auctions.EXPECT().Detail(outsideTx(), int64(5)).Return(storedAuctionDetail(), nil)

	_, err := f.placeBidWithoutSoftClose().Execute(context.Background(), bid(bobID, 1000))

	require.NoError(t, err)
}

func TestPlaceBidWriteConflictGoesBackToTheGuard(t *testing.T) {
	f := newTradingFixture(t)
	f.expectGuardReturnsFnError(t, 5, application.ErrWriteConflict)
	f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
	f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), int64(3), fixedTestNow).Return(int64(0), application.ErrWriteConflict)
	f.metrics.EXPECT().BidOutcome(gomock.Any())
	// No hold, release, mail or event after the lost conditional write.

	_, err := f.placeBid().Execute(context.Background(), bid(bobID, 2100))

	require.ErrorIs(t, err, application.ErrWriteConflict)
}

func TestPlaceBidRetriedAfterAConflictDecidesOnWhatItReadsAgain(t *testing.T) {
	f := newTradingFixture(t)
	f.expectAuctionGuardRetrying(5, 3)
	// First attempt: ann leads; the conditional write loses to carl's bid.
	first := f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
	lost := f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), int64(3), fixedTestNow).Return(int64(0), application.ErrWriteConflict).After(first)
	// Second attempt: carl leads at 2100 with four bids.
	second := f.expectReads(storedAuction(func(r *auction.Record) {
		r.HighestBidderID, r.HighestAmount, r.BidCount = carlID, 2100, 4
	}), bobID, 100_000)
	second.After(lost)
	after := auctionState{ID: 5, ArtID: 42, Status: auction.StatusOpen, HighestAmount: 2500, HighestBidderID: bobID, BidCount: 5, EndAt: tradeEnd}
	gomock.InOrder(
		f.auctions.EXPECT().SaveBid(inTx(), auctionIn(after), int64(4), fixedTestNow).Return(int64(80), nil).After(second),
		f.wallet.EXPECT().Hold(inTx(), bobID, int64(2500)).Return(nil),
		f.wallet.EXPECT().Release(inTx(), carlID, int64(2100)).Return(nil),
	)
	f.expectTradeMail(carlID, subjectOutbid, "2500")
	f.metrics.EXPECT().BidOutcome("accepted")
	f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 2500, BidderID: bobID,
		BidCount: 5, EndAt: tradeEnd, Status: auction.StatusOpen, At: fixedTestNow})
	f.auctions.EXPECT().Detail(outsideTx(), int64(5)).Return(storedAuctionDetail(), nil)

	got, err := f.placeBid().Execute(context.Background(), bid(bobID, 2500))

	require.NoError(t, err)
	assert.Equal(t, int64(80), got.BidID)
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
			name: "reading the balance fails",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().Get(inTx(), int64(5)).Return(storedAuction(auctionLedBy(annID, 2000)), aliceID, nil)
				f.wallet.EXPECT().Balance(inTx(), bobID).Return(point.Balance{}, boom)
			},
			want: boom,
		},
		{
			name: "saving the bid fails: no holds move",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
				f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(int64(0), boom)
			},
			want: boom,
		},
		{
			name: "the hold finds the points gone: no mail",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(carlID, 2000)), bobID, 100_000)
				f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(int64(78), nil)
				f.wallet.EXPECT().Hold(inTx(), bobID, int64(2100)).Return(point.ErrInsufficientPoints)
			},
			want: point.ErrInsufficientPoints,
		},
		{
			name: "the hold fails after the release: no mail",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
				f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(int64(78), nil)
				f.wallet.EXPECT().Release(inTx(), annID, int64(2000)).Return(nil)
				f.wallet.EXPECT().Hold(inTx(), bobID, int64(2100)).Return(boom)
			},
			want: boom,
		},
		{
			name: "the release fails: the hold after it is not tried",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
				f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(int64(78), nil)
				f.wallet.EXPECT().Release(inTx(), annID, int64(2000)).Return(boom)
			},
			want: boom,
		},
		{
			name: "the outbid mail cannot be enqueued: the bid fails with it",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(annID, 2000)), bobID, 100_000)
				f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), gomock.Any(), gomock.Any()).Return(int64(78), nil)
				f.wallet.EXPECT().Release(inTx(), annID, int64(2000)).Return(nil)
				f.wallet.EXPECT().Hold(inTx(), bobID, int64(2100)).Return(nil)
				f.members.EXPECT().ByID(inTx(), annID).Return(tradeMember(annID), nil)
				f.outbox.EXPECT().Enqueue(inTx(), gomock.Any()).Return(boom)
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
			// No event and no Detail: gomock fails on them.

			_, err := f.placeBid().Execute(context.Background(), bid(bobID, 2100))

			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestPlaceBidAnnouncesEvenWhenReadingTheAuctionBackFails(t *testing.T) {
	f := newTradingFixture(t)
	boom := errors.New("boom")
	f.expectAuctionGuard(5)
	f.expectReads(storedAuction(), bobID, 100_000)
	f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), int64(0), fixedTestNow).Return(int64(77), nil)
	f.wallet.EXPECT().Hold(inTx(), bobID, int64(1000)).Return(nil)
	f.metrics.EXPECT().BidOutcome("accepted")
	gomock.InOrder(
		f.auctions.EXPECT().Detail(outsideTx(), int64(5)).Return(application.AuctionDetail{}, boom),
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 1000, BidderID: bobID,
			BidCount: 1, EndAt: tradeEnd, Status: auction.StatusOpen, At: fixedTestNow}),
	)

	_, err := f.placeBid().Execute(context.Background(), bid(bobID, 1000))

	require.ErrorIs(t, err, boom)
}

func TestPlaceBidNamesTheBidderFromTheAuctionReadBack(t *testing.T) {
	f := newTradingFixture(t)
	f.expectAuctionGuard(5)
	f.expectReads(storedAuction(), bobID, 100_000)
	f.auctions.EXPECT().SaveBid(inTx(), gomock.Any(), int64(0), fixedTestNow).Return(int64(77), nil)
	f.wallet.EXPECT().Hold(inTx(), bobID, int64(1000)).Return(nil)
	f.metrics.EXPECT().BidOutcome("accepted")
	detail := storedAuctionDetail()
	// A name the member store would not give: the event must take the read-back's.
	detail.HighestBidder = &application.MemberRef{ID: bobID, Nickname: "bob-as-read-back"}
	gomock.InOrder(
		f.auctions.EXPECT().Detail(outsideTx(), int64(5)).Return(detail, nil),
		f.expectPublish(t, application.AuctionEvent{Kind: application.EventBid, AuctionID: 5, Amount: 1000, BidderID: bobID,
			BidderNickname: "bob-as-read-back", BidCount: 1, EndAt: tradeEnd, Status: auction.StatusOpen, At: fixedTestNow}),
	)

	_, err := f.placeBid().Execute(context.Background(), bid(bobID, 1000))

	require.NoError(t, err)
}
