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

func newHTTPServer(lc fx.Lifecycle, settings HTTPSettings, app AppSettings, auth AuthSettings,
	live LiveSettings, cache CatalogCacheSettings, account httpapi.AccountUseCases, catalog httpapi.CatalogUseCases,
	trade httpapi.TradeUseCases, imageSearch httpapi.ImageSearchUseCases, liveUseCases httpapi.LiveUseCases,
	notifications httpapi.NotificationUseCases, checks []httpapi.ReadinessCheck,
	registry *prometheus.Registry, logger *zap.Logger) (*httpapi.Server, error) {
	proxies, err := parseTrustedProxies(settings.TrustedProxies)
	if err != nil {
		return nil, err
	}
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
		CatalogCache:   httpapi.CatalogCacheSettings{TTL: cache.TTL, MaxBytes: cache.MB << 20},
		TrustedProxies: proxies,
	}, account, catalog, trade, imageSearch, liveUseCases, notifications, checks, registry, logger)
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
