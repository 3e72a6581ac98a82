package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/purchase"
)

// closeBatch bounds one run of the closer; the next run takes the rest.
const closeBatch = 100

// CloseEndedAuctions ends every auction whose end has passed: sold to the leader,
// or failed with the art unsold. Each close runs under the auction's guard, so
// it is serialized with bids, and is conditional, so with several instances each
// auction is closed exactly once, and so are its mails and notifications.
type CloseEndedAuctions struct {
	guard    AuctionGuard
	auctions AuctionStore
	sales    ArtSales
	settler  saleSettler
	notices  tradeNotifier
	events   EventPublisher
	metrics  TradeMetrics
	clock    Clock
}

// NewCloseEndedAuctions builds the use case.
func NewCloseEndedAuctions(guard AuctionGuard, auctions AuctionStore, sales ArtSales, wallet Wallet,
	purchases PurchaseStore, notifier Notifier, events EventPublisher, notifications NotificationPublisher,
	metrics TradeMetrics, clock Clock) *CloseEndedAuctions {
	return &CloseEndedAuctions{guard: guard, auctions: auctions, sales: sales,
		settler: saleSettler{wallet: wallet, purchases: purchases, arts: sales},
		notices: tradeNotifier{notifier: notifier, publisher: notifications},
		events:  events, metrics: metrics, clock: clock}
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
		ended, made, err := uc.closeOne(ctx, d.ID)
		if err != nil {
			errs = append(errs, fmt.Errorf("close auction %d: %w", d.ID, err))
			continue
		}
		if ended.Auction != nil {
			closed++
			now := uc.clock.Now()
			a := ended.Auction
			uc.metrics.CloseLag(now.Sub(a.Terms().EndAt()))
			winner := ""
			if ended.HighestBidder != nil {
				winner = ended.HighestBidder.Nickname
			}
			uc.events.Publish(ctx, AuctionEvent{Kind: EventClosed, AuctionID: a.ID(), Amount: a.HighestAmount(),
				BidderID: a.HighestBidderID(), BidderNickname: winner,
				BidCount: a.BidCount(), EndAt: a.Terms().EndAt(), Status: a.StoredStatus(), At: now})
			uc.notices.publish(ctx, made)
		}
	}
	return closed, errors.Join(errs...)
}

// closeOne returns the ended auction with its winner and the notifications
// its end made, or no auction when someone else closed it first or a late bid
// extended it.
func (uc *CloseEndedAuctions) closeOne(ctx context.Context, auctionID int64) (AuctionDetail, []notification.Notification, error) {
	var ended AuctionDetail
	var made []notification.Notification
	err := uc.guard.WithAuction(ctx, auctionID, func(ctx context.Context) error {
		ended, made = AuctionDetail{}, nil
		d, err := uc.auctions.Get(ctx, auctionID)
		if err != nil {
			return err
		}
		now := tradeTime(uc.clock)
		a, ownerID, artID := d.Auction, d.Art.Art.OwnerID(), d.Art.Art.ID()
		settlement, sold, err := a.Close(now)
		if errors.Is(err, auction.ErrNotOpen) || errors.Is(err, auction.ErrNotEnded) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := uc.auctions.Finish(ctx, a); err != nil {
			return err
		}
		if !sold {
			if err := uc.sales.MarkUnsold(ctx, artID); err != nil {
				return fmt.Errorf("mark art %d unsold: %w", artID, err)
			}
			made, err = uc.notices.write(ctx, Notices{
				Mails:         []MemberMail{unsoldMail(ownerID, artID)},
				Notifications: notification.AuctionFailed(artID, auctionID, ownerID, a.HasBids()),
				At:            now,
			})
			if err != nil {
				return err
			}
			ended = d
			return nil
		}
		if _, err := uc.settler.settle(ctx, settlement, artID, ownerID, purchase.KindAuction, now); err != nil {
			return err
		}
		made, err = uc.notices.write(ctx, saleNotices(artID, auctionID, ownerID, settlement.BuyerID, settlement.Price, now))
		if err != nil {
			return err
		}
		ended = d
		return nil
	})
	return ended, made, err
}
