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
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
)

func (f tradingFixture) purchaseArt() *application.PurchaseArt {
	return application.NewPurchaseArt(f.guard, f.sales, f.wallet, f.purchases, f.notifier, f.notes, f.clock)
}

// expectArtReads makes the guarded function find art 42, as lists show it
// with its owner alice, and the buyer's account.
func (f tradingFixture) expectArtReads(a *art.Art, buyerID, available int64) *gomock.Call {
	get := f.sales.EXPECT().Get(inTx(), int64(42)).Return(application.ArtSummary{Art: a, Owner: aliceRef}, nil)
	return f.wallet.EXPECT().Account(inTx(), buyerID).Return(tradeAccount(buyerID, available), nil).After(get)
}

func auctionArtOnSale(r *art.Record) { r.Type = art.TypeAuction }

func TestPurchaseArtPassesDomainRefusalsThroughWithoutWriting(t *testing.T) {
	tests := []struct {
		name      string
		art       *art.Art
		buyerID   int64
		available int64
		want      error
	}{
		{name: "own art", art: storedArt(), buyerID: aliceID, available: 100_000, want: art.ErrOwnArt},
		{name: "own art, sold auction art, no points: OWN_ART first", art: storedArt(auctionArtWithBids, soldArt), buyerID: aliceID,
			want: art.ErrOwnArt},
		{name: "sold", art: storedArt(soldArt), buyerID: bobID, available: 100_000, want: art.ErrSold},
		{name: "sold auction art, no points: ART_SOLD before NOT_FOR_DIRECT_SALE", art: storedArt(auctionArtWithBids, soldArt),
			buyerID: bobID, want: art.ErrSold},
		{name: "auction art", art: storedArt(auctionArtOnSale), buyerID: bobID, available: 100_000, want: art.ErrNotForDirectSale},
		{name: "auction art, no points: NOT_FOR_DIRECT_SALE before INSUFFICIENT_POINTS", art: storedArt(auctionArtOnSale),
			buyerID: bobID, want: art.ErrNotForDirectSale},
		{name: "one point short", art: storedArt(), buyerID: bobID, available: 4999, want: point.ErrInsufficientPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			f.expectArtGuard(42)
			f.expectArtReads(tt.art, tt.buyerID, tt.available)
			// No sale, wallet move, purchase, ledger or mail: gomock fails on them.

			_, err := f.purchaseArt().Execute(context.Background(), 42, tt.buyerID)

			require.ErrorIs(t, err, tt.want)
		})
	}
}

func TestPurchaseArtUnknownArt(t *testing.T) {
	f := newTradingFixture(t)
	f.expectArtGuard(42)
	f.sales.EXPECT().Get(inTx(), int64(42)).Return(application.ArtSummary{}, art.ErrNotFound)

	_, err := f.purchaseArt().Execute(context.Background(), 42, bobID)

	require.ErrorIs(t, err, art.ErrNotFound)
}

func TestPurchaseArtLockUnavailableWritesNothing(t *testing.T) {
	f := newTradingFixture(t)
	f.guard.EXPECT().WithArt(gomock.Any(), int64(42), gomock.Any()).Return(application.ErrLockUnavailable)

	_, err := f.purchaseArt().Execute(context.Background(), 42, bobID)

	require.ErrorIs(t, err, application.ErrLockUnavailable)
}

func TestPurchaseArtSettlesUnderTheArtsGuard(t *testing.T) {
	for _, buyerID := range []int64{annID, bobID} {
		f := newTradingFixture(t)
		p := mustPurchase(t, 42, buyerID, aliceID, 5000, purchase.KindGeneral)
		// WithArt, never WithAuction: gomock fails on the other.
		f.expectArtGuard(42)
		gomock.InOrder(
			f.expectArtReads(storedArt(), buyerID, 5000),
			f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil),
			f.expectMoves(paying(buyerID, 5000, 0), paid(aliceID, 5000)).Return(nil),
			f.purchases.EXPECT().Create(inTx(), p).Return(int64(91), nil),
			f.expectNotices(t, notification.ArtPurchased(42, aliceID, buyerID, 5000),
				mailTo(buyerID, subjectPurchased, "42", "5000"), mailTo(aliceID, subjectSold, "42", "5000")),
		)

		got, err := f.purchaseArt().Execute(context.Background(), 42, buyerID)

		require.NoError(t, err, "buyer %d", buyerID)
		assert.Equal(t, recorded(91, p), got.Purchase)
		assert.Equal(t, tradeMemberRef(buyerID), got.Buyer)
		assert.Equal(t, aliceRef, got.Seller)
		assert.Equal(t, aliceRef, got.Art.Owner)
		assert.Equal(t, art.StatusSold, got.Art.Art.Status(), "the answer shows the art as the sale left it")
		assert.Equal(t, int64(5000), got.Art.Art.CurrentPrice())
	}
}

func TestPurchaseArtFailuresInsideTheGuard(t *testing.T) {
	boom := errors.New("boom")
	moves := []application.PointMove{paying(bobID, 5000, 0), paid(aliceID, 5000)}
	tests := []struct {
		name    string
		arrange func(f tradingFixture)
		want    error
	}{
		{
			name: "reading the account fails",
			arrange: func(f tradingFixture) {
				f.sales.EXPECT().Get(inTx(), int64(42)).Return(application.ArtSummary{Art: storedArt(), Owner: aliceRef}, nil)
				f.wallet.EXPECT().Account(inTx(), bobID).Return(application.Account{}, boom)
			},
			want: boom,
		},
		{
			name: "the art was sold meanwhile (conditional status write): no points move",
			arrange: func(f tradingFixture) {
				f.expectArtReads(storedArt(), bobID, 5000)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(art.ErrSold)
			},
			want: art.ErrSold,
		},
		{
			name: "the unique purchase of the art is the last fence",
			arrange: func(f tradingFixture) {
				f.expectArtReads(storedArt(), bobID, 5000)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.expectMoves(moves...).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(0), art.ErrSold)
			},
			want: art.ErrSold,
		},
		{
			name: "the points were spent meanwhile",
			arrange: func(f tradingFixture) {
				f.expectArtReads(storedArt(), bobID, 5000)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.expectMoves(moves...).Return(point.ErrInsufficientPoints)
			},
			want: point.ErrInsufficientPoints,
		},
		{
			name: "the mails fail",
			arrange: func(f tradingFixture) {
				f.expectArtReads(storedArt(), bobID, 5000)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.expectMoves(moves...).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(91), nil)
				f.notifier.EXPECT().Notify(inTx(), gomock.Any()).Return(nil, boom)
			},
			want: boom,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			f.expectArtGuard(42)
			tt.arrange(f)

			_, err := f.purchaseArt().Execute(context.Background(), 42, bobID)

			require.ErrorIs(t, err, tt.want)
		})
	}
}
