package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/purchase"
)

// PurchaseArt buys a general art outright at its price.
type PurchaseArt struct {
	guard   AuctionGuard
	sales   ArtSales
	wallet  Wallet
	settler saleSettler
	notices tradeNotifier
	clock   Clock
}

// NewPurchaseArt builds the use case.
func NewPurchaseArt(guard AuctionGuard, sales ArtSales, wallet Wallet, purchases PurchaseStore, notifier Notifier,
	notifications NotificationPublisher, clock Clock) *PurchaseArt {
	return &PurchaseArt{guard: guard, sales: sales, wallet: wallet,
		settler: saleSettler{wallet: wallet, purchases: purchases, arts: sales},
		notices: tradeNotifier{notifier: notifier, publisher: notifications}, clock: clock}
}

// Execute checks OWN_ART, ART_SOLD, NOT_FOR_DIRECT_SALE and INSUFFICIENT_POINTS
// in that order; concurrent buyers of one art are serialized by its guard, and
// the purchase table's unique art is the last fence. Buyer and seller are
// mailed, the seller notified art_sold. The answer is built from
// what the transaction read and wrote, so a committed sale is never an error.
func (uc *PurchaseArt) Execute(ctx context.Context, artID, buyerID int64) (PurchaseView, error) {
	var bought PurchaseView
	var made []notification.Notification
	err := uc.guard.WithArt(ctx, artID, func(ctx context.Context) error {
		made = nil
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
		now := tradeTime(uc.clock)
		p, err := uc.settler.settle(ctx, settlement, artID, a.OwnerID(), purchase.KindGeneral, now)
		if err != nil {
			return err
		}
		made, err = uc.notices.write(ctx, Notices{
			Mails:         []MemberMail{purchasedMail(buyerID, artID, a.Price()), soldMail(a.OwnerID(), artID, a.Price())},
			Notifications: notification.ArtPurchased(artID, a.OwnerID(), buyerID, a.Price()),
			At:            now,
		})
		if err != nil {
			return err
		}
		bought = PurchaseView{Purchase: p, Art: s, Buyer: buyer.Member, Seller: s.Owner}
		return nil
	})
	if err != nil {
		return PurchaseView{}, fmt.Errorf("purchase art %d: %w", artID, err)
	}
	uc.notices.publish(ctx, made)
	return bought, nil
}
