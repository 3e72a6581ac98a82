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

// Terms are what the artist sets: when the auction runs and its prices.
type Terms struct {
	startAt      time.Time
	endAt        time.Time
	startPrice   int64
	buyNowPrice  int64
	bidIncrement int64
}

// NewTerms validates auction terms; a zero startAt means now, a zero buyNowPrice
// means none, a zero bidIncrement means DefaultBidIncrement.
func NewTerms(startAt, endAt time.Time, startPrice, buyNowPrice, bidIncrement int64, now time.Time) (Terms, error) {
	if startAt.IsZero() {
		startAt = now
	}
	if bidIncrement == 0 {
		bidIncrement = DefaultBidIncrement
	}
	var c validation.Collector
	c.Check(!endAt.IsZero(), "end_at", "is required for an auction")
	if !endAt.IsZero() {
		c.Check(endAt.After(startAt), "end_at", "must be after start_at")
		c.Check(endAt.After(now), "end_at", "must be in the future")
	}
	c.Check(buyNowPrice == 0 || buyNowPrice > startPrice, "buy_now_price", "must be above the starting price")
	c.Check(buyNowPrice <= point.MaxPrice, "buy_now_price", "is too large")
	c.Check(bidIncrement >= 1 && bidIncrement <= point.MaxPrice, "bid_increment", "must be at least 1 and at most the largest price")
	if err := c.Err(); err != nil {
		return Terms{}, err
	}
	return Terms{startAt: startAt.UTC(), endAt: endAt.UTC(), startPrice: startPrice, buyNowPrice: buyNowPrice, bidIncrement: bidIncrement}, nil
}

func (t Terms) StartAt() time.Time  { return t.startAt }
func (t Terms) EndAt() time.Time    { return t.endAt }
func (t Terms) StartPrice() int64   { return t.startPrice }
func (t Terms) BuyNowPrice() int64  { return t.buyNowPrice }
func (t Terms) BidIncrement() int64 { return t.bidIncrement }

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
	ID, ArtID                                int64
	StartAt, EndAt                           time.Time
	StartPrice, BuyNowPrice, BidIncrement    int64
	Status                                   Status
	HighestAmount, HighestBidderID, BidCount int64
}

// Restore rebuilds an auction read from storage.
func Restore(r Record) *Auction {
	return &Auction{
		id: r.ID, artID: r.ArtID, status: r.Status, highestAmount: r.HighestAmount,
		highestBidderID: r.HighestBidderID, bidCount: r.BidCount, readBidCount: r.BidCount,
		terms: Terms{startAt: r.StartAt, endAt: r.EndAt, startPrice: r.StartPrice, buyNowPrice: r.BuyNowPrice, bidIncrement: r.BidIncrement},
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
