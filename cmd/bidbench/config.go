package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/artauction/artauction/adapters/lock"
)

// Scenarios, as named on the command line.
const (
	scenarioHot    = "hot"
	scenarioSpread = "spread"
	scenarioMixed  = "mixed"
)

var allScenarios = []string{scenarioHot, scenarioSpread, scenarioMixed}

// config is one benchmark run, from the command line.
type config struct {
	smoke      bool
	strategies []string
	scenarios  []string
	bidders    int
	duration   time.Duration
	// requests, when positive, ends a scenario after that many requests
	// instead of after duration.
	requests int64
	auctions int
	// urls are running instances to target instead of starting the service.
	urls        []string
	databaseURL string
	redisURL    string
	outDir      string
	serviceEnv  []string
	serviceBin  string
	// linTimeout bounds the linearizability check of one scenario; running
	// out is a failure, not a pass.
	linTimeout time.Duration
	// idempotencyKeys sends every bid with a fresh Idempotency-Key, to
	// measure what recording the answers costs.
	idempotencyKeys bool
}

// listFlag is a flag that may be given several times or as a comma list.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	for part := range strings.SplitSeq(v, ",") {
		if part = strings.TrimSpace(part); part != "" {
			*l = append(*l, part)
		}
	}
	return nil
}

func parseConfig(args []string) (config, error) {
	fs := flag.NewFlagSet("bidbench", flag.ContinueOnError)
	var cfg config
	var strategies, scenarios, urls, env listFlag
	fs.BoolVar(&cfg.smoke, "smoke", false, "a short run for CI: 16 bidders, 100 auctions, 1.5 s a scenario, no pgbench, results in a temporary directory")
	fs.Var(&strategies, "strategies", "lock strategies to compare (default row,named,redis,optimistic)")
	fs.Var(&scenarios, "scenarios", "scenarios to run: hot, spread, mixed (default all)")
	fs.IntVar(&cfg.bidders, "bidders", 0, "concurrent bidders, each a member of its own (default 64, smoke 16)")
	fs.DurationVar(&cfg.duration, "duration", 0, "length of each scenario (default 10s, smoke 2s)")
	fs.Int64Var(&cfg.requests, "requests", 0, "end each scenario after this many requests instead of after --duration")
	fs.IntVar(&cfg.auctions, "auctions", 0, "auctions of the spread and mixed scenarios (default 1000, smoke 100)")
	fs.Var(&urls, "url", "base URL of a running instance to target instead of starting the service (repeatable; requests are spread round-robin)")
	fs.StringVar(&cfg.databaseURL, "database-url", envOr("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"Postgres URL: an admin connection where fresh benchmark databases are created; with --url, the instances' own (dedicated) database")
	fs.StringVar(&cfg.redisURL, "redis-url", envOr("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis URL for the started service")
	fs.StringVar(&cfg.outDir, "out", "", "directory for bench-results.json, the chart and any violation report (default docs/benchmarks, smoke a temporary directory)")
	fs.Var(&env, "service-env", "KEY=VALUE added to the started service's environment (repeatable), e.g. AUCTION_LOCK_WAIT=1s")
	fs.StringVar(&cfg.serviceBin, "service-bin", "", "a built artauction binary to run instead of building cmd/artauction")
	fs.DurationVar(&cfg.linTimeout, "lin-timeout", 2*time.Minute, "longest linearizability check of one scenario")
	fs.BoolVar(&cfg.idempotencyKeys, "idempotency-keys", false, "send every bid with a fresh Idempotency-Key")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	cfg.strategies = orDefault(strategies, lock.Strategies())
	cfg.scenarios = orDefault(scenarios, allScenarios)
	cfg.urls = urls
	cfg.serviceEnv = env
	cfg.applyDefaults()
	return cfg, cfg.validate()
}

func (c *config) applyDefaults() {
	bidders, duration, auctions, out := 64, 10*time.Second, 1000, filepath.Join("docs", "benchmarks")
	if c.smoke {
		bidders, duration, auctions, out = 16, 1500*time.Millisecond, 100, filepath.Join(os.TempDir(), "bidbench-smoke")
	}
	if c.bidders == 0 {
		c.bidders = bidders
	}
	if c.duration == 0 {
		c.duration = duration
	}
	if c.auctions == 0 {
		c.auctions = auctions
	}
	if c.outDir == "" {
		c.outDir = out
	}
}

func (c *config) validate() error {
	var errs []error
	for _, s := range c.strategies {
		if err := lock.CheckStrategy(s); err != nil {
			errs = append(errs, fmt.Errorf("--strategies: %w", err))
		}
	}
	for _, s := range c.scenarios {
		if !slices.Contains(allScenarios, s) {
			errs = append(errs, fmt.Errorf("--scenarios: unknown scenario %q (want %s)", s, strings.Join(allScenarios, ", ")))
		}
	}
	if c.bidders < 2 {
		errs = append(errs, errors.New("--bidders: at least 2, or nobody is ever outbid"))
	}
	if c.duration <= 0 || c.requests < 0 || c.auctions < 1 || c.linTimeout <= 0 {
		errs = append(errs, errors.New("--duration, --requests, --auctions and --lin-timeout must be positive"))
	}
	if len(c.urls) > 0 && len(c.strategies) != 1 {
		errs = append(errs, errors.New("--url: the instances run one strategy; name it with --strategies"))
	}
	for _, kv := range c.serviceEnv {
		if !strings.Contains(kv, "=") {
			errs = append(errs, fmt.Errorf("--service-env: %q is not KEY=VALUE", kv))
		}
	}
	return errors.Join(errs...)
}

func orDefault(given, all []string) []string {
	if len(given) == 0 {
		return all
	}
	return given
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}
