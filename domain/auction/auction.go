// Package auction holds the timed sale of an auction-type art.
package auction

import (
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/validation"
)

// ErrNotFound is an unknown auction.
var ErrNotFound = errors.New("auction not found")

// Status is where an auction stands. Scheduled is never stored: it is an open
// auction whose start is still ahead.
type Status string

// The statuses of docs/rules.md.
const (
	StatusScheduled Status = "scheduled"
	StatusOpen      Status = "open"
	StatusClosed    Status = "closed"
	StatusBoughtOut Status = "bought_out"
	StatusFailed    Status = "failed"
)

// ParseStatus reads a stored status.
func ParseStatus(s string) (Status, error) {
	switch st := Status(s); st {
	case StatusOpen, StatusClosed, StatusBoughtOut, StatusFailed:
		return st, nil
	case StatusScheduled:
		// Derived from the start time (StatusAt), so never stored.
	}
	return "", fmt.Errorf("unknown auction status %q", s)
}

// DefaultBidIncrement applies when the artist sets none.
const DefaultBidIncrement = 1

// StartAtTolerance is how far in the past a given start may be: a client's
// "now" that took a while to arrive, not a start long gone.
const StartAtTolerance = time.Minute

// TermsInput is what an artist asked for; a nil field was not given.
type TermsInput struct {
	// StartAt nil means now.
	StartAt *time.Time
	// EndAt nil means missing.
	EndAt      *time.Time
	StartPrice int64
	// BuyNowPrice and ReservePrice nil mean none.
	BuyNowPrice *int64
	// BidIncrement nil means DefaultBidIncrement.
	BidIncrement *int64
	ReservePrice *int64
}

// Terms are what the artist sets: when the auction runs and its prices.
type Terms struct {
	startAt      time.Time
	endAt        time.Time
	startPrice   int64
	buyNowPrice  int64
	bidIncrement int64
	reservePrice int64
}

// NewTerms validates auction terms (docs/rules.md, Auctions) and reports
// every bad field at once. now is when the auction is listed.
func NewTerms(in TermsInput, now time.Time) (Terms, error) {
	var c validation.Collector
	startAt := now
	if in.StartAt != nil {
		startAt = *in.StartAt
		c.Check(!startAt.Before(now.Add(-StartAtTolerance)), "start_at", "must not be more than a minute in the past")
	}
	var endAt time.Time
	c.Check(in.EndAt != nil, "end_at", "is required for an auction")
	if in.EndAt != nil {
		endAt = *in.EndAt
		c.Check(endAt.After(startAt), "end_at", "must be after start_at")
		c.Check(endAt.After(now), "end_at", "must be in the future")
	}
	buyNowPrice := optionalPrice(in.BuyNowPrice, 0)
	if in.BuyNowPrice != nil {
		c.Check(buyNowPrice > in.StartPrice, "buy_now_price", "must be above the starting price")
		c.Check(buyNowPrice <= point.MaxPrice, "buy_now_price", "is too large")
	}
	bidIncrement := optionalPrice(in.BidIncrement, DefaultBidIncrement)
	c.Check(bidIncrement >= 1 && bidIncrement <= point.MaxPrice, "bid_increment", "must be at least 1 and at most the largest price")
	reservePrice := optionalPrice(in.ReservePrice, 0)
	if in.ReservePrice != nil {
		c.Check(reservePrice >= in.StartPrice, "reserve_price", "must be at least the starting price")
		c.Check(reservePrice <= point.MaxPrice, "reserve_price", "is too large")
		c.Check(in.BuyNowPrice == nil || reservePrice < buyNowPrice, "reserve_price", "must be below the buy-now price")
	}
	if err := c.Err(); err != nil {
		return Terms{}, err
	}
	return Terms{startAt: startAt.UTC(), endAt: endAt.UTC(), startPrice: in.StartPrice, buyNowPrice: buyNowPrice,
		bidIncrement: bidIncrement, reservePrice: reservePrice}, nil
}

// optionalPrice is the given price, or otherwise when none was given.
func optionalPrice(given *int64, otherwise int64) int64 {
	if given == nil {
		return otherwise
	}
	return *given
}

func (t Terms) StartAt() time.Time  { return t.startAt }
func (t Terms) EndAt() time.Time    { return t.endAt }
func (t Terms) StartPrice() int64   { return t.startPrice }
func (t Terms) BuyNowPrice() int64  { return t.buyNowPrice }
func (t Terms) BidIncrement() int64 { return t.bidIncrement }

// ReservePrice is the least highest bid that sells; 0 when there is none.
func (t Terms) ReservePrice() int64 { return t.reservePrice }

// Auction is one art's auction and its current state.
type Auction struct {
	id              int64
	artID           int64
	terms           Terms
	status          Status
	highestAmount   int64
	highestBidderID int64
	bidCount        int64
	// readBidCount is the bid count the auction had when it was restored:
	// what a conditional write of it expects to find stored.
	readBidCount int64
}

// New opens an auction with no bid yet.
func New(terms Terms) *Auction {
	return &Auction{terms: terms, status: StatusOpen}
}

// Record is an auction as stored, for Restore.
type Record struct {
	ID, ArtID      int64
	StartAt, EndAt time.Time
	// BuyNowPrice and ReservePrice are 0 when there is none.
	StartPrice, BuyNowPrice, BidIncrement, ReservePrice int64
	Status                                              Status
	HighestAmount, HighestBidderID, BidCount            int64
}

// Restore rebuilds an auction read from storage.
func Restore(r Record) *Auction {
	return &Auction{
		id: r.ID, artID: r.ArtID, status: r.Status, highestAmount: r.HighestAmount,
		highestBidderID: r.HighestBidderID, bidCount: r.BidCount, readBidCount: r.BidCount,
		terms: Terms{startAt: r.StartAt, endAt: r.EndAt, startPrice: r.StartPrice, buyNowPrice: r.BuyNowPrice, bidIncrement: r.BidIncrement,
			reservePrice: r.ReservePrice},
	}
}

func (a *Auction) ID() int64              { return a.id }
func (a *Auction) ArtID() int64           { return a.artID }
func (a *Auction) Terms() Terms           { return a.terms }
func (a *Auction) HighestAmount() int64   { return a.highestAmount }
func (a *Auction) HighestBidderID() int64 { return a.highestBidderID }
func (a *Auction) BidCount() int64        { return a.bidCount }
func (a *Auction) HasBids() bool          { return a.bidCount > 0 }

// ReadBidCount is the bid count the auction had when it was read from
// storage, whatever was decided on it since: a write of the auction is
// conditional on storage still holding it, so that a change made meanwhile by
// someone else is never overwritten.
func (a *Auction) ReadBidCount() int64 { return a.readBidCount }

// StatusAt is the status a client sees at now: an open auction before its start is scheduled.
func (a *Auction) StatusAt(now time.Time) Status {
	if a.status == StatusOpen && now.Before(a.terms.startAt) {
		return StatusScheduled
	}
	return a.status
}

// StoredStatus is the status as kept in storage: never scheduled.
func (a *Auction) StoredStatus() Status { return a.status }

// Finished reports whether the auction has left the open status for good:
// closed, bought out or failed. One whose end has passed stays open, and
// takes bids no more, until the closer finishes it.
func (a *Auction) Finished() bool { return a.status != StatusOpen }

// MinNextBid is the lowest amount a bid may have now.
func (a *Auction) MinNextBid() int64 {
	if a.bidCount == 0 {
		return a.terms.startPrice
	}
	return a.highestAmount + a.terms.bidIncrement
}

// CurrentPrice is the highest bid, or the starting price before any bid.
func (a *Auction) CurrentPrice() int64 {
	if a.bidCount == 0 {
		return a.terms.startPrice
	}
	return a.highestAmount
}

// ReserveMet tells whether the highest bid reaches the reserve (false while
// there is no bid); hasReserve is false, and met with it, without a reserve.
func (a *Auction) ReserveMet() (met, hasReserve bool) {
	if a.terms.reservePrice == 0 {
		return false, false
	}
	return a.bidCount > 0 && a.highestAmount >= a.terms.reservePrice, true
}
