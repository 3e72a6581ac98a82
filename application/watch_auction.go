package application

//go:generate go tool mockgen -source=watch_auction.go -destination=mock/watch_auction.go -package=mock

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auction"
)

// Why a live feed ends a watcher's stream before the auction closes; either
// way the client reconnects with the last bid count it saw and catches up from
// the history.
var (
	// ErrLiveFeedUnavailable means this instance has lost (or not yet made) its
	// subscription to auction events, so it cannot promise live delivery.
	ErrLiveFeedUnavailable = errors.New("live auction events are unavailable on this instance")
	// ErrWatcherTooSlow means the watcher fell behind by more than its buffer and
	// was dropped so that it slows no one else.
	ErrWatcherTooSlow = errors.New("the watcher fell behind the live events")
)

// LiveFeed hands this instance's watchers the events of one auction, whichever
// instance published them, in the auction's order, without a duplicate bid.
type LiveFeed interface {
	// Join registers a watcher. Every event the feed receives after Join returns
	// is delivered, so a caller that reads the history after Join misses nothing.
	// ErrLiveFeedUnavailable while the subscription is down.
	Join(ctx context.Context, auctionID int64) (LiveSubscription, error)
}

// LiveSubscription is one watcher's place in a live feed.
type LiveSubscription interface {
	// Events delivers the auction's events; it is closed when the feed drops the
	// watcher, Err then tells why.
	Events() <-chan AuctionEvent
	// Err is ErrWatcherTooSlow or ErrLiveFeedUnavailable once Events is closed.
	Err() error
	// Leave unregisters the watcher; safe to call more than once.
	Leave()
}

// LiveHistory reads what a watcher that connects or reconnects has missed.
type LiveHistory interface {
	// BidCount is how many bids an auction has; auction.ErrNotFound when unknown.
	BidCount(ctx context.Context, auctionID int64) (int64, error)
	// BidsAfter lists at most limit (0: all) of an auction after its first
	// afterCount bids, oldest first; the i-th has bid count afterCount+i+1.
	BidsAfter(ctx context.Context, auctionID, afterCount int64, limit int) ([]BidEntry, error)
	// Sale reads who bought an ended auction's art and at what price; ok is
	// false when it ended without a sale.
	Sale(ctx context.Context, auctionID int64) (buyer MemberRef, price int64, ok bool, err error)
}

// LiveStream names a kind of live stream, for the metrics.
type LiveStream string

// The live streams of the OpenAPI document.
const (
	// LiveAuctions are the streams of one auction's events.
	LiveAuctions LiveStream = "auction"
	// LiveMembers are the streams of one member's notifications.
	LiveMembers LiveStream = "member"
)

// LiveMetrics counts what operators watch of live delivery, per kind of stream.
type LiveMetrics interface {
	WatcherConnected(stream LiveStream)
	WatcherDisconnected(stream LiveStream)
	// EventPublished counts an event announced to every instance.
	EventPublished(stream LiveStream, kind string)
	// EventDelivered counts an event written to a watcher, lag after its change.
	EventDelivered(stream LiveStream, kind string, lag time.Duration)
	// WatcherDropped counts a watcher cut off for falling behind.
	WatcherDropped(stream LiveStream)
}

// WatchAuction starts a watcher of one auction: the bids it missed since the
// last it saw, then live events, and the close.
type WatchAuction struct {
	feed     LiveFeed
	auctions AuctionStore
	history  LiveHistory
}

// NewWatchAuction builds the use case.
func NewWatchAuction(feed LiveFeed, auctions AuctionStore, history LiveHistory) *WatchAuction {
	return &WatchAuction{feed: feed, auctions: auctions, history: history}
}

// NoLastEventID is the lastEventID of a client that saw no bid yet and wants
// live events only.
const NoLastEventID int64 = -1

// Execute returns auction.ErrNotFound for an unknown auction. lastEventID is the
// bid count the client saw last, or NoLastEventID. When the live feed is down
// the watch still carries the replay and Interrupted says to reconnect.
func (uc *WatchAuction) Execute(ctx context.Context, auctionID, lastEventID int64) (*AuctionWatch, error) {
	// Join before reading: an event committed after the read is then live.
	live, err := uc.feed.Join(ctx, auctionID)
	if err != nil && !errors.Is(err, ErrLiveFeedUnavailable) {
		return nil, fmt.Errorf("join the live feed of auction %d: %w", auctionID, err)
	}
	w := &AuctionWatch{liveWatch: liveWatch[AuctionEvent]{live: live}}
	if err := uc.catchUp(ctx, w, auctionID, lastEventID); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

func (uc *WatchAuction) catchUp(ctx context.Context, w *AuctionWatch, auctionID, lastEventID int64) error {
	d, err := uc.auctions.Detail(ctx, auctionID)
	if err != nil {
		return fmt.Errorf("read auction %d to watch: %w", auctionID, err)
	}
	a := d.Auction
	endAt := a.Terms().EndAt()
	w.cursor = a.BidCount()
	if lastEventID != NoLastEventID && lastEventID < a.BidCount() {
		// Bids never go away, so the history after the count the client saw is
		// exactly what it missed; bids committed since Detail come along.
		bids, err := uc.history.BidsAfter(ctx, auctionID, lastEventID, 0)
		if err != nil {
			return fmt.Errorf("replay bids of auction %d: %w", auctionID, err)
		}
		for i, b := range bids {
			w.replay = append(w.replay, HistoricBidEvent(b, lastEventID+int64(i)+1, endAt))
		}
		w.cursor = max(w.cursor, lastEventID+int64(len(bids)))
	}
	// A scheduled auction is stored as open; so is one past its end that the
	// closer has not finished yet, whose close then comes as a live event.
	if !a.Finished() {
		return nil
	}
	closed := AuctionEvent{Kind: EventClosed, AuctionID: auctionID, BidCount: a.BidCount(), EndAt: endAt,
		Status: a.StoredStatus()}
	buyer, price, sold, err := uc.history.Sale(ctx, auctionID)
	if err != nil {
		return fmt.Errorf("read the sale of auction %d: %w", auctionID, err)
	}
	if sold {
		closed.Amount, closed.BidderID, closed.BidderNickname = price, buyer.ID, buyer.Nickname
	}
	w.replay = append(w.replay, closed)
	w.closed = true
	return nil
}

// HistoricBidEvent is the live event of a bid read back from the history: bidCount
// is its place in the auction, endAt the auction's end as it stands now.
func HistoricBidEvent(b BidEntry, bidCount int64, endAt time.Time) AuctionEvent {
	return AuctionEvent{Kind: EventBid, AuctionID: b.AuctionID, Amount: b.Amount, BidderID: b.Bidder.ID,
		BidderNickname: b.Bidder.Nickname, BidCount: bidCount, EndAt: endAt, Status: auction.StatusOpen, At: b.CreatedAt}
}

// AuctionWatch is one watcher's stream: Replay first, then what Accept lets
// through from Events, until the close.
type AuctionWatch struct {
	liveWatch[AuctionEvent]
	// closed says the auction is over: nothing follows the replay, or the
	// close was accepted.
	closed bool
	cursor int64
}

// Closed says the auction is over: nothing follows.
func (w *AuctionWatch) Closed() bool { return w.closed }

// Events delivers live events; nil (blocking forever) when Closed or Interrupted.
func (w *AuctionWatch) Events() <-chan AuctionEvent {
	if w.closed {
		return nil
	}
	return w.events()
}

// Accept reports whether a live event is new to this watcher: a bid it has not
// seen (the replay may already hold it), the extension by its latest bid, or
// the close.
func (w *AuctionWatch) Accept(e AuctionEvent) bool {
	switch e.Kind {
	case EventBid:
		if e.BidCount <= w.cursor {
			return false
		}
		w.cursor = e.BidCount
		return true
	case EventExtended:
		return e.BidCount >= w.cursor
	case EventClosed:
		w.closed = true
		return true
	}
	return false
}
