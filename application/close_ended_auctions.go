package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/purchase"
)

// closeBatch bounds one run of the closer; the next run takes the rest.
const closeBatch = 100

// CloseEndedAuctions ends every auction whose end has passed: sold to the leader,
// or failed with the art unsold. Each close runs under the auction's guard, so
// it is serialized with bids, and is conditional, so with several instances each
// auction is closed exactly once.
type CloseEndedAuctions struct {
	guard    AuctionGuard
	auctions AuctionStore
	sales    ArtSales
	settler  saleSettler
	mails    tradeMailer
	events   EventPublisher
	metrics  TradeMetrics
	clock    Clock
}

// NewCloseEndedAuctions builds the use case.
func NewCloseEndedAuctions(guard AuctionGuard, auctions AuctionStore, sales ArtSales, wallet Wallet, points PointStore,
	purchases PurchaseStore, members MemberStore, outbox MailOutbox, events EventPublisher, metrics TradeMetrics,
	clock Clock) *CloseEndedAuctions {
	return &CloseEndedAuctions{guard: guard, auctions: auctions, sales: sales,
		settler: saleSettler{wallet: wallet, points: points, purchases: purchases, arts: sales},
		mails:   tradeMailer{members: members, outbox: outbox}, events: events, metrics: metrics, clock: clock}
}

// Execute closes what is due and returns how many auctions it ended; one
// auction's failure does not stop the others.
func (uc *CloseEndedAuctions) Execute(ctx context.Context) (int, error) {
	due, err := uc.auctions.DueForClose(ctx, uc.clock.Now(), closeBatch)
	if err != nil {
		return 0, fmt.Errorf("find auctions to close: %w", err)
	}
	closed := 0
	var errs []error
	for _, d := range due {
		ended, err := uc.closeOne(ctx, d.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("close auction %d: %w", d.ID, err))
			continue
		}
		if ended != nil {
			closed++
			now := uc.clock.Now()
			uc.metrics.CloseLag(now.Sub(ended.Terms().EndAt()))
			uc.events.Publish(ctx, AuctionEvent{Kind: EventClosed, AuctionID: ended.ID(), Amount: ended.HighestAmount(),
				BidderID: ended.HighestBidderID(), BidderNickname: uc.mails.nickname(ctx, ended.HighestBidderID()),
				BidCount: ended.BidCount(), EndAt: ended.Terms().EndAt(), Status: ended.StoredStatus(), At: now})
		}
	}
	return closed, errors.Join(errs...)
}

// closeOne returns the ended auction, or nil when someone else closed it first
// or a late bid extended it.
func (uc *CloseEndedAuctions) closeOne(ctx context.Context, auctionID int64) (*auction.Auction, error) {
	var ended *auction.Auction
	err := uc.guard.WithAuction(ctx, auctionID, func(ctx context.Context) error {
		ended = nil
		a, ownerID, err := uc.auctions.Get(ctx, auctionID)
		if err != nil {
			return err
		}
		now := uc.clock.Now()
		expected := a.BidCount()
		settlement, sold, err := a.Close(now)
		if errors.Is(err, auction.ErrNotOpen) || errors.Is(err, auction.ErrNotEnded) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := uc.auctions.Finish(ctx, a, expected); err != nil {
			return err
		}
		ended = a
		if !sold {
			if err := uc.sales.MarkUnsold(ctx, a.ArtID()); err != nil {
				return fmt.Errorf("mark art %d unsold: %w", a.ArtID(), err)
			}
			return uc.mails.unsold(ctx, ownerID, a.ArtID())
		}
		if _, err := uc.settler.settle(ctx, settlement, a.ArtID(), ownerID, purchase.KindAuction, now); err != nil {
			return err
		}
		if err := uc.mails.won(ctx, settlement.BuyerID, a.ArtID(), settlement.Price); err != nil {
			return err
		}
		return uc.mails.sold(ctx, ownerID, a.ArtID(), settlement.Price)
	})
	return ended, err
}
