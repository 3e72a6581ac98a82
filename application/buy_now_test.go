package application_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
)

func (f tradingFixture) buyNow() *application.BuyNow {
	return application.NewBuyNow(f.guard, f.auctions, f.wallet, f.purchases, f.sales, f.notifier, f.events, f.notes, f.clock)
}

func TestBuyNowPassesDomainRefusalsThroughWithoutWriting(t *testing.T) {
	tests := []struct {
		name      string
		auction   *auction.Auction
		buyerID   int64
		available int64
		want      error
	}{
		{name: "own auction", auction: storedAuction(), buyerID: aliceID, available: 100_000, want: auction.ErrOwnAuction},
		{name: "own auction, closed, no buy-now price: OWN_AUCTION first",
			auction: storedAuction(withoutBuyNow, auctionStatus(auction.StatusClosed)), buyerID: aliceID, want: auction.ErrOwnAuction},
		{name: "not open: bought out", auction: storedAuction(auctionStatus(auction.StatusBoughtOut)), buyerID: bobID, available: 100_000,
			want: auction.ErrNotOpen},
		{name: "not open: ended, no buy-now price, no points: AUCTION_NOT_OPEN first",
			auction: storedAuction(withoutBuyNow, auctionEndingAt(fixedTestNow)), buyerID: bobID, want: auction.ErrNotOpen},
		{name: "no buy-now price", auction: storedAuction(withoutBuyNow), buyerID: bobID, available: 100_000, want: auction.ErrBuyNowUnavailable},
		{name: "the highest bid reached the buy-now price, no points: BUY_NOW_UNAVAILABLE first",
			auction: storedAuction(auctionLedBy(annID, 5000)), buyerID: bobID, want: auction.ErrBuyNowUnavailable},
		{name: "insufficient points", auction: storedAuction(auctionLedBy(annID, 3000)), buyerID: bobID, available: 4999,
			want: point.ErrInsufficientPoints},
		{name: "the leader: available plus own hold one short", auction: storedAuction(auctionLedBy(bobID, 3000)), buyerID: bobID,
			available: 1999, want: point.ErrInsufficientPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			f.expectAuctionGuard(5)
			f.expectReads(tt.auction, tt.buyerID, tt.available)
			// No Finish, settlement, mail or event: gomock fails on them.

			_, err := f.buyNow().Execute(context.Background(), 5, tt.buyerID)

			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestBuyNowUnknownAuction(t *testing.T) {
	f := newTradingFixture(t)
	f.expectAuctionGuard(5)
	f.auctions.EXPECT().GetForMember(inTx(), int64(5), bobID).Return(application.AuctionDetail{}, application.Account{}, auction.ErrNotFound)

	_, err := f.buyNow().Execute(context.Background(), 5, bobID)

	require.ErrorIs(t, err, auction.ErrNotFound)
}

func TestBuyNowLockUnavailableWritesNothing(t *testing.T) {
	f := newTradingFixture(t)
	f.guard.EXPECT().WithAuction(gomock.Any(), int64(5), gomock.Any()).Return(application.ErrLockUnavailable)

	_, err := f.buyNow().Execute(context.Background(), 5, bobID)

	require.ErrorIs(t, err, application.ErrLockUnavailable)
}

// paid is the seller's side of a sale of price.
func paid(sellerID, price int64) application.PointMove {
	return application.PointMove{MemberID: sellerID, Total: price, Available: price}
}

// paying is the buyer's side of a sale of price, held of it already on hold.
func paying(buyerID, price, held int64) application.PointMove {
	return application.PointMove{MemberID: buyerID, Total: -price, Available: -(price - held)}
}

// released gives a previous leader's hold back.
func released(memberID, amount int64) application.PointMove {
	return application.PointMove{MemberID: memberID, Available: amount}
}

func TestBuyNowSettles(t *testing.T) {
	tests := []struct {
		name      string
		auction   *auction.Auction
		buyerID   int64
		available int64
		moves     []application.PointMove
	}{
		{
			name: "no bid yet: the buyer pays all from available", auction: storedAuction(), buyerID: bobID, available: 5000,
			moves: []application.PointMove{paying(bobID, 5000, 0), paid(aliceID, 5000)},
		},
		{
			name:    "ann leads: her hold is given back",
			auction: storedAuction(auctionLedBy(annID, 3000)), buyerID: bobID, available: 5000,
			moves: []application.PointMove{paying(bobID, 5000, 0), paid(aliceID, 5000), released(annID, 3000)},
		},
		{
			name:    "the buyer leads: their hold is spent, only the rest comes from available",
			auction: storedAuction(auctionLedBy(bobID, 3000)), buyerID: bobID, available: 2000,
			moves: []application.PointMove{paying(bobID, 5000, 3000), paid(aliceID, 5000)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			a := tt.auction
			ended := auctionState{ID: 5, ArtID: 42, Status: auction.StatusBoughtOut, HighestAmount: a.HighestAmount(),
				HighestBidderID: a.HighestBidderID(), BidCount: a.BidCount(), ReadBidCount: a.BidCount(), EndAt: tradeEnd}
			p := mustPurchase(t, 42, tt.buyerID, aliceID, 5000, purchase.KindBuyNow)

			f.expectAuctionGuard(5)
			gomock.InOrder(
				f.expectReads(a, tt.buyerID, tt.available),
				f.auctions.EXPECT().Finish(inTx(), auctionIn(ended)).Return(nil),
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil),
				f.expectMoves(tt.moves...).Return(nil),
				f.purchases.EXPECT().Create(inTx(), p).Return(int64(88), nil),
				// Buyer and seller are told; every other bidder lost, nobody was outbid.
				f.expectNotices(t, notification.AuctionSold(42, 5, aliceID, tt.buyerID, 5000),
					mailTo(tt.buyerID, subjectWon, "42", "5000"), mailTo(aliceID, subjectSold, "42", "5000")),
				f.expectPublish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 5, Amount: 5000, BidderID: tt.buyerID,
					BidCount: a.BidCount(), EndAt: tradeEnd, Status: auction.StatusBoughtOut, At: fixedTestNow}),
			)

			got, err := f.buyNow().Execute(context.Background(), 5, tt.buyerID)

			require.NoError(t, err)
			assert.Equal(t, recorded(88, p), got.Purchase)
			assert.Equal(t, tradeMemberRef(tt.buyerID), got.Buyer)
			assert.Equal(t, aliceRef, got.Seller)
			assert.Equal(t, int64(42), got.Art.Art.ID())
			assert.Equal(t, art.StatusSold, got.Art.Art.Status(), "the answer shows the art as the sale left it")
			assert.Equal(t, int64(5000), got.Art.Art.CurrentPrice())
			assert.Equal(t, tradeEnd, got.Art.AuctionEndAt)
		})
	}
}

func TestBuyNowFailuresInsideTheGuard(t *testing.T) {
	boom := errors.New("boom")
	settledUpTo := func(f tradingFixture) {
		f.expectReads(storedAuction(auctionLedBy(annID, 3000)), bobID, 5000)
		f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(nil)
	}
	moves := []application.PointMove{paying(bobID, 5000, 0), paid(aliceID, 5000), released(annID, 3000)}
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
			name: "the conditional finish loses: nothing is settled, the guard may retry",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(annID, 3000)), bobID, 5000)
				f.auctions.EXPECT().Finish(inTx(), gomock.Any()).Return(application.ErrWriteConflict)
			},
			want: application.ErrWriteConflict,
		},
		{
			name: "the art was sold meanwhile: no points move",
			arrange: func(f tradingFixture) {
				settledUpTo(f)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(art.ErrSold)
			},
			want: art.ErrSold,
		},
		{
			name: "paying finds the points gone: no purchase",
			arrange: func(f tradingFixture) {
				settledUpTo(f)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.expectMoves(moves...).Return(point.ErrInsufficientPoints)
			},
			want: point.ErrInsufficientPoints,
		},
		{
			name: "the purchase is refused by its unique art: no notice",
			arrange: func(f tradingFixture) {
				settledUpTo(f)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.expectMoves(moves...).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(0), art.ErrSold)
			},
			want: art.ErrSold,
		},
		{
			name: "the notices fail",
			arrange: func(f tradingFixture) {
				settledUpTo(f)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.expectMoves(moves...).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(88), nil)
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
			// No event: gomock fails on it.

			_, err := f.buyNow().Execute(context.Background(), 5, bobID)

			require.ErrorIs(t, err, tt.want)
		})
	}
}
