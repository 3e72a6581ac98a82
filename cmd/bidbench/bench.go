package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/invariant"
)

// rawStrategy names the raw limit's results.
const rawStrategy = "raw (pgx)"

// bench is one run: the servers it uses and the report it fills.
type bench struct {
	cfg    config
	server *server
	redis  *redis.Client
	runID  string
	// workDir holds the service binary and its logs, and is removed after.
	workDir string
	report  report
	// cleanups are the stops and drops still running in the background.
	cleanups sync.WaitGroup
}

// run measures the raw limit, then every strategy, checks everything and
// writes the outputs. The returned error is a failure to measure; violations
// are in the report.
func run(ctx context.Context, cfg config) (*report, error) {
	if err := os.MkdirAll(cfg.outDir, 0o750); err != nil {
		return nil, fmt.Errorf("create --out: %w", err)
	}
	srv, err := connectServer(ctx, cfg.databaseURL)
	if err != nil {
		return nil, err
	}
	defer srv.close(context.WithoutCancel(ctx))
	workDir, err := os.MkdirTemp("", "bidbench-")
	if err != nil {
		return nil, fmt.Errorf("make a work directory: %w", err)
	}
	defer os.RemoveAll(workDir)
	b := &bench{cfg: cfg, server: srv, workDir: workDir, runID: fmt.Sprintf("bidbench_%d_%d", os.Getpid(), time.Now().Unix())}
	b.report = report{
		StartedAt: time.Now().UTC(),
		Machine:   machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), Postgres: srv.version(ctx)},
		Settings: settings{Smoke: cfg.smoke, Bidders: cfg.bidders, Duration: cfg.duration.String(), Requests: cfg.requests,
			Auctions: cfg.auctions, Strategies: cfg.strategies, Scenarios: cfg.scenarios, URLs: cfg.urls, ServiceEnv: cfg.serviceEnv},
	}
	if len(cfg.urls) == 0 {
		if b.redis, err = connectRedis(ctx, cfg.redisURL); err != nil {
			return nil, err
		}
		defer b.redis.Close()
	}

	if err := b.measureRawLimit(ctx); err != nil {
		return nil, err
	}
	err = b.measureStrategies(ctx)
	b.cleanups.Wait()
	if err != nil {
		return nil, err
	}
	b.report.fillRatios()
	b.report.Passed = len(b.report.Violations) == 0
	if err := b.report.writeJSON(filepath.Join(cfg.outDir, "bench-results.json")); err != nil {
		return nil, err
	}
	if err := writeChart(&b.report, cfg.scenarios, filepath.Join(cfg.outDir, "bench-results.png")); err != nil {
		return nil, err
	}
	return &b.report, nil
}

func (b *bench) violation(format string, args ...any) {
	b.report.Violations = append(b.report.Violations, fmt.Sprintf(format, args...))
}

func (b *bench) plan(label string) loadPlan {
	return loadPlan{label: label, workers: b.cfg.bidders, duration: b.cfg.duration, requests: b.cfg.requests}
}

// rawScenarios are the scenarios with a raw limit: the mixed one is compared
// with nothing, as its reads and buy-nows have no raw counterpart.
func (b *bench) rawScenarios() []string {
	var out []string
	for _, s := range []string{scenarioHot, scenarioSpread} {
		if slices.Contains(b.cfg.scenarios, s) {
			out = append(out, s)
		}
	}
	return out
}

// measureRawLimit runs the bid transaction straight on a fresh database.
func (b *bench) measureRawLimit(ctx context.Context) error {
	scenarios := b.rawScenarios()
	if len(scenarios) == 0 {
		return nil
	}
	name := b.runID + "_raw"
	dsn, err := b.server.createDatabase(ctx, name)
	if err != nil {
		return err
	}
	defer b.dropDatabase(ctx, name)
	if err := migrate(ctx, dsn); err != nil {
		return err
	}
	f, err := b.insertFixture(ctx, dsn, true)
	if err != nil {
		return err
	}
	accepted, err := b.runRawScenarios(ctx, dsn, f, scenarios)
	if err != nil {
		return err
	}
	b.checkDatabase(ctx, rawStrategy, dsn, accepted, f)
	return nil
}

func (b *bench) runRawScenarios(ctx context.Context, dsn string, f fixture, scenarios []string) ([]invariant.Bid, error) {
	target, err := connectRawBidders(ctx, dsn, f)
	if err != nil {
		return nil, err
	}
	defer target.close(context.WithoutCancel(ctx))
	var accepted []invariant.Bid
	for _, scenario := range scenarios {
		log, elapsed := runLoad(ctx, b.plan(rawStrategy+" "+scenario), target.step(scenario, f))
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		b.report.RawLimit = append(b.report.RawLimit, b.summarize(rawStrategy, scenario, log, elapsed, serviceMetrics{}))
		accepted = append(accepted, log.accepted...)
	}
	return accepted, nil
}

func migrate(ctx context.Context, dsn string) error {
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open raw limit database: %w", err)
	}
	defer db.Close()
	if err := postgres.Migrate(ctx, db); err != nil {
		return fmt.Errorf("migrate raw limit database: %w", err)
	}
	return nil
}

// insertFixture inserts the run's members and auctions; charged gives the
// members their points with SQL, where no service runs to take a charge.
func (b *bench) insertFixture(ctx context.Context, dsn string, charged bool) (fixture, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fixture{}, fmt.Errorf("connect for fixtures: %w", err)
	}
	defer conn.Close(ctx)
	f, err := insertFixture(ctx, conn, b.cfg.bidders, b.cfg.auctions)
	if err != nil {
		return fixture{}, err
	}
	if charged {
		ids := make([]int64, len(f.bidders))
		for i, bd := range f.bidders {
			ids[i] = bd.id
		}
		if err := chargeDirectly(ctx, conn, ids, memberPoints); err != nil {
			return fixture{}, err
		}
	}
	return f, nil
}

func (b *bench) dropDatabase(ctx context.Context, name string) {
	if err := b.server.dropDatabase(context.WithoutCancel(ctx), name); err != nil {
		fmt.Fprintln(os.Stderr, "warning:", err)
	}
}

// measureStrategies starts the service once per strategy, or targets the
// given instances.
func (b *bench) measureStrategies(ctx context.Context) error {
	if len(b.cfg.urls) > 0 {
		return b.measureInstances(ctx, b.cfg.strategies[0], b.cfg.urls, b.cfg.databaseURL, nil)
	}
	bin := b.cfg.serviceBin
	if bin == "" {
		var err error
		if bin, err = buildService(ctx, b.workDir); err != nil {
			return err
		}
	}
	for _, strategy := range b.cfg.strategies {
		if err := b.measureStrategy(ctx, bin, strategy); err != nil {
			return fmt.Errorf("strategy %s: %w", strategy, err)
		}
	}
	return nil
}

// measureStrategy runs the service with strategy on a fresh database and
// its own Redis key prefix, all removed after. The service's graceful stop
// and the cleanup run in the background, overlapping the next strategy's
// start: an idle process shutting down costs the measurement nothing.
func (b *bench) measureStrategy(ctx context.Context, bin, strategy string) (err error) {
	name := b.runID + "_" + strategy
	dsn, err := b.server.createDatabase(ctx, name)
	if err != nil {
		return err
	}
	prefix := "bidbench:" + b.runID + ":" + strategy + ":"
	var svc *service
	defer func() {
		b.cleanups.Go(func() {
			if svc != nil {
				svc.stop()
			}
			if err := deleteKeys(context.WithoutCancel(ctx), b.redis, prefix); err != nil {
				fmt.Fprintln(os.Stderr, "warning:", err)
			}
			b.dropDatabase(ctx, name)
		})
	}()
	svc, err = startService(ctx, serviceSpec{
		bin: bin, strategy: strategy, databaseURL: dsn, redisURL: b.cfg.redisURL, keyPrefix: prefix,
		workDir: b.workDir, extraEnv: b.cfg.serviceEnv,
	})
	if err != nil {
		return err
	}
	return b.measureInstances(ctx, strategy, []string{svc.baseURL}, dsn, svc)
}

// measureInstances runs every scenario against urls, which serve strategy
// on the database at dsn; svc is the started service, nil for --url.
func (b *bench) measureInstances(ctx context.Context, strategy string, urls []string, dsn string, svc *service) error {
	f, err := b.insertFixture(ctx, dsn, false)
	if err != nil {
		return err
	}
	api := newAPIClient(2*b.cfg.bidders, b.cfg.idempotencyKeys)
	defer api.close()
	if err := signInBidders(ctx, api, urls, &f); err != nil {
		return err
	}
	target := httpTarget{api: api, urls: urls, bidders: f.bidders}
	var accepted []invariant.Bid
	for _, scenario := range b.cfg.scenarios {
		before, err := scrapeMetrics(ctx, api.http, urls, strategy)
		if err != nil {
			return err
		}
		var rss *rssSampler
		if svc != nil {
			rss = sampleRSS(svc.cmd.Process.Pid, 100*time.Millisecond)
		}
		log, elapsed := runLoad(ctx, b.plan(strategy+" "+scenario), target.step(scenario, f))
		if err := ctx.Err(); err != nil {
			return err
		}
		after, err := scrapeMetrics(ctx, api.http, urls, strategy)
		if err != nil {
			return err
		}
		res := b.summarize(strategy, scenario, log, elapsed, after.since(before))
		if rss != nil {
			res.PeakRSSMiB = mib(rss.finish())
		}
		b.report.Results = append(b.report.Results, res)
		accepted = append(accepted, log.accepted...)
	}
	b.checkDatabase(ctx, strategy, dsn, accepted, f)
	if svc != nil {
		peak, err := svc.peakRSS()
		if err != nil {
			return err
		}
		b.report.Strategies[len(b.report.Strategies)-1].HighWaterMiB = mib(peak)
	}
	return nil
}
