package bootstrap

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"
	"go.uber.org/fx"
	"go.uber.org/zap"

	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/postgres"
)

func readinessChecks(db *bun.DB, client *goredis.Client) []httpapi.ReadinessCheck {
	return []httpapi.ReadinessCheck{
		{Name: "postgres", Check: func(ctx context.Context) error { return postgres.Ping(ctx, db) }},
		{Name: "redis", Check: func(ctx context.Context) error { return client.Ping(ctx).Err() }},
	}
}

func newHTTPServer(lc fx.Lifecycle, settings HTTPSettings, app AppSettings, auth AuthSettings,
	live LiveSettings, cache CatalogCacheSettings, account httpapi.AccountUseCases, catalog httpapi.CatalogUseCases,
	trade httpapi.TradeUseCases, imageSearch httpapi.ImageSearchUseCases, liveUseCases httpapi.LiveUseCases, checks []httpapi.ReadinessCheck,
	registry *prometheus.Registry, logger *zap.Logger) (*httpapi.Server, error) {
	server, err := httpapi.NewServer(httpapi.ServerSettings{
		Addr: settings.Addr,
		Timeouts: httpapi.Timeouts{
			ReadHeader: settings.ReadHeaderTimeout, Read: settings.ReadTimeout,
			Write: settings.WriteTimeout, Idle: settings.IdleTimeout,
		},
		CORSAllowedOrigins: settings.CORSAllowedOrigins,
		HSTS:               app.HSTS(),
		Cookie:             httpapi.CookieSettings{Secure: !app.IsDev(), RefreshTTL: auth.RefreshTokenTTL},
		Live: httpapi.LiveSettings{
			MaxWatchers: live.MaxWatchers, MaxWatchersPerIP: live.MaxWatchersPerIP, Heartbeat: live.Heartbeat,
			WriteTimeout: live.WriteTimeout, RetryHint: live.RetryHint,
		},
		CatalogCache: httpapi.CatalogCacheSettings{TTL: cache.TTL, MaxBytes: cache.MB << 20},
	}, account, catalog, trade, imageSearch, liveUseCases, checks, registry, logger)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.Hook{OnStart: server.Start, OnStop: server.Stop})
	return server, nil
}

var httpModule = fx.Module("http",
	fx.Provide(readinessChecks, newHTTPServer),
	fx.Invoke(func(*httpapi.Server) {}),
)
