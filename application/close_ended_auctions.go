package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/purchase"
)

// closeBatch bounds one run of the closer; the next run takes the rest.
const closeBatch = 100

// CloseEndedAuctions ends every auction whose end has passed: sold to the
// leader, or failed (no bid, or the highest below the reserve) with the art
// unsold and the leader's hold released. Each close runs under the auction's
// guard, so it is serialized with bids, and is conditional, so with several
// instances each auction is closed exactly once.
type CloseEndedAuctions struct {
	guard    AuctionGuard
	auctions AuctionStore
	sales    ArtSales
	settler  saleSettler
	wallet   Wallet
	mails    tradeMailer
	events   EventPublisher
	metrics  TradeMetrics
	clock    Clock
}

// NewCloseEndedAuctions builds the use case.
func NewCloseEndedAuctions(guard AuctionGuard, auctions AuctionStore, sales ArtSales, wallet Wallet,
	purchases PurchaseStore, mailbox MemberMailbox, events EventPublisher, metrics TradeMetrics,
	clock Clock) *CloseEndedAuctions {
	return &CloseEndedAuctions{guard: guard, auctions: auctions, sales: sales,
		settler: saleSettler{wallet: wallet, purchases: purchases, arts: sales}, wallet: wallet,
		mails: tradeMailer{mailbox: mailbox}, events: events, metrics: metrics, clock: clock}
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
		}
	}
	return closed, errors.Join(errs...)
}

// closeOne returns the ended auction with its winner, or no auction when
// someone else closed it first or a late bid extended it.
func (uc *CloseEndedAuctions) closeOne(ctx context.Context, auctionID int64) (AuctionDetail, error) {
	var ended AuctionDetail
	err := uc.guard.WithAuction(ctx, auctionID, func(ctx context.Context) error {
		ended = AuctionDetail{}
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
			err = uc.sell(ctx, closing.Sale, artID, ownerID, now)
		} else {
			err = uc.fail(ctx, closing, a, artID, ownerID)
		}
		if err != nil {
			return err
		}
		ended = d
		return nil
	})
	return ended, err
}

// sell settles the sale to the leader and mails both sides.
func (uc *CloseEndedAuctions) sell(ctx context.Context, sale auction.Settlement, artID, ownerID int64, now time.Time) error {
	if _, err := uc.settler.settle(ctx, sale, artID, ownerID, purchase.KindAuction, now); err != nil {
		return err
	}
	return uc.mails.send(ctx, wonMail(sale.BuyerID, artID, sale.Price), soldMail(ownerID, artID, sale.Price))
}

// fail marks the art unsold, gives a leader below the reserve their hold
// back (the art first, then the member's row: the lock order of trades), and
// tells the seller why nothing sold.
func (uc *CloseEndedAuctions) fail(ctx context.Context, closing auction.Closing, a *auction.Auction, artID, ownerID int64) error {
	if err := uc.sales.MarkUnsold(ctx, artID); err != nil {
		return fmt.Errorf("mark art %d unsold: %w", artID, err)
	}
	if closing.Failure == auction.FailedNoBid {
		return uc.mails.send(ctx, unsoldMail(ownerID, artID))
	}
	release := PointMove{MemberID: closing.ReleasedID, Available: closing.ReleasedAmount}
	if err := uc.wallet.Move(ctx, release); err != nil {
		return fmt.Errorf("release the hold of member %d on auction %d: %w", closing.ReleasedID, a.ID(), err)
	}
	return uc.mails.send(ctx, belowReserveMail(ownerID, artID, a.HighestAmount(), a.Terms().ReservePrice()))
}
