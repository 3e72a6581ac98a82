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
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
)

func (f tradingFixture) buyNow() *application.BuyNow {
	return application.NewBuyNow(f.guard, f.auctions, f.wallet, f.points, f.purchases, f.sales, f.members, f.outbox, f.events, f.clock)
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
	f.auctions.EXPECT().Get(inTx(), int64(5)).Return(nil, int64(0), auction.ErrNotFound)

	_, err := f.buyNow().Execute(context.Background(), 5, bobID)

	require.ErrorIs(t, err, auction.ErrNotFound)
}

func TestBuyNowLockUnavailableWritesNothing(t *testing.T) {
	f := newTradingFixture(t)
	f.guard.EXPECT().WithAuction(gomock.Any(), int64(5), gomock.Any()).Return(application.ErrLockUnavailable)

	_, err := f.buyNow().Execute(context.Background(), 5, bobID)

	require.ErrorIs(t, err, application.ErrLockUnavailable)
}

func TestBuyNowSettles(t *testing.T) {
	tests := []struct {
		name      string
		auction   *auction.Auction
		buyerID   int64
		available int64
		// moves are the wallet calls in the order they must come: ascending member id.
		moves func(f tradingFixture) []any
	}{
		{
			name: "no bid yet: the buyer (above the seller) pays all from available", auction: storedAuction(), buyerID: bobID, available: 5000,
			moves: func(f tradingFixture) []any {
				return []any{
					f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil),
					f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil),
				}
			},
		},
		{
			name:    "ann leads: her hold is released first, then the seller, then the buyer",
			auction: storedAuction(auctionLedBy(annID, 3000)), buyerID: bobID, available: 5000,
			moves: func(f tradingFixture) []any {
				return []any{
					f.wallet.EXPECT().Release(inTx(), annID, int64(3000)).Return(nil),
					f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil),
					f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil),
				}
			},
		},
		{
			name:    "the buyer has the lowest id and carl leads: buyer, seller, released leader",
			auction: storedAuction(auctionLedBy(carlID, 3000)), buyerID: annID, available: 5000,
			moves: func(f tradingFixture) []any {
				return []any{
					f.wallet.EXPECT().Pay(inTx(), annID, int64(5000), int64(0)).Return(nil),
					f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil),
					f.wallet.EXPECT().Release(inTx(), carlID, int64(3000)).Return(nil),
				}
			},
		},
		{
			name:    "the buyer leads: their hold is consumed, only the rest comes from available",
			auction: storedAuction(auctionLedBy(bobID, 3000)), buyerID: bobID, available: 2000,
			moves: func(f tradingFixture) []any {
				return []any{
					f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil),
					f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(3000)).Return(nil),
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			a := tt.auction
			expected := a.BidCount()
			ended := auctionState{ID: 5, ArtID: 42, Status: auction.StatusBoughtOut, HighestAmount: a.HighestAmount(),
				HighestBidderID: a.HighestBidderID(), BidCount: expected, EndAt: tradeEnd}
			p := mustPurchase(t, 42, tt.buyerID, aliceID, 5000, purchase.KindBuyNow)
			view := purchaseView(88, p)

			f.expectAuctionGuard(5)
			reads := f.expectReads(a, tt.buyerID, tt.available)
			calls := []any{
				reads,
				f.auctions.EXPECT().Finish(inTx(), auctionIn(ended), expected).Return(nil),
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil),
			}
			calls = append(calls, tt.moves(f)...)
			calls = append(calls,
				f.purchases.EXPECT().Create(inTx(), p).Return(int64(88), nil),
				f.points.EXPECT().AppendLedger(inTx(), ledgerEntry(tt.buyerID, point.EntryPurchase, 5000, 42)).Return(nil),
				f.points.EXPECT().AppendLedger(inTx(), ledgerEntry(aliceID, point.EntrySale, 5000, 42)).Return(nil),
				f.expectTradeMail(tt.buyerID, subjectWon, "42", "5000"),
				f.expectTradeMail(aliceID, subjectSold, "42", "5000"),
				f.expectPublish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 5, Amount: 5000, BidderID: tt.buyerID,
					BidCount: expected, EndAt: tradeEnd, Status: auction.StatusBoughtOut, At: fixedTestNow}),
				f.purchases.EXPECT().Get(outsideTx(), int64(88)).Return(view, nil),
			)
			gomock.InOrder(calls...)

			got, err := f.buyNow().Execute(context.Background(), 5, tt.buyerID)

			require.NoError(t, err)
			assert.Equal(t, view, got)
		})
	}
}

func TestBuyNowFailuresInsideTheGuard(t *testing.T) {
	boom := errors.New("boom")
	settledUpTo := func(f tradingFixture) {
		f.expectReads(storedAuction(auctionLedBy(annID, 3000)), bobID, 5000)
		f.auctions.EXPECT().Finish(inTx(), gomock.Any(), int64(3)).Return(nil)
	}
	tests := []struct {
		name    string
		arrange func(f tradingFixture)
		want    error
	}{
		{
			name: "reading the balance fails",
			arrange: func(f tradingFixture) {
				f.auctions.EXPECT().Get(inTx(), int64(5)).Return(storedAuction(), aliceID, nil)
				f.wallet.EXPECT().Balance(inTx(), bobID).Return(point.Balance{}, boom)
			},
			want: boom,
		},
		{
			name: "the conditional finish loses: nothing is settled, the guard may retry",
			arrange: func(f tradingFixture) {
				f.expectReads(storedAuction(auctionLedBy(annID, 3000)), bobID, 5000)
				f.auctions.EXPECT().Finish(inTx(), gomock.Any(), int64(3)).Return(application.ErrWriteConflict)
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
			name: "paying finds the points gone: the rest is not tried",
			arrange: func(f tradingFixture) {
				settledUpTo(f)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.wallet.EXPECT().Release(inTx(), annID, int64(3000)).Return(nil)
				f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil)
				f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(point.ErrInsufficientPoints)
			},
			want: point.ErrInsufficientPoints,
		},
		{
			name: "the purchase is refused by its unique art: no ledger",
			arrange: func(f tradingFixture) {
				settledUpTo(f)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.wallet.EXPECT().Release(inTx(), annID, int64(3000)).Return(nil)
				f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil)
				f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(0), art.ErrSold)
			},
			want: art.ErrSold,
		},
		{
			name: "the ledger fails",
			arrange: func(f tradingFixture) {
				settledUpTo(f)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.wallet.EXPECT().Release(inTx(), annID, int64(3000)).Return(nil)
				f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil)
				f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(88), nil)
				f.points.EXPECT().AppendLedger(inTx(), gomock.Any()).Return(boom)
			},
			want: boom,
		},
		{
			name: "the won mail fails",
			arrange: func(f tradingFixture) {
				settledUpTo(f)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.wallet.EXPECT().Release(inTx(), annID, int64(3000)).Return(nil)
				f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil)
				f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(88), nil)
				f.points.EXPECT().AppendLedger(inTx(), gomock.Any()).Return(nil).Times(2)
				f.members.EXPECT().ByID(inTx(), bobID).Return(nil, boom)
			},
			want: boom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			f.expectAuctionGuard(5)
			tt.arrange(f)
			// No purchase read and no event: gomock fails on them.

			_, err := f.buyNow().Execute(context.Background(), 5, bobID)

			require.ErrorIs(t, err, tt.want)
		})
	}
}

// The buy-now is committed once the guard returns: watchers must hear that the
// auction closed even when reading the purchase back for the answer fails.
// PlaceBid announces before its read-back; BuyNow announces only after it.
func TestBuyNowAnnouncesTheCloseEvenWhenReadingThePurchaseBackFails(t *testing.T) {
	f := newTradingFixture(t)
	boom := errors.New("boom")
	f.expectAuctionGuard(5)
	f.expectReads(storedAuction(), bobID, 5000)
	f.auctions.EXPECT().Finish(inTx(), gomock.Any(), int64(0)).Return(nil)
	f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
	f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil)
	f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil)
	f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(88), nil)
	f.points.EXPECT().AppendLedger(inTx(), gomock.Any()).Return(nil).Times(2)
	f.expectTradeMail(bobID, subjectWon)
	f.expectTradeMail(aliceID, subjectSold)
	f.purchases.EXPECT().Get(outsideTx(), int64(88)).Return(application.PurchaseView{}, boom)
	f.events.EXPECT().Publish(outsideTx(), gomock.Cond(func(e application.AuctionEvent) bool {
		return e.Kind == application.EventClosed && e.AuctionID == 5 && e.Status == auction.StatusBoughtOut &&
			e.BidderID == bobID && e.Amount == 5000
	}))

	_, err := f.buyNow().Execute(context.Background(), 5, bobID)

	require.ErrorIs(t, err, boom)
}
