package application

import (
	"context"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/purchase"
)

// BuyNow ends an open auction at once at its buy-now price.
type BuyNow struct {
	guard     AuctionGuard
	auctions  AuctionStore
	wallet    Wallet
	settler   saleSettler
	mails     tradeMailer
	purchases PurchaseStore
	events    EventPublisher
	clock     Clock
}

// NewBuyNow builds the use case.
func NewBuyNow(guard AuctionGuard, auctions AuctionStore, wallet Wallet, points PointStore, purchases PurchaseStore,
	arts ArtSales, members MemberStore, outbox MailOutbox, events EventPublisher, clock Clock) *BuyNow {
	return &BuyNow{guard: guard, auctions: auctions, wallet: wallet,
		settler: saleSettler{wallet: wallet, points: points, purchases: purchases, arts: arts},
		mails:   tradeMailer{members: members, outbox: outbox}, purchases: purchases, events: events, clock: clock}
}

// Execute checks OWN_AUCTION, AUCTION_NOT_OPEN, BUY_NOW_UNAVAILABLE and
// INSUFFICIENT_POINTS in that order, then settles: the buyer pays, the previous
// leader's hold is released, the seller is paid.
func (uc *BuyNow) Execute(ctx context.Context, auctionID, buyerID int64) (PurchaseView, error) {
	var purchaseID int64
	var ended *auction.Auction
	var boughtAt time.Time
	err := uc.guard.WithAuction(ctx, auctionID, func(ctx context.Context) error {
		a, ownerID, err := uc.auctions.Get(ctx, auctionID)
		if err != nil {
			return err
		}
		balance, err := uc.wallet.Balance(ctx, buyerID)
		if err != nil {
			return fmt.Errorf("read buyer's balance: %w", err)
		}
		now := uc.clock.Now()
		expected := a.BidCount()
		settlement, err := a.BuyNow(auction.Participant{MemberID: buyerID, Available: balance.Available()}, ownerID, now)
		if err != nil {
			return err
		}
		if err := uc.auctions.Finish(ctx, a, expected); err != nil {
			return err
		}
		purchaseID, err = uc.settler.settle(ctx, settlement, a.ArtID(), ownerID, purchase.KindBuyNow, now)
		if err != nil {
			return err
		}
		if err := uc.mails.won(ctx, buyerID, a.ArtID(), settlement.Price); err != nil {
			return err
		}
		ended, boughtAt = a, now
		return uc.mails.sold(ctx, ownerID, a.ArtID(), settlement.Price)
	})
	if err != nil {
		return PurchaseView{}, fmt.Errorf("buy auction %d now: %w", auctionID, err)
	}
	// Announce before reading back: the sale has committed whatever the read gives.
	uc.events.Publish(ctx, AuctionEvent{Kind: EventClosed, AuctionID: auctionID, Amount: ended.Terms().BuyNowPrice(),
		BidderID: buyerID, BidderNickname: uc.mails.nickname(ctx, buyerID), BidCount: ended.BidCount(),
		EndAt: ended.Terms().EndAt(), Status: ended.StoredStatus(), At: boughtAt})
	p, err := uc.purchases.Get(ctx, purchaseID)
	if err != nil {
		return PurchaseView{}, fmt.Errorf("read purchase %d: %w", purchaseID, err)
	}
	return p, nil
}
