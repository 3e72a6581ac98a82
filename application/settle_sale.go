package application

import (
	"context"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/purchase"
)

// saleSettler moves the points of a sale and records it with its ledger
// entries; buy-now, the closer and general purchases share it.
type saleSettler struct {
	wallet    Wallet
	purchases PurchaseStore
	arts      ArtSales
}

// settle runs inside the guard's transaction, after the art's auction (if
// any): the art, then the members' points in one move (the wallet touches
// their rows in ascending id order, the lock order that keeps concurrent
// trades deadlock-free), then the purchase. It returns the recorded sale.
func (s saleSettler) settle(ctx context.Context, st auction.Settlement, artID, sellerID int64, kind purchase.Kind,
	now time.Time) (purchase.Purchase, error) {
	if err := s.arts.MarkSold(ctx, artID, st.Price); err != nil {
		return purchase.Purchase{}, fmt.Errorf("mark art %d sold: %w", artID, err)
	}
	moves := []PointMove{
		// The buyer's hold for this auction, if any, is spent rather than taken again.
		{MemberID: st.BuyerID, Total: -st.Price, Available: -(st.Price - st.BuyerHeld)},
		{MemberID: sellerID, Total: st.Price, Available: st.Price},
	}
	if st.ReleasedID != 0 {
		moves = append(moves, PointMove{MemberID: st.ReleasedID, Available: st.ReleasedAmount})
	}
	if err := s.wallet.Move(ctx, moves...); err != nil {
		return purchase.Purchase{}, fmt.Errorf("move the points of the sale of art %d: %w", artID, err)
	}
	p, err := purchase.New(artID, st.BuyerID, sellerID, st.Price, kind, now)
	if err != nil {
		return purchase.Purchase{}, err
	}
	id, err := s.purchases.Create(ctx, p)
	if err != nil {
		return purchase.Purchase{}, fmt.Errorf("record purchase of art %d: %w", artID, err)
	}
	return purchase.Restore(id, p.ArtID(), p.BuyerID(), p.SellerID(), p.Price(), p.Kind(), p.PurchasedAt()), nil
}

// tradeTime is now as storage keeps it, to the microsecond, so that an answer
// built from what a trade wrote shows the times a later read shows.
func tradeTime(clock Clock) time.Time {
	return clock.Now().Truncate(time.Microsecond)
}
