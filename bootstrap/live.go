package bootstrap

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/fx"
	"go.uber.org/zap"

	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/metrics"
	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/application"
)

// liveFeedPing and liveFeedMaxBackoff keep a lost subscription's outage short
// without hammering a Redis that is down.
const (
	liveFeedPing       = 5 * time.Second
	liveFeedMaxBackoff = 5 * time.Second
)

func newLiveMetrics(reg *prometheus.Registry) (*metrics.Live, error) {
	return metrics.NewLive(reg)
}

func newLiveFeed(lc fx.Lifecycle, client *goredis.Client, history application.LiveHistory,
	m application.LiveMetrics, redisSettings RedisSettings, live LiveSettings, logger *zap.Logger) (*redis.LiveFeed, error) {
	feed, err := redis.NewLiveFeed(client, redisSettings.KeyPrefix, history, m, redis.LiveFeedSettings{
		ClientBuffer: live.ClientBuffer, PingEvery: liveFeedPing, MaxBackoff: liveFeedMaxBackoff,
	}, logger)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.Hook{OnStart: feed.Start, OnStop: feed.Stop})
	return feed, nil
}

func newNotificationFeed(lc fx.Lifecycle, client *goredis.Client, history application.NotificationHistory,
	m application.LiveMetrics, redisSettings RedisSettings, live LiveSettings, logger *zap.Logger) (*redis.NotificationFeed, error) {
	feed, err := redis.NewNotificationFeed(client, redisSettings.KeyPrefix, history, m, redis.LiveFeedSettings{
		ClientBuffer: live.ClientBuffer, PingEvery: liveFeedPing, MaxBackoff: liveFeedMaxBackoff,
	}, logger)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.Hook{OnStart: feed.Start, OnStop: feed.Stop})
	return feed, nil
}

func newLiveUseCases(watch *application.WatchAuction, watchNotifications *application.WatchNotifications,
	issue *application.IssueStreamTicket, redeem *application.RedeemStreamTicket, m application.LiveMetrics) httpapi.LiveUseCases {
	return httpapi.LiveUseCases{WatchAuction: watch, WatchNotifications: watchNotifications, IssueStreamTicket: issue,
		RedeemStreamTicket: redeem, Metrics: m}
}

var liveModule = fx.Module("live",
	fx.Provide(
		fx.Annotate(newLiveMetrics, fx.As(new(application.LiveMetrics))),
		fx.Annotate(postgres.NewAuctionStore, fx.As(new(application.LiveHistory))),
		fx.Annotate(newLiveFeed, fx.As(new(application.LiveFeed))),
		fx.Annotate(newNotificationFeed, fx.As(new(application.NotificationFeed))),
		fx.Annotate(func(c *goredis.Client, settings RedisSettings) *redis.StreamTickets {
			return redis.NewStreamTickets(c, settings.KeyPrefix)
		}, fx.As(new(application.StreamTickets))),
		application.NewWatchAuction,
		application.NewWatchNotifications,
		application.NewIssueStreamTicket,
		application.NewRedeemStreamTicket,
		newLiveUseCases,
	),
)
