package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/validation"
)

// PlaceBidCommand is a member's bid.
type PlaceBidCommand struct {
	AuctionID int64
	BidderID  int64
	Amount    int64
}

// PlacedBid is an accepted bid and the auction after it.
type PlacedBid struct {
	BidID     int64
	Amount    int64
	BidderID  int64
	CreatedAt time.Time
	Auction   AuctionDetail
}

// PlaceBid accepts a bid under the auction's guard: the new leader's points are
// held, the previous leader's hold is released and they are mailed.
type PlaceBid struct {
	guard        AuctionGuard
	auctions     AuctionStore
	wallet       Wallet
	mails        tradeMailer
	events       EventPublisher
	metrics      TradeMetrics
	clock        Clock
	extendWindow time.Duration
}

// NewPlaceBid builds the use case; extendWindow is the soft-close window (0 = off).
func NewPlaceBid(guard AuctionGuard, auctions AuctionStore, wallet Wallet, members MemberStore, outbox MailOutbox,
	events EventPublisher, metrics TradeMetrics, clock Clock, extendWindow time.Duration) *PlaceBid {
	return &PlaceBid{guard: guard, auctions: auctions, wallet: wallet, mails: tradeMailer{members: members, outbox: outbox},
		events: events, metrics: metrics, clock: clock, extendWindow: extendWindow}
}

// Execute returns the rule errors of DESIGN.md in their order, or
// ErrLockUnavailable when the auction's guard could not be had.
func (uc *PlaceBid) Execute(ctx context.Context, cmd PlaceBidCommand) (PlacedBid, error) {
	if cmd.Amount < 1 || cmd.Amount > point.MaxPrice {
		return PlacedBid{}, validation.Field("amount", "must be a positive number of points")
	}
	var placed PlacedBid
	var accepted *auction.Auction
	var outcome auction.BidOutcome
	err := uc.guard.WithAuction(ctx, cmd.AuctionID, func(ctx context.Context) error {
		a, ownerID, err := uc.auctions.Get(ctx, cmd.AuctionID)
		if err != nil {
			return err
		}
		balance, err := uc.wallet.Balance(ctx, cmd.BidderID)
		if err != nil {
			return fmt.Errorf("read bidder's balance: %w", err)
		}
		now := uc.clock.Now()
		expected := a.BidCount()
		outcome, err = a.PlaceBid(auction.Participant{MemberID: cmd.BidderID, Available: balance.Available()},
			ownerID, cmd.Amount, now, uc.extendWindow)
		if err != nil {
			return err
		}
		bidID, err := uc.auctions.SaveBid(ctx, a, expected, now)
		if err != nil {
			return err
		}
		if err := uc.moveHolds(ctx, cmd, outcome); err != nil {
			return err
		}
		if outcome.PreviousLeaderID != 0 {
			if err := uc.mails.outbid(ctx, outcome.PreviousLeaderID, cmd.AuctionID, cmd.Amount); err != nil {
				return err
			}
		}
		placed = PlacedBid{BidID: bidID, Amount: cmd.Amount, BidderID: cmd.BidderID, CreatedAt: now}
		accepted = a
		return nil
	})
	uc.metrics.BidOutcome(bidOutcomeLabel(err))
	if err != nil {
		return PlacedBid{}, fmt.Errorf("bid on auction %d: %w", cmd.AuctionID, err)
	}
	// The read-back usually names the new leader, which spares the announcement
	// a read of its own; it is announced whatever the read gives, as the bid has committed.
	detail, readErr := uc.auctions.Detail(ctx, cmd.AuctionID)
	uc.announce(ctx, accepted, placed, outcome, uc.bidderNickname(ctx, detail, readErr, cmd.BidderID))
	if readErr != nil {
		return PlacedBid{}, fmt.Errorf("read auction %d after the bid: %w", cmd.AuctionID, readErr)
	}
	placed.Auction = detail
	return placed, nil
}

// bidderNickname takes the bidder's name from the auction read after the bid
// while they still lead it, else reads it.
func (uc *PlaceBid) bidderNickname(ctx context.Context, detail AuctionDetail, readErr error, bidderID int64) string {
	if readErr == nil && detail.HighestBidder != nil && detail.HighestBidder.ID == bidderID {
		return detail.HighestBidder.Nickname
	}
	return uc.mails.nickname(ctx, bidderID)
}

// moveHolds holds the new leader's amount and releases the previous leader's,
// touching member rows in ascending id order.
func (uc *PlaceBid) moveHolds(ctx context.Context, cmd PlaceBidCommand, out auction.BidOutcome) error {
	hold := func() error { return uc.wallet.Hold(ctx, cmd.BidderID, cmd.Amount) }
	if out.PreviousLeaderID == 0 {
		return hold()
	}
	release := func() error { return uc.wallet.Release(ctx, out.PreviousLeaderID, out.PreviousAmount) }
	first, second := hold, release
	if out.PreviousLeaderID < cmd.BidderID {
		first, second = release, hold
	}
	if err := first(); err != nil {
		return err
	}
	return second()
}

func (uc *PlaceBid) announce(ctx context.Context, a *auction.Auction, placed PlacedBid, out auction.BidOutcome,
	nickname string) {
	endAt := a.Terms().EndAt()
	uc.events.Publish(ctx, AuctionEvent{Kind: EventBid, AuctionID: a.ID(), Amount: placed.Amount, BidderID: placed.BidderID,
		BidderNickname: nickname, BidCount: a.BidCount(), EndAt: endAt, Status: a.StoredStatus(), At: placed.CreatedAt})
	if out.Extended {
		uc.events.Publish(ctx, AuctionEvent{Kind: EventExtended, AuctionID: a.ID(), BidCount: a.BidCount(),
			EndAt: endAt, Status: a.StoredStatus(), At: placed.CreatedAt})
	}
}

// bidOutcomeLabel names a bid's result for metrics.
func bidOutcomeLabel(err error) string {
	var tooLow *auction.BidTooLowError
	switch {
	case err == nil:
		return "accepted"
	case errors.As(err, &tooLow):
		return "bid_too_low"
	case errors.Is(err, auction.ErrOwnAuction):
		return "own_auction"
	case errors.Is(err, auction.ErrNotOpen):
		return "auction_not_open"
	case errors.Is(err, auction.ErrAlreadyHighestBidder):
		return "already_highest_bidder"
	case errors.Is(err, auction.ErrUseBuyNow):
		return "use_buy_now"
	case errors.Is(err, point.ErrInsufficientPoints):
		return "insufficient_points"
	case errors.Is(err, auction.ErrNotFound):
		return "auction_not_found"
	case errors.Is(err, ErrLockUnavailable):
		return "lock_unavailable"
	}
	return "error"
}
