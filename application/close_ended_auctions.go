package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/purchase"
)

// closeBatch bounds one run of the closer; the next run takes the rest.
const closeBatch = 100

// CloseEndedAuctions ends every auction whose end has passed: sold to the
// leader, or failed (no bid, or the highest below the reserve) with the art
// unsold and the leader's hold released. Each close runs under the auction's
// guard, so it is serialized with bids, and is conditional, so with several
// instances each auction is closed exactly once, and so are its mails and
// notifications.
type CloseEndedAuctions struct {
	guard    AuctionGuard
	auctions AuctionStore
	sales    ArtSales
	settler  saleSettler
	wallet   Wallet
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
		settler: saleSettler{wallet: wallet, purchases: purchases, arts: sales}, wallet: wallet,
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
			e := AuctionEvent{Kind: EventClosed, AuctionID: a.ID(), BidCount: a.BidCount(), EndAt: a.Terms().EndAt(),
				Status: a.StoredStatus(), At: now}
			// A failed auction, below its reserve too, has no winner.
			if a.StoredStatus() == auction.StatusClosed && ended.HighestBidder != nil {
				e.Amount, e.BidderID, e.BidderNickname = a.HighestAmount(), a.HighestBidderID(), ended.HighestBidder.Nickname
			}
			uc.events.Publish(ctx, e)
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
		closing, err := a.Close(now)
		if errors.Is(err, auction.ErrNotOpen) || errors.Is(err, auction.ErrNotEnded) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := uc.auctions.Finish(ctx, a); err != nil {
			return err
		}
		if closing.Sold() {
			made, err = uc.sell(ctx, closing.Sale, artID, auctionID, ownerID, now)
		} else {
			made, err = uc.fail(ctx, closing, a, artID, ownerID, now)
		}
		if err != nil {
			return err
		}
		ended = d
		return nil
	})
	return ended, made, err
}

// sell settles the sale to the leader and tells the buyer, the seller and
// every other bidder.
func (uc *CloseEndedAuctions) sell(ctx context.Context, sale auction.Settlement, artID, auctionID, ownerID int64,
	now time.Time) ([]notification.Notification, error) {
	if _, err := uc.settler.settle(ctx, sale, artID, ownerID, purchase.KindAuction, now); err != nil {
		return nil, err
	}
	return uc.notices.write(ctx, saleNotices(artID, auctionID, ownerID, sale.BuyerID, sale.Price, now))
}

// fail marks the art unsold, gives a leader below the reserve their hold
// back (the art first, then the member's row: the lock order of trades), and
// tells the seller why nothing sold and every bidder that they lost.
func (uc *CloseEndedAuctions) fail(ctx context.Context, closing auction.Closing, a *auction.Auction, artID, ownerID int64,
	now time.Time) ([]notification.Notification, error) {
	if err := uc.sales.MarkUnsold(ctx, artID); err != nil {
		return nil, fmt.Errorf("mark art %d unsold: %w", artID, err)
	}
	notices := Notices{Notifications: notification.AuctionFailed(artID, a.ID(), ownerID, a.HasBids()), At: now}
	if closing.Failure == auction.FailedNoBid {
		notices.Mails = []MemberMail{unsoldMail(ownerID, artID)}
		return uc.notices.write(ctx, notices)
	}
	release := PointMove{MemberID: closing.ReleasedID, Available: closing.ReleasedAmount}
	if err := uc.wallet.Move(ctx, release); err != nil {
		return nil, fmt.Errorf("release the hold of member %d on auction %d: %w", closing.ReleasedID, a.ID(), err)
	}
	notices.Mails = []MemberMail{belowReserveMail(ownerID, artID, a.HighestAmount(), a.Terms().ReservePrice())}
	return uc.notices.write(ctx, notices)
}
