package application

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
)

// saleSettler moves the points of a sale, records the purchase and its ledger
// entries; buy-now, the closer and general purchases share it.
type saleSettler struct {
	wallet    Wallet
	points    PointStore
	purchases PurchaseStore
	arts      ArtSales
}

// settle runs inside the guard's transaction. Member rows are touched in
// ascending id order, the lock order that keeps concurrent trades deadlock-free.
func (s saleSettler) settle(ctx context.Context, st auction.Settlement, artID, sellerID int64, kind purchase.Kind, now time.Time) (int64, error) {
	if err := s.arts.MarkSold(ctx, artID, st.Price); err != nil {
		return 0, fmt.Errorf("mark art %d sold: %w", artID, err)
	}
	type move struct {
		memberID int64
		apply    func() error
	}
	moves := []move{
		{st.BuyerID, func() error { return s.wallet.Pay(ctx, st.BuyerID, st.Price, st.BuyerHeld) }},
		{sellerID, func() error { return s.wallet.Receive(ctx, sellerID, st.Price) }},
	}
	if st.ReleasedID != 0 {
		moves = append(moves, move{st.ReleasedID, func() error { return s.wallet.Release(ctx, st.ReleasedID, st.ReleasedAmount) }})
	}
	slices.SortFunc(moves, func(a, b move) int { return cmp.Compare(a.memberID, b.memberID) })
	for _, m := range moves {
		if err := m.apply(); err != nil {
			return 0, fmt.Errorf("move points of member %d: %w", m.memberID, err)
		}
	}
	p, err := purchase.New(artID, st.BuyerID, sellerID, st.Price, kind, now)
	if err != nil {
		return 0, err
	}
	id, err := s.purchases.Create(ctx, p)
	if err != nil {
		return 0, fmt.Errorf("record purchase of art %d: %w", artID, err)
	}
	amount := point.Amount(st.Price)
	for _, e := range []point.LedgerEntry{
		point.NewLedgerEntry(st.BuyerID, point.EntryPurchase, amount, artID, now),
		point.NewLedgerEntry(sellerID, point.EntrySale, amount, artID, now),
	} {
		if err := s.points.AppendLedger(ctx, e); err != nil {
			return 0, fmt.Errorf("record ledger entry: %w", err)
		}
	}
	return id, nil
}
