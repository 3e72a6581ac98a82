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
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
)

func (f tradingFixture) purchaseArt() *application.PurchaseArt {
	return application.NewPurchaseArt(f.guard, f.arts, f.sales, f.wallet, f.points, f.purchases, f.members, f.outbox, f.clock)
}

// expectArtReads makes the guarded function find art 42 and the buyer's balance.
func (f tradingFixture) expectArtReads(a *art.Art, buyerID, available int64) *gomock.Call {
	byID := f.arts.EXPECT().ByID(inTx(), int64(42)).Return(a, nil)
	return f.wallet.EXPECT().Balance(inTx(), buyerID).Return(point.RestoreBalance(available, available), nil).After(byID)
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
	f.arts.EXPECT().ByID(inTx(), int64(42)).Return(nil, art.ErrNotFound)

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
	tests := []struct {
		name    string
		buyerID int64
		moves   func(f tradingFixture) []any
	}{
		{
			name: "buyer above the seller: seller first", buyerID: bobID,
			moves: func(f tradingFixture) []any {
				return []any{
					f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil),
					f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil),
				}
			},
		},
		{
			name: "buyer below the seller: buyer first", buyerID: annID,
			moves: func(f tradingFixture) []any {
				return []any{
					f.wallet.EXPECT().Pay(inTx(), annID, int64(5000), int64(0)).Return(nil),
					f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil),
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newTradingFixture(t)
			p := mustPurchase(t, 42, tt.buyerID, aliceID, 5000, purchase.KindGeneral)
			view := purchaseView(91, p)
			// WithArt, never WithAuction: gomock fails on the other.
			f.expectArtGuard(42)
			calls := []any{
				f.expectArtReads(storedArt(), tt.buyerID, 5000),
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil),
			}
			calls = append(calls, tt.moves(f)...)
			calls = append(calls,
				f.purchases.EXPECT().Create(inTx(), p).Return(int64(91), nil),
				f.points.EXPECT().AppendLedger(inTx(), ledgerEntry(tt.buyerID, point.EntryPurchase, 5000, 42)).Return(nil),
				f.points.EXPECT().AppendLedger(inTx(), ledgerEntry(aliceID, point.EntrySale, 5000, 42)).Return(nil),
				f.expectTradeMail(tt.buyerID, subjectPurchased, "42", "5000"),
				f.expectTradeMail(aliceID, subjectSold, "42", "5000"),
				f.purchases.EXPECT().Get(outsideTx(), int64(91)).Return(view, nil),
			)
			gomock.InOrder(calls...)

			got, err := f.purchaseArt().Execute(context.Background(), 42, tt.buyerID)

			require.NoError(t, err)
			assert.Equal(t, view, got)
		})
	}
}

func TestPurchaseArtFailuresInsideTheGuard(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(f tradingFixture)
		want    error
	}{
		{
			name: "reading the balance fails",
			arrange: func(f tradingFixture) {
				f.arts.EXPECT().ByID(inTx(), int64(42)).Return(storedArt(), nil)
				f.wallet.EXPECT().Balance(inTx(), bobID).Return(point.Balance{}, boom)
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
				f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil)
				f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(0), art.ErrSold)
			},
			want: art.ErrSold,
		},
		{
			name: "the points were spent meanwhile",
			arrange: func(f tradingFixture) {
				f.expectArtReads(storedArt(), bobID, 5000)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil)
				f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(point.ErrInsufficientPoints)
			},
			want: point.ErrInsufficientPoints,
		},
		{
			name: "the sold mail fails",
			arrange: func(f tradingFixture) {
				f.expectArtReads(storedArt(), bobID, 5000)
				f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
				f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil)
				f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil)
				f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(91), nil)
				f.points.EXPECT().AppendLedger(inTx(), gomock.Any()).Return(nil).Times(2)
				f.expectTradeMail(bobID, subjectPurchased)
				f.members.EXPECT().ByID(inTx(), aliceID).Return(tradeMember(aliceID), nil)
				f.outbox.EXPECT().Enqueue(inTx(), gomock.Any()).Return(boom)
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

func TestPurchaseArtReadingThePurchaseBackFails(t *testing.T) {
	f := newTradingFixture(t)
	boom := errors.New("boom")
	f.expectArtGuard(42)
	f.expectArtReads(storedArt(), bobID, 5000)
	f.sales.EXPECT().MarkSold(inTx(), int64(42), int64(5000)).Return(nil)
	f.wallet.EXPECT().Receive(inTx(), aliceID, int64(5000)).Return(nil)
	f.wallet.EXPECT().Pay(inTx(), bobID, int64(5000), int64(0)).Return(nil)
	f.purchases.EXPECT().Create(inTx(), gomock.Any()).Return(int64(91), nil)
	f.points.EXPECT().AppendLedger(inTx(), gomock.Any()).Return(nil).Times(2)
	f.expectTradeMail(bobID, subjectPurchased)
	f.expectTradeMail(aliceID, subjectSold)
	f.purchases.EXPECT().Get(outsideTx(), int64(91)).Return(application.PurchaseView{}, boom)

	_, err := f.purchaseArt().Execute(context.Background(), 42, bobID)

	require.ErrorIs(t, err, boom)
}
