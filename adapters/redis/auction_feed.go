package redis

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
)

// LiveFeed is the feed of auction events: one subscription per instance to
// <prefix>auction-events, a room per auction watched here. A room orders its
// auction's events by bid count: a bid that skips ahead, or an extension or a
// close naming a higher count, makes it read the missing bids from the history.
type LiveFeed struct {
	*feed[application.AuctionEvent]
}

var _ application.LiveFeed = (*LiveFeed)(nil)

// NewLiveFeed builds the auction feed; Start subscribes.
func NewLiveFeed(client *redis.Client, prefix string, history application.LiveHistory, metrics application.LiveMetrics,
	settings LiveFeedSettings, log *zap.Logger) (*LiveFeed, error) {
	f, err := newFeed(client, EventChannel(prefix), auctionSequence{history: history}, application.LiveAuctions,
		metrics, settings, log)
	if err != nil {
		return nil, err
	}
	return &LiveFeed{feed: f}, nil
}

// Join registers a watcher of auctionID, once its room knows the auction's
// bid count; auction.ErrNotFound for an unknown auction.
func (f *LiveFeed) Join(ctx context.Context, auctionID int64) (application.LiveSubscription, error) {
	s, err := f.join(ctx, auctionID)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// auctionSequence numbers an auction's events by bid count.
type auctionSequence struct {
	history application.LiveHistory
}

func (auctionSequence) decode(payload string) (int64, application.AuctionEvent, error) {
	var m AuctionEventMessage
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		return 0, application.AuctionEvent{}, fmt.Errorf("decode auction event: %w", err)
	}
	status, err := auction.ParseStatus(m.Status)
	if err != nil {
		return 0, application.AuctionEvent{}, fmt.Errorf("decode auction event: %w", err)
	}
	kind := application.AuctionEventKind(m.Kind)
	switch kind {
	case application.EventBid, application.EventExtended, application.EventClosed:
	default:
		return 0, application.AuctionEvent{}, fmt.Errorf("decode auction event: unknown kind %q", m.Kind)
	}
	return m.AuctionID, application.AuctionEvent{
		Kind: kind, AuctionID: m.AuctionID, Amount: m.Amount, BidderID: m.BidderID, BidderNickname: m.BidderNickname,
		BidCount: m.BidCount, EndAt: m.EndAt, Status: status, At: m.At,
	}, nil
}

// place: a bid is its own count, read back when it came without its bidder's
// nickname; an extension and a close follow the count they name.
func (auctionSequence) place(e application.AuctionEvent) (int64, role) {
	switch {
	case e.Kind == application.EventBid && e.BidderNickname == "":
		return e.BidCount, stepReadBack
	case e.Kind == application.EventBid:
		return e.BidCount, step
	case e.Kind == application.EventExtended:
		return e.BidCount, mark
	}
	return e.BidCount, final
}

func (s auctionSequence) position(ctx context.Context, auctionID int64) (int64, error) {
	return s.history.BidCount(ctx, auctionID)
}

// missed reads the bids as live events, with the end the event that showed
// the gap names.
func (s auctionSequence) missed(ctx context.Context, auctionID, after, upto int64,
	cause application.AuctionEvent) ([]application.AuctionEvent, error) {
	bids, err := s.history.BidsAfter(ctx, auctionID, after, int(upto-after))
	if err != nil {
		return nil, err
	}
	events := make([]application.AuctionEvent, len(bids))
	for i, b := range bids {
		events[i] = application.HistoricBidEvent(b, after+int64(i)+1, cause.EndAt)
	}
	return events, nil
}
