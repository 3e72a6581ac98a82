package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/purchase"
)

// PurchaseArt buys a general art outright at its price.
type PurchaseArt struct {
	guard   AuctionGuard
	sales   ArtSales
	wallet  Wallet
	settler saleSettler
	mails   tradeMailer
	clock   Clock
}

// NewPurchaseArt builds the use case.
func NewPurchaseArt(guard AuctionGuard, sales ArtSales, wallet Wallet, purchases PurchaseStore, mailbox MemberMailbox,
	clock Clock) *PurchaseArt {
	return &PurchaseArt{guard: guard, sales: sales, wallet: wallet,
		settler: saleSettler{wallet: wallet, purchases: purchases, arts: sales},
		mails:   tradeMailer{mailbox: mailbox}, clock: clock}
}

// Execute checks OWN_ART, ART_SOLD, NOT_FOR_DIRECT_SALE and INSUFFICIENT_POINTS
// in that order; concurrent buyers of one art are serialized by its guard, and
// the purchase table's unique art is the last fence. The answer is built from
// what the transaction read and wrote, so a committed sale is never an error.
func (uc *PurchaseArt) Execute(ctx context.Context, artID, buyerID int64) (PurchaseView, error) {
	var bought PurchaseView
	err := uc.guard.WithArt(ctx, artID, func(ctx context.Context) error {
		s, err := uc.sales.Get(ctx, artID)
		if err != nil {
			return err
		}
		buyer, err := uc.wallet.Account(ctx, buyerID)
		if err != nil {
			return fmt.Errorf("read buyer's balance: %w", err)
		}
		a := s.Art
		if err := a.Purchase(buyerID, buyer.Balance.Available()); err != nil {
			return err
		}
		settlement := auction.Settlement{BuyerID: buyerID, Price: a.Price()}
		p, err := uc.settler.settle(ctx, settlement, artID, a.OwnerID(), purchase.KindGeneral, tradeTime(uc.clock))
		if err != nil {
			return err
		}
		err = uc.mails.send(ctx, purchasedMail(buyerID, artID, a.Price()), soldMail(a.OwnerID(), artID, a.Price()))
		if err != nil {
			return err
		}
		bought = PurchaseView{Purchase: p, Art: s, Buyer: buyer.Member, Seller: s.Owner}
		return nil
	})
	if err != nil {
		return PurchaseView{}, fmt.Errorf("purchase art %d: %w", artID, err)
	}
	return bought, nil
}
