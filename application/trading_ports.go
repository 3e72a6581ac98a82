package application

//go:generate go tool mockgen -source=trading_ports.go -destination=mock/trading_ports.go -package=mock

import (
	"context"
	"errors"
	"time"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
)

// Errors of guarded writes.
var (
	// ErrLockUnavailable means the guard could not be had within its wait bound,
	// or its backend is down; nothing was written and the client may retry.
	ErrLockUnavailable = errors.New("the auction is busy; try again shortly")
	// ErrWriteConflict means a conditional write found the row changed by someone
	// else; the guard re-runs the whole function a bounded number of times.
	ErrWriteConflict = errors.New("a concurrent change won the conditional write")
)

// AuctionGuard serializes everything that changes one auction (bids, buy-now,
// close) or one general art (purchases). fn runs in one database transaction
// carried by its context; it must read what it decides on inside that
// transaction and make every write conditional. When fn returns
// ErrWriteConflict the guard runs it again, a bounded number of times, in a new
// transaction. Whatever the strategy, a lock wait over the bound or a lock
// backend that is down gives ErrLockUnavailable.
type AuctionGuard interface {
	WithAuction(ctx context.Context, auctionID int64, fn func(ctx context.Context) error) error
	WithArt(ctx context.Context, artID int64, fn func(ctx context.Context) error) error
}

// AuctionStore keeps auctions and their bids.
type AuctionStore interface {
	// Get reads an auction, for a trade under its guard, with all that the
	// trade's answer shows: its art as lists show it (with the art's owner,
	// who sells it) and its leader; auction.ErrNotFound when unknown. The
	// auction remembers the bid count it was read with (ReadBidCount).
	Get(ctx context.Context, auctionID int64) (AuctionDetail, error)
	// GetForMember is Get with, read at once, the account of the member who
	// trades on the auction; member.ErrNotFound when the member is unknown.
	GetForMember(ctx context.Context, auctionID, memberID int64) (AuctionDetail, Account, error)
	// SaveBid stores the one bid a accepted since it was read: the auction's
	// leader, bid count and end, only if the auction is still open with the
	// bid count a was read with (else ErrWriteConflict); the art's current
	// price and bid count; and the bid record, whose id it returns.
	SaveBid(ctx context.Context, a *auction.Auction, at time.Time) (bidID int64, err error)
	// Finish stores a closed, bought-out or failed auction, only if it is still
	// open with the bid count a was read with (else ErrWriteConflict).
	Finish(ctx context.Context, a *auction.Auction) error
	// DueForClose lists open auctions whose end is not after now, oldest end first.
	DueForClose(ctx context.Context, now time.Time, limit int) ([]DueAuction, error)
	Detail(ctx context.Context, auctionID int64) (AuctionDetail, error)
	// Bids lists a page of an auction's bids newest first, with the exact
	// total on a numbered page; auction.ErrNotFound when unknown.
	Bids(ctx context.Context, auctionID int64, page PageRequest) (StoredPage[BidEntry], error)
	// MemberBids lists a page of one row per auction the member bid on, most
	// recent bid first.
	MemberBids(ctx context.Context, memberID int64, page PageRequest) (StoredPage[MemberBid], error)
}

// DueAuction is an auction the closer must end.
type DueAuction struct {
	ID    int64
	EndAt time.Time
}

// AuctionDetail is an auction with its art and leader, for GET /auctions/{id}.
type AuctionDetail struct {
	Auction       *auction.Auction
	Art           ArtSummary
	HighestBidder *MemberRef
}

// BidEntry is one bid of an auction's history.
type BidEntry struct {
	ID        int64
	AuctionID int64
	Amount    int64
	Bidder    MemberRef
	CreatedAt time.Time
}

// MemberBid is a member's standing in one auction they bid on.
type MemberBid struct {
	Auction *auction.Auction
	Art     ArtSummary
	// MyBid is the member's largest bid on it.
	MyBid int64
	// BuyerID is who bought the art when the auction ended with a sale (the
	// leader at the close, or whoever bought it now); 0 otherwise.
	BuyerID int64
}

// Standings of a member in an auction they bid on.
const (
	StandingLeading = "leading"
	StandingOutbid  = "outbid"
	StandingWon     = "won"
	StandingLost    = "lost"
)

// Standing is leading or outbid while the auction is open, won or lost after;
// a bought-out auction is lost for every bidder but its buyer.
func (b MemberBid) Standing(memberID int64) string {
	if !b.Auction.Finished() {
		if b.Auction.HighestBidderID() == memberID {
			return StandingLeading
		}
		return StandingOutbid
	}
	if b.BuyerID == memberID {
		return StandingWon
	}
	return StandingLost
}

// Account is a member's points with the name others know them by.
type Account struct {
	Member  MemberRef
	Balance point.Balance
}

// PointMove changes one member's points by adding Total and Available to them
// (negative numbers take points away).
type PointMove struct {
	MemberID         int64
	Total, Available int64
}

// Wallet moves the points of trades.
type Wallet interface {
	// Account reads a member's points and name; member.ErrNotFound when unknown.
	Account(ctx context.Context, memberID int64) (Account, error)
	// Move applies every move in one conditional write that touches the
	// members' rows in ascending id order, so concurrent trades never
	// deadlock, and only if every balance stays whole: available points
	// neither negative nor above the total. Otherwise it changes nothing and
	// fails: point.ErrInsufficientPoints when a move that takes available
	// points lacks them, member.ErrNotFound for an unknown member.
	Move(ctx context.Context, moves ...PointMove) error
}

// PurchaseView is a purchase with the art and the two members, for lists.
type PurchaseView struct {
	Purchase purchase.Purchase
	Art      ArtSummary
	Buyer    MemberRef
	Seller   MemberRef
}

// PurchaseStore records sales; the art id is unique, the last fence against
// selling one art twice (art.ErrSold).
type PurchaseStore interface {
	// Create records a sale with the ledger entries it makes: PURCHASE for the
	// buyer and SALE for the seller, both of the price; it returns the sale's id.
	Create(ctx context.Context, p purchase.Purchase) (int64, error)
	// Get reads a purchase with its art and members; purchase.ErrNotFound when unknown.
	Get(ctx context.Context, id int64) (PurchaseView, error)
	// ByBuyer and BySeller list a page newest first.
	ByBuyer(ctx context.Context, memberID int64, page PageRequest) (StoredPage[PurchaseView], error)
	BySeller(ctx context.Context, memberID int64, page PageRequest) (StoredPage[PurchaseView], error)
}

// ArtSales reads an art for its sale and changes its status when it is sold
// or its auction fails, only from on_sale (else art.ErrSold).
type ArtSales interface {
	// Get reads an art, for a purchase under its guard, as lists show it, with
	// its owner, who sells it; art.ErrNotFound when unknown.
	Get(ctx context.Context, artID int64) (ArtSummary, error)
	MarkSold(ctx context.Context, artID, price int64) error
	MarkUnsold(ctx context.Context, artID int64) error
}

// MemberMail is a mail to a member, sent to their address (see Notifier).
type MemberMail struct {
	MemberID int64
	Subject  string
	Text     string
}

// AuctionEventKind names what happened to an auction.
type AuctionEventKind string

// The events live watchers receive.
const (
	EventBid      AuctionEventKind = "bid"
	EventExtended AuctionEventKind = "extended"
	EventClosed   AuctionEventKind = "closed"
)

// AuctionEvent is published after the transaction that caused it committed.
// BidCount orders the events of one auction: a bid's is its own count, an
// extension's and a close's the count of the bids before them.
type AuctionEvent struct {
	Kind      AuctionEventKind
	AuctionID int64
	// Amount and the bidder are the bid's (bid) or the winner's (closed; zero
	// when failed). The nickname, read in the trade's own transaction, travels
	// with the event so that no instance reads it per watcher; a bid that comes
	// without one is read back from the history.
	Amount         int64
	BidderID       int64
	BidderNickname string
	BidCount       int64
	EndAt          time.Time
	Status         auction.Status
	At             time.Time
}

// EventPublisher announces auction events to watchers on every instance. It
// never fails the caller: the change is already committed, and a lost
// announcement is recovered by watchers from the bid history.
type EventPublisher interface {
	Publish(ctx context.Context, e AuctionEvent)
}

// TradeMetrics counts outcomes operators watch.
type TradeMetrics interface {
	// BidOutcome counts a bid by its result: "accepted" or an error code.
	BidOutcome(outcome string)
	// CloseLag observes how long after its end an auction was closed.
	CloseLag(d time.Duration)
}
