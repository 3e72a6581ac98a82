package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/validation"
)

// PlaceBidCommand is a member's bid.
type PlaceBidCommand struct {
	AuctionID int64
	BidderID  int64
	Amount    int64
}

// PlacedBid is an accepted bid and the auction after it, as the bid's own
// transaction read and left it.
type PlacedBid struct {
	BidID     int64
	Amount    int64
	BidderID  int64
	CreatedAt time.Time
	Auction   AuctionDetail
}

// PlaceBid accepts a bid under the auction's guard: the new leader's points are
// held, the previous leader's hold is released and they are mailed and
// notified outbid.
type PlaceBid struct {
	guard        AuctionGuard
	auctions     AuctionStore
	wallet       Wallet
	notices      tradeNotifier
	events       EventPublisher
	metrics      TradeMetrics
	clock        Clock
	extendWindow time.Duration
}

// NewPlaceBid builds the use case; extendWindow is the soft-close window (0 = off).
func NewPlaceBid(guard AuctionGuard, auctions AuctionStore, wallet Wallet, notifier Notifier,
	events EventPublisher, notifications NotificationPublisher, metrics TradeMetrics, clock Clock,
	extendWindow time.Duration) *PlaceBid {
	return &PlaceBid{guard: guard, auctions: auctions, wallet: wallet,
		notices: tradeNotifier{notifier: notifier, publisher: notifications},
		events:  events, metrics: metrics, clock: clock, extendWindow: extendWindow}
}

// Execute returns the rule errors of docs/rules.md in their order, or
// ErrLockUnavailable when the auction's guard could not be had. The answer is
// built from what the bid's transaction read and wrote: once the bid has
// committed, nothing can turn it into an error.
func (uc *PlaceBid) Execute(ctx context.Context, cmd PlaceBidCommand) (PlacedBid, error) {
	if cmd.Amount < 1 || cmd.Amount > point.MaxPrice {
		return PlacedBid{}, validation.Field("amount", "must be a positive number of points")
	}
	var placed PlacedBid
	var outcome auction.BidOutcome
	var made []notification.Notification
	err := uc.guard.WithAuction(ctx, cmd.AuctionID, func(ctx context.Context) error {
		made = nil
		d, bidder, err := uc.auctions.GetForMember(ctx, cmd.AuctionID, cmd.BidderID)
		if err != nil {
			return err
		}
		now := tradeTime(uc.clock)
		a := d.Auction
		outcome, err = a.PlaceBid(auction.Participant{MemberID: cmd.BidderID, Available: bidder.Balance.Available()},
			d.Art.Art.OwnerID(), cmd.Amount, now, uc.extendWindow)
		if err != nil {
			return err
		}
		bidID, err := uc.auctions.SaveBid(ctx, a, now)
		if err != nil {
			return err
		}
		if err := uc.wallet.Move(ctx, BidMoves(cmd.BidderID, cmd.Amount, outcome)...); err != nil {
			return fmt.Errorf("hold the bid's points: %w", err)
		}
		if outcome.PreviousLeaderID != 0 {
			made, err = uc.notices.write(ctx, BidNotices(d.Art.Art.ID(), cmd.AuctionID, cmd.Amount, outcome.PreviousLeaderID, now))
			if err != nil {
				return err
			}
		}
		d.Art.Art.FollowBid(a.HighestAmount(), a.BidCount())
		d.Art.AuctionEndAt = a.Terms().EndAt()
		leader := bidder.Member
		d.HighestBidder = &leader
		placed = PlacedBid{BidID: bidID, Amount: cmd.Amount, BidderID: cmd.BidderID, CreatedAt: now, Auction: d}
		return nil
	})
	uc.metrics.BidOutcome(bidOutcomeLabel(err))
	if err != nil {
		return PlacedBid{}, fmt.Errorf("bid on auction %d: %w", cmd.AuctionID, err)
	}
	uc.announce(ctx, placed, outcome)
	uc.notices.publish(ctx, made)
	return placed, nil
}

// BidMoves are the point moves of an accepted bid: the bid's amount of the
// bidder's points is held, the previous leader's hold given back. Exported for
// the benchmark's raw limit, which moves the very same points.
func BidMoves(bidderID, amount int64, out auction.BidOutcome) []PointMove {
	moves := []PointMove{{MemberID: bidderID, Available: -amount}}
	if out.PreviousLeaderID != 0 {
		moves = append(moves, PointMove{MemberID: out.PreviousLeaderID, Available: out.PreviousAmount})
	}
	return moves
}

func (uc *PlaceBid) announce(ctx context.Context, placed PlacedBid, out auction.BidOutcome) {
	a := placed.Auction.Auction
	endAt := a.Terms().EndAt()
	uc.events.Publish(ctx, AuctionEvent{Kind: EventBid, AuctionID: a.ID(), Amount: placed.Amount, BidderID: placed.BidderID,
		BidderNickname: placed.Auction.HighestBidder.Nickname, BidCount: a.BidCount(), EndAt: endAt, Status: a.StoredStatus(),
		At: placed.CreatedAt})
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
