package auction

import (
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/point"
)

// Errors of bidding, buying now and closing, in the order the rules are checked.
var (
	ErrOwnAuction           = errors.New("members may not bid on or buy their own auction")
	ErrNotOpen              = errors.New("the auction is not open")
	ErrAlreadyHighestBidder = errors.New("the bidder already leads the auction")
	ErrUseBuyNow            = errors.New("the amount reaches the buy-now price; buy now instead")
	ErrBuyNowUnavailable    = errors.New("buy now is not available for this auction")
	ErrNotEnded             = errors.New("the auction has not ended")
)

// BidTooLowError says what the lowest acceptable bid is now.
type BidTooLowError struct {
	MinNextBid int64
}

func (e *BidTooLowError) Error() string {
	return fmt.Sprintf("the bid must be at least %d", e.MinNextBid)
}

// Participant is who acts on an auction and what they can spend now.
type Participant struct {
	MemberID  int64
	Available int64
}

// isOpenAt reports whether bids and buy-now are accepted at now.
func (a *Auction) isOpenAt(now time.Time) bool {
	return a.status == StatusOpen && !now.Before(a.terms.startAt) && now.Before(a.terms.endAt)
}

// BidOutcome is what accepting a bid changed.
type BidOutcome struct {
	// PreviousLeaderID is 0 when this was the first bid; their hold of
	// PreviousAmount is released.
	PreviousLeaderID int64
	PreviousAmount   int64
	// Extended tells that soft close moved the end to the auction's new EndAt.
	Extended bool
}

// PlaceBid checks the rules of docs/rules.md in their order and, when they pass,
// makes the bidder the leader. ownerID is the art's owner; extendWindow is the
// soft-close window (0 = off).
func (a *Auction) PlaceBid(bidder Participant, ownerID, amount int64, now time.Time, extendWindow time.Duration) (BidOutcome, error) {
	switch {
	case bidder.MemberID == ownerID:
		return BidOutcome{}, ErrOwnAuction
	case !a.isOpenAt(now):
		return BidOutcome{}, ErrNotOpen
	case a.bidCount > 0 && a.highestBidderID == bidder.MemberID:
		return BidOutcome{}, ErrAlreadyHighestBidder
	case amount < a.MinNextBid():
		return BidOutcome{}, &BidTooLowError{MinNextBid: a.MinNextBid()}
	case a.terms.buyNowPrice > 0 && amount >= a.terms.buyNowPrice:
		return BidOutcome{}, ErrUseBuyNow
	case bidder.Available < amount:
		return BidOutcome{}, point.ErrInsufficientPoints
	}
	out := BidOutcome{PreviousLeaderID: a.highestBidderID, PreviousAmount: a.highestAmount}
	if a.bidCount == 0 {
		out.PreviousLeaderID, out.PreviousAmount = 0, 0
	}
	a.highestAmount, a.highestBidderID = amount, bidder.MemberID
	a.bidCount++
	if extendWindow > 0 && a.terms.endAt.Sub(now) < extendWindow {
		a.terms.endAt = now.Add(extendWindow).UTC()
		out.Extended = true
	}
	return out, nil
}

// Settlement is who pays whom when an auction ends with a sale.
type Settlement struct {
	BuyerID int64
	Price   int64
	// BuyerHeld is what the buyer already had on hold for this auction: it is
	// consumed rather than taken from available points again.
	BuyerHeld int64
	// ReleasedID is a previous leader other than the buyer whose hold of
	// ReleasedAmount goes back to their available points; 0 when none.
	ReleasedID     int64
	ReleasedAmount int64
}

// BuyNow ends the auction at once, sold to buyer at the buy-now price. The
// buyer's own hold as leader counts toward what they have.
func (a *Auction) BuyNow(buyer Participant, ownerID int64, now time.Time) (Settlement, error) {
	leads := a.bidCount > 0 && a.highestBidderID == buyer.MemberID
	held := int64(0)
	if leads {
		held = a.highestAmount
	}
	switch {
	case buyer.MemberID == ownerID:
		return Settlement{}, ErrOwnAuction
	case !a.isOpenAt(now):
		return Settlement{}, ErrNotOpen
	case a.terms.buyNowPrice == 0 || (a.bidCount > 0 && a.highestAmount >= a.terms.buyNowPrice):
		return Settlement{}, ErrBuyNowUnavailable
	case buyer.Available+held < a.terms.buyNowPrice:
		return Settlement{}, point.ErrInsufficientPoints
	}
	s := Settlement{BuyerID: buyer.MemberID, Price: a.terms.buyNowPrice, BuyerHeld: held}
	if a.bidCount > 0 && !leads {
		s.ReleasedID, s.ReleasedAmount = a.highestBidderID, a.highestAmount
	}
	a.status = StatusBoughtOut
	return s, nil
}

// Failure is why an auction ended without a sale.
type Failure string

// The ways an auction fails at its close.
const (
	// FailedNoBid: nobody bid.
	FailedNoBid Failure = "no_bid"
	// FailedBelowReserve: the highest bid stayed below the reserve.
	FailedBelowReserve Failure = "below_reserve"
)

// Closing is how an auction ended at its close: a sale to the leader, or a
// failure with, below the reserve, the leader's hold to give back.
type Closing struct {
	// Sale is who pays whom; zero when the auction failed.
	Sale Settlement
	// Failure is "" when the auction sold.
	Failure Failure
	// ReleasedID is the leader whose hold of ReleasedAmount goes back to
	// their available points when the auction failed below its reserve; 0
	// otherwise.
	ReleasedID     int64
	ReleasedAmount int64
}

// Sold tells a sale from a failure.
func (c Closing) Sold() bool { return c.Failure == "" }

// Close ends an auction whose end has passed (docs/rules.md, Closing): sold
// to the leader at the highest bid when it reaches the reserve, if any;
// failed with no bid or below the reserve.
func (a *Auction) Close(now time.Time) (Closing, error) {
	if a.status != StatusOpen {
		return Closing{}, ErrNotOpen
	}
	if now.Before(a.terms.endAt) {
		return Closing{}, ErrNotEnded
	}
	if a.bidCount == 0 {
		a.status = StatusFailed
		return Closing{Failure: FailedNoBid}, nil
	}
	if met, hasReserve := a.ReserveMet(); hasReserve && !met {
		a.status = StatusFailed
		return Closing{Failure: FailedBelowReserve, ReleasedID: a.highestBidderID, ReleasedAmount: a.highestAmount}, nil
	}
	a.status = StatusClosed
	return Closing{Sale: Settlement{BuyerID: a.highestBidderID, Price: a.highestAmount, BuyerHeld: a.highestAmount}}, nil
}
