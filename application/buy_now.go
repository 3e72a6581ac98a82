package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/purchase"
)

// BuyNow ends an open auction at once at its buy-now price.
type BuyNow struct {
	guard    AuctionGuard
	auctions AuctionStore
	wallet   Wallet
	settler  saleSettler
	notices  tradeNotifier
	events   EventPublisher
	clock    Clock
}

// NewBuyNow builds the use case.
func NewBuyNow(guard AuctionGuard, auctions AuctionStore, wallet Wallet, purchases PurchaseStore, arts ArtSales,
	notifier Notifier, events EventPublisher, notifications NotificationPublisher, clock Clock) *BuyNow {
	return &BuyNow{guard: guard, auctions: auctions, wallet: wallet,
		settler: saleSettler{wallet: wallet, purchases: purchases, arts: arts},
		notices: tradeNotifier{notifier: notifier, publisher: notifications}, events: events, clock: clock}
}

// Execute checks OWN_AUCTION, AUCTION_NOT_OPEN, BUY_NOW_UNAVAILABLE and
// INSUFFICIENT_POINTS in that order, then settles: the buyer pays, the previous
// leader's hold is released, the seller is paid; buyer and seller are mailed
// and notified, every other bidder notified auction_lost (nobody outbid). The answer is built from what
// the transaction read and wrote, so a committed sale is never an error.
func (uc *BuyNow) Execute(ctx context.Context, auctionID, buyerID int64) (PurchaseView, error) {
	var bought PurchaseView
	var ended *auction.Auction
	var made []notification.Notification
	err := uc.guard.WithAuction(ctx, auctionID, func(ctx context.Context) error {
		made = nil
		d, buyer, err := uc.auctions.GetForMember(ctx, auctionID, buyerID)
		if err != nil {
			return err
		}
		now := tradeTime(uc.clock)
		a, sold := d.Auction, d.Art.Art
		settlement, err := a.BuyNow(auction.Participant{MemberID: buyerID, Available: buyer.Balance.Available()}, sold.OwnerID(), now)
		if err != nil {
			return err
		}
		if err := uc.auctions.Finish(ctx, a); err != nil {
			return err
		}
		p, err := uc.settler.settle(ctx, settlement, sold.ID(), sold.OwnerID(), purchase.KindBuyNow, now)
		if err != nil {
			return err
		}
		made, err = uc.notices.write(ctx, saleNotices(sold.ID(), auctionID, sold.OwnerID(), buyerID, settlement.Price, now))
		if err != nil {
			return err
		}
		sold.SellAt(settlement.Price)
		ended = a
		bought = PurchaseView{Purchase: p, Art: d.Art, Buyer: buyer.Member, Seller: d.Art.Owner}
		return nil
	})
	if err != nil {
		return PurchaseView{}, fmt.Errorf("buy auction %d now: %w", auctionID, err)
	}
	uc.events.Publish(ctx, AuctionEvent{Kind: EventClosed, AuctionID: auctionID, Amount: bought.Purchase.Price(),
		BidderID: buyerID, BidderNickname: bought.Buyer.Nickname, BidCount: ended.BidCount(),
		EndAt: ended.Terms().EndAt(), Status: ended.StoredStatus(), At: bought.Purchase.PurchasedAt()})
	uc.notices.publish(ctx, made)
	return bought, nil
}
