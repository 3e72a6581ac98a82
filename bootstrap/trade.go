package bootstrap

import (
	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/artauction/artauction/adapters/background"
	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/lock"
	"github.com/artauction/artauction/adapters/metrics"
	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/application"
)

func newAuctionGuard(settings LockSettings, redisSettings RedisSettings, db *bun.DB, client *goredis.Client, reg *prometheus.Registry) (application.AuctionGuard, error) {
	m, err := lock.NewMetrics(reg, settings.Strategy)
	if err != nil {
		return nil, err
	}
	return lock.New(settings.Strategy, lock.Deps{
		DB: db, Redis: client, KeyPrefix: redisSettings.KeyPrefix, Wait: settings.Wait, TTL: settings.TTL, Metrics: m,
	})
}

func newTradeMetrics(settings LockSettings, reg *prometheus.Registry) (*metrics.Trade, error) {
	return metrics.NewTrade(reg, settings.Strategy)
}

func newPlaceBid(guard application.AuctionGuard, auctions application.AuctionStore, wallet application.Wallet,
	notifier application.Notifier, events application.EventPublisher, notifications application.NotificationPublisher,
	m application.TradeMetrics, clock application.Clock, settings AuctionSettings) *application.PlaceBid {
	return application.NewPlaceBid(guard, auctions, wallet, notifier, events, notifications, m, clock, settings.ExtendWindow)
}

func startCloser(lc fx.Lifecycle, closer *application.CloseEndedAuctions, settings AuctionSettings, logger *zap.Logger) error {
	worker, err := background.NewPeriodic("auction closer", closer, settings.CloseInterval, logger)
	if err != nil {
		return err
	}
	lc.Append(fx.Hook{OnStart: worker.Start, OnStop: worker.Stop})
	return nil
}

func newTradeUseCases(placeBid *application.PlaceBid, buyNow *application.BuyNow, purchase *application.PurchaseArt,
	get *application.GetAuction, bids *application.ListAuctionBids, myBids *application.ListMyBids,
	myPurchases *application.ListMyPurchases, mySales *application.ListMySales, clock application.Clock,
	idempotent *application.RunIdempotent) httpapi.TradeUseCases {
	return httpapi.TradeUseCases{
		PlaceBid: placeBid, BuyNow: buyNow, PurchaseArt: purchase, GetAuction: get, AuctionBids: bids,
		MyBids: myBids, MyPurchases: myPurchases, MySales: mySales, Clock: clock, Idempotent: idempotent,
	}
}

var tradeModule = fx.Module("trade",
	fx.Provide(
		newAuctionGuard,
		fx.Annotate(newTradeMetrics, fx.As(new(application.TradeMetrics))),
		fx.Annotate(func(c *goredis.Client, settings RedisSettings, m application.LiveMetrics, l *zap.Logger) postgres.EventsAfterCommit {
			return postgres.NewEventsAfterCommit(redis.NewEventPublisher(c, settings.KeyPrefix, m, l))
		}, fx.As(new(application.EventPublisher))),
		fx.Annotate(postgres.NewAuctionStore, fx.As(new(application.AuctionStore))),
		fx.Annotate(postgres.NewWallet, fx.As(new(application.Wallet))),
		fx.Annotate(postgres.NewPurchaseStore, fx.As(new(application.PurchaseStore))),
		fx.Annotate(postgres.NewArtSales, fx.As(new(application.ArtSales))),
		newPlaceBid,
		application.NewBuyNow,
		application.NewPurchaseArt,
		application.NewCloseEndedAuctions,
		application.NewGetAuction,
		application.NewListAuctionBids,
		application.NewListMyBids,
		application.NewListMyPurchases,
		application.NewListMySales,
		newTradeUseCases,
	),
	fx.Invoke(startCloser),
)
