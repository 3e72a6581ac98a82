package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/purchase"
)

// PurchaseArt buys a general art outright at its price.
type PurchaseArt struct {
	guard     AuctionGuard
	arts      ArtStore
	wallet    Wallet
	settler   saleSettler
	mails     tradeMailer
	purchases PurchaseStore
	clock     Clock
}

// NewPurchaseArt builds the use case.
func NewPurchaseArt(guard AuctionGuard, arts ArtStore, sales ArtSales, wallet Wallet, points PointStore,
	purchases PurchaseStore, members MemberStore, outbox MailOutbox, clock Clock) *PurchaseArt {
	return &PurchaseArt{guard: guard, arts: arts, wallet: wallet,
		settler: saleSettler{wallet: wallet, points: points, purchases: purchases, arts: sales},
		mails:   tradeMailer{members: members, outbox: outbox}, purchases: purchases, clock: clock}
}

// Execute checks OWN_ART, ART_SOLD, NOT_FOR_DIRECT_SALE and INSUFFICIENT_POINTS
// in that order; concurrent buyers of one art are serialized by its guard, and
// the purchase table's unique art is the last fence.
func (uc *PurchaseArt) Execute(ctx context.Context, artID, buyerID int64) (PurchaseView, error) {
	var purchaseID int64
	err := uc.guard.WithArt(ctx, artID, func(ctx context.Context) error {
		a, err := uc.arts.ByID(ctx, artID)
		if err != nil {
			return err
		}
		balance, err := uc.wallet.Balance(ctx, buyerID)
		if err != nil {
			return fmt.Errorf("read buyer's balance: %w", err)
		}
		if err := a.Purchase(buyerID, balance.Available()); err != nil {
			return err
		}
		settlement := auction.Settlement{BuyerID: buyerID, Price: a.Price()}
		purchaseID, err = uc.settler.settle(ctx, settlement, artID, a.OwnerID(), purchase.KindGeneral, uc.clock.Now())
		if err != nil {
			return err
		}
		if err := uc.mails.purchased(ctx, buyerID, artID, a.Price()); err != nil {
			return err
		}
		return uc.mails.sold(ctx, a.OwnerID(), artID, a.Price())
	})
	if err != nil {
		return PurchaseView{}, fmt.Errorf("purchase art %d: %w", artID, err)
	}
	p, err := uc.purchases.Get(ctx, purchaseID)
	if err != nil {
		return PurchaseView{}, fmt.Errorf("read purchase %d: %w", purchaseID, err)
	}
	return p, nil
}
