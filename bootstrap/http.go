package bootstrap

import (
	"context"
	"fmt"
	"net"
	"strings"

	"github.com/prometheus/client_golang/prometheus"
	goredis "github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"
	"go.uber.org/fx"
	"go.uber.org/zap"

	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/postgres"
)

func readinessChecks(db *bun.DB, client *goredis.Client, images imageStoreChecks) []httpapi.ReadinessCheck {
	return append([]httpapi.ReadinessCheck{
		{Name: "postgres", Check: func(ctx context.Context) error { return postgres.Ping(ctx, db) }},
		{Name: "redis", Check: func(ctx context.Context) error { return client.Ping(ctx).Err() }},
	}, images...)
}

// parseTrustedProxies reads TRUSTED_PROXIES: addresses (one host each) and CIDR
// ranges; blank entries are skipped.
func parseTrustedProxies(list []string) ([]*net.IPNet, error) {
	var nets []*net.IPNet
	for _, entry := range list {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if ip := net.ParseIP(entry); ip != nil {
			bits := 8 * len(ip.To16())
			if ip.To4() != nil {
				ip, bits = ip.To4(), 32
			}
			nets = append(nets, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, n, err := net.ParseCIDR(entry)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is neither an address nor a CIDR range such as 10.0.0.0/8", entry)
		}
		nets = append(nets, n)
	}
	return nets, nil
}

func newHTTPServer(lc fx.Lifecycle, cfg Config, account httpapi.AccountUseCases, catalog httpapi.CatalogUseCases,
	trade httpapi.TradeUseCases, imageSearch httpapi.ImageSearchUseCases, live httpapi.LiveUseCases,
	notifications httpapi.NotificationUseCases, checks []httpapi.ReadinessCheck,
	registry *prometheus.Registry, logger *zap.Logger) (*httpapi.Server, error) {
	proxies, err := parseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	server, err := httpapi.NewServer(httpapi.ServerSettings{
		Addr: cfg.HTTPAddr,
		Timeouts: httpapi.Timeouts{
			ReadHeader: cfg.HTTPReadHeaderTimeout, Read: cfg.HTTPReadTimeout,
			Write: cfg.HTTPWriteTimeout, Idle: cfg.HTTPIdleTimeout,
		},
		CORSAllowedOrigins: cfg.CORSAllowedOrigins,
		HSTS:               cfg.HSTS(),
		Cookie:             httpapi.CookieSettings{Secure: !cfg.IsDev(), RefreshTTL: cfg.RefreshTokenTTL},
		Live: httpapi.LiveSettings{
			MaxWatchers: cfg.LiveMaxWatchers, MaxWatchersPerIP: cfg.LiveMaxWatchersPerIP, Heartbeat: cfg.LiveHeartbeat,
			WriteTimeout: cfg.LiveWriteTimeout, RetryHint: cfg.LiveRetryHint,
		},
		CatalogCache:   httpapi.CatalogCacheSettings{TTL: cfg.CatalogCacheTTL, MaxBytes: cfg.CatalogCacheMB << 20},
		TrustedProxies: proxies,
	}, account, catalog, trade, imageSearch, live, notifications, checks, registry, logger)
	if err != nil {
		return nil, err
	}
	lc.Append(fx.Hook{OnStart: server.Start, OnStop: server.Stop})
	return server, nil
}

var httpModule = fx.Module("http",
	fx.Provide(readinessChecks, newHTTPServer, newAdminServer),
	fx.Invoke(func(*httpapi.Server, *httpapi.AdminServer) {}),
)
