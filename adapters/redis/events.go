package redis

import (
	"context"
	"encoding/json"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
)

// EventPublisher announces auction events on one Redis pub/sub channel, the
// auction id inside each message, so an instance subscribes once for all auctions.
type EventPublisher struct {
	client  *redis.Client
	channel string
	metrics application.LiveMetrics
	log     *zap.Logger
}

var _ application.EventPublisher = (*EventPublisher)(nil)

// NewEventPublisher publishes on <prefix>auction-events.
func NewEventPublisher(client *redis.Client, prefix string, metrics application.LiveMetrics, log *zap.Logger) *EventPublisher {
	return &EventPublisher{client: client, channel: EventChannel(prefix), metrics: metrics, log: log}
}

// EventChannel is the channel auction events travel on.
func EventChannel(prefix string) string { return prefix + "auction-events" }

// AuctionEventMessage is an event as it travels through Redis.
type AuctionEventMessage struct {
	Kind      string `json:"kind"`
	AuctionID int64  `json:"auction_id"`
	Amount    int64  `json:"amount,omitempty"`
	BidderID  int64  `json:"bidder_id,omitempty"`
	// BidderNickname saves every instance a read per event.
	BidderNickname string    `json:"bidder_nickname,omitempty"`
	BidCount       int64     `json:"bid_count"`
	EndAt          time.Time `json:"end_at"`
	Status         string    `json:"status"`
	At             time.Time `json:"at"`
}

// Publish logs a failure instead of returning it: the change it announces has
// committed, and watchers catch up from the bid history.
func (p *EventPublisher) Publish(ctx context.Context, e application.AuctionEvent) {
	payload, err := json.Marshal(AuctionEventMessage{
		Kind: string(e.Kind), AuctionID: e.AuctionID, Amount: e.Amount, BidderID: e.BidderID,
		BidderNickname: e.BidderNickname, BidCount: e.BidCount, EndAt: e.EndAt.UTC(), Status: string(e.Status), At: e.At.UTC(),
	})
	if err == nil {
		err = p.client.Publish(ctx, p.channel, payload).Err()
	}
	if err == nil {
		p.metrics.EventPublished(application.LiveAuctions, string(e.Kind))
		return
	}
	p.log.Warn("publish auction event", zap.String("kind", string(e.Kind)),
		zap.Int64("auction_id", e.AuctionID), zap.Error(err))
}
