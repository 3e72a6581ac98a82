package bootstrap

import (
	"fmt"
	"net"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/uptrace/bun"
	"go.uber.org/fx"
	"go.uber.org/zap"

	httpapi "github.com/artauction/artauction/adapters/http"
)

// adminPortOffset puts an instance's admin listener at its HTTP port plus this
// (9091 for 8080), so that instances on one host, each with its own HTTP_ADDR,
// never reach for the same admin port.
const adminPortOffset = 1011

// defaultAdminAddr is the admin address when ADMIN_ADDR is unset: loopback, at
// the HTTP port plus adminPortOffset; any free port when the HTTP port is 0
// (tests) or too high to offset.
func defaultAdminAddr(httpAddr string) string {
	port := 8080
	if _, p, err := net.SplitHostPort(httpAddr); err == nil {
		if n, err := strconv.Atoi(p); err == nil {
			port = n
		}
	}
	if port == 0 || port+adminPortOffset > 65535 {
		return "127.0.0.1:0"
	}
	return "127.0.0.1:" + strconv.Itoa(port+adminPortOffset)
}

// adminModule serves pprof and every metric (the service's own, the Go
// runtime's, the process's and the database pool's) on ADMIN_ADDR; set empty,
// ADMIN_ADDR leaves the admin listener out.
func adminModule(settings AdminSettings) fx.Option {
	if settings.Addr == "" {
		return fx.Options()
	}
	return fx.Module("admin",
		fx.Provide(newAdminServer),
		fx.Invoke(func(*httpapi.AdminServer) {}),
	)
}

func newAdminServer(lc fx.Lifecycle, settings AdminSettings, service *prometheus.Registry, db *bun.DB,
	logger *zap.Logger) (*httpapi.AdminServer, error) {
	runtime := prometheus.NewRegistry()
	err := runtimeCollectors(runtime, db)
	if err != nil {
		return nil, err
	}
	server := httpapi.NewAdminServer(settings.Addr, prometheus.Gatherers{service, runtime}, logger)
	lc.Append(fx.Hook{OnStart: server.Start, OnStop: server.Stop})
	return server, nil
}

func runtimeCollectors(reg *prometheus.Registry, db *bun.DB) error {
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(collectors.MetricsAll)),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		collectors.NewDBStatsCollector(db.DB, "artauction"),
	} {
		if err := reg.Register(c); err != nil {
			return fmt.Errorf("register runtime metrics: %w", err)
		}
	}
	return nil
}
