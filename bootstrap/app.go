// Package bootstrap wires the service with fx: one module per area, servers and
// workers started and stopped by lifecycle hooks. It is the only package that
// knows every other one.
package bootstrap

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/artauction/artauction/adapters/clock"
	"github.com/artauction/artauction/application"
)

// service is the whole service for cfg, whose settings leave the optional
// parts (the detector, the admin listener) in or out.
func service(cfg Config) fx.Option {
	return fx.Options(
		loggingOptions,
		fx.Provide(
			newMetricsRegistry,
			fx.Annotate(func() clock.System { return clock.System{} }, fx.As(new(application.Clock))),
		),
		postgresModule,
		redisModule,
		securityModule,
		mailModule,
		accountModule,
		catalogModule,
		tradeModule,
		notificationModule,
		idempotencyModule,
		liveModule,
		detectionModule(cfg.Detection),
		httpModule,
		adminModule(cfg.Admin),
	)
}

// NewApp builds the service for cfg; extra options let tests replace parts.
func NewApp(cfg Config, extra ...fx.Option) *fx.App {
	return fx.New(configOptions(cfg), service(cfg), fx.Options(extra...), fx.StopTimeout(20*time.Second))
}

// configOptions give fx each section of cfg on its own.
func configOptions(cfg Config) fx.Option {
	return fx.Supply(cfg.sections()...)
}

// Main runs the command line: no argument serves, "migrate" only migrates.
func Main(args []string) int {
	cfg, err := LoadConfig()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	switch {
	case len(args) == 0 || args[0] == "serve":
		NewApp(cfg).Run()
		return 0
	case args[0] == "migrate":
		return migrateOnly(cfg)
	default:
		fmt.Fprintf(os.Stderr, "usage: artauction [serve|migrate]\n")
		return 2
	}
}

// migrateOnly starts just the database part, whose start applies the migrations.
func migrateOnly(cfg Config) int {
	app := fx.New(configOptions(cfg), loggingOptions, postgresModule, fx.Invoke(func(dbReady) {}))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := app.Start(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := app.Stop(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// newMetricsRegistry holds the service's own metrics, served on both listeners;
// the runtime ones are the admin listener's alone (admin.go).
func newMetricsRegistry() *prometheus.Registry {
	return prometheus.NewRegistry()
}
