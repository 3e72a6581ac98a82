package redis_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	goredis "github.com/redis/go-redis/v9"

	"github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
)

func TestEventPublisherPublishesOnTheChannel(t *testing.T) {
	client, prefix := redistest.New(t)
	sub := client.Subscribe(t.Context(), redis.EventChannel(prefix))
	defer sub.Close()
	_, err := sub.Receive(t.Context())
	require.NoError(t, err)

	end := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	redis.NewEventPublisher(client, prefix, nopLiveMetrics{}, zap.NewNop()).Publish(t.Context(), application.AuctionEvent{
		Kind: application.EventBid, AuctionID: 7, Amount: 12000, BidderID: 3, BidCount: 4, EndAt: end,
		Status: auction.StatusOpen, At: end.Add(-time.Hour),
	})

	select {
	case msg := <-sub.Channel():
		var got redis.AuctionEventMessage
		require.NoError(t, json.Unmarshal([]byte(msg.Payload), &got))
		assert.Equal(t, redis.AuctionEventMessage{Kind: "bid", AuctionID: 7, Amount: 12000, BidderID: 3, BidCount: 4,
			EndAt: end, Status: "open", At: end.Add(-time.Hour)}, got)
	case <-time.After(5 * time.Second):
		t.Fatal("no event arrived")
	}
}

func TestEventPublisherLogsWhenRedisIsDown(t *testing.T) {
	down := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer down.Close()
	core, logs := observer.New(zapcore.WarnLevel)
	redis.NewEventPublisher(down, "x:", nopLiveMetrics{}, zap.New(core)).Publish(t.Context(), application.AuctionEvent{Kind: application.EventClosed, AuctionID: 9})
	require.Equal(t, 1, logs.FilterMessage("publish auction event").Len())
}
