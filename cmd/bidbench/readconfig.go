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
)

// readConfig is one run of the read benchmark (`bidbench read`), from the
// command line.
type readConfig struct {
	smoke       bool
	connections int
	duration    time.Duration
	// shapes are the request shapes to run, in the order of allReadShapes.
	shapes []string
	// The catalog: arts (a tenth of them auctions), members, hashtags.
	arts     int
	members  int
	hashtags int
	// logins is how many fixture members log in over the API; the
	// authenticated shapes send their tokens.
	logins int
	// deepPage is the last page of the deep-page shapes (size 20); they
	// draw pages from the deepPageSpread pages ending there.
	deepPage int
	// zipfS and zipfV shape the popularity of ids, hashtags, words and
	// owners: rank k is drawn with probability proportional to (zipfV+k)^-zipfS.
	zipfS       float64
	zipfV       float64
	seed        uint64
	databaseURL string
	redisURL    string
	outDir      string
	serviceEnv  []string
	serviceBin  string
}

func parseReadConfig(args []string) (readConfig, error) {
	fs := flag.NewFlagSet("bidbench read", flag.ContinueOnError)
	var cfg readConfig
	var shapes, env listFlag
	fs.BoolVar(&cfg.smoke, "smoke", false, "a short run for CI: 5,000 arts, 16 connections, 1 s a shape, results in a temporary directory")
	fs.IntVar(&cfg.connections, "connections", 0, "concurrent keep-alive connections, one closed-loop client each (default 64, smoke 16)")
	fs.DurationVar(&cfg.duration, "duration", 0, "length of each request shape (default 5s, smoke 1s)")
	fs.Var(&shapes, "shapes", "request shapes to run (default all): "+strings.Join(allReadShapes, ", "))
	fs.IntVar(&cfg.arts, "arts", 0, "arts in the catalog, a tenth of them auctions (default 100000, smoke 5000)")
	fs.IntVar(&cfg.members, "members", 0, "members in the catalog (default 5000, smoke 500)")
	fs.IntVar(&cfg.hashtags, "hashtags", 500, "distinct hashtags in the catalog")
	fs.IntVar(&cfg.logins, "logins", 0, "members who log in over the API for the authenticated shapes (default 64, smoke 16)")
	fs.IntVar(&cfg.deepPage, "deep-page", 200, "the deep page (size 20) the offset and cursor shapes reach")
	fs.Float64Var(&cfg.zipfS, "zipf-s", 1.1, "Zipf exponent s (> 1) of ids, hashtags, words and owners")
	fs.Float64Var(&cfg.zipfV, "zipf-v", 1, "Zipf offset v (>= 1) of ids, hashtags, words and owners")
	fs.Uint64Var(&cfg.seed, "seed", 1, "seed of the catalog and of the request draws")
	fs.StringVar(&cfg.databaseURL, "database-url", envOr("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		"Postgres URL: an admin connection where the fresh benchmark database is created")
	fs.StringVar(&cfg.redisURL, "redis-url", envOr("TEST_REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis URL for the started service")
	fs.StringVar(&cfg.outDir, "out", "", "directory for bench-read-results.json and bench-read-results.png (default docs/benchmarks, smoke a temporary directory)")
	fs.Var(&env, "service-env", "KEY=VALUE added to the started service's environment (repeatable)")
	fs.StringVar(&cfg.serviceBin, "service-bin", "", "a built artauction binary to run instead of building cmd/artauction")
	if err := fs.Parse(args); err != nil {
		return readConfig{}, err
	}
	if fs.NArg() > 0 {
		return readConfig{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	cfg.shapes = orDefault(shapes, allReadShapes)
	cfg.serviceEnv = env
	cfg.applyDefaults()
	return cfg, cfg.validate()
}

func (c *readConfig) applyDefaults() {
	connections, duration, arts, members, logins, out := 64, 5*time.Second, 100_000, 5000, 64, filepath.Join("docs", "benchmarks")
	if c.smoke {
		connections, duration, arts, members, logins, out = 16, time.Second, 5000, 500, 16, filepath.Join(os.TempDir(), "bidbench-read-smoke")
	}
	if c.connections == 0 {
		c.connections = connections
	}
	if c.duration == 0 {
		c.duration = duration
	}
	if c.arts == 0 {
		c.arts = arts
	}
	if c.members == 0 {
		c.members = members
	}
	if c.logins == 0 {
		c.logins = logins
	}
	if c.outDir == "" {
		c.outDir = out
	}
}

// minReadArts keeps every sort and filter of the catalog populated: ten
// auctions at least, in every state.
const minReadArts = 100

func (c *readConfig) validate() error {
	var errs []error
	for _, s := range c.shapes {
		if !slices.Contains(allReadShapes, s) {
			errs = append(errs, fmt.Errorf("--shapes: unknown shape %q (want %s)", s, strings.Join(allReadShapes, ", ")))
		}
	}
	if c.connections < 1 || c.duration <= 0 {
		errs = append(errs, errors.New("--connections and --duration must be positive"))
	}
	if c.arts < minReadArts {
		errs = append(errs, fmt.Errorf("--arts: at least %d", minReadArts))
	}
	// Bidders other than the seller must take turns on every auction.
	if c.members < 3 {
		errs = append(errs, errors.New("--members: at least 3"))
	}
	if c.hashtags < 1 || c.hashtags > len(vocabulary)*len(vocabulary) {
		errs = append(errs, fmt.Errorf("--hashtags: 1 to %d", len(vocabulary)*len(vocabulary)))
	}
	if c.logins < 1 || c.logins > c.members {
		errs = append(errs, errors.New("--logins: 1 to --members"))
	}
	if c.deepPage < deepPageSpread+1 {
		errs = append(errs, fmt.Errorf("--deep-page: more than %d", deepPageSpread))
	}
	if slices.ContainsFunc(c.shapes, isDeepShape) && c.deepPage*readPageSize > c.arts {
		errs = append(errs, fmt.Errorf("--deep-page: page %d of %d needs more than %d arts", c.deepPage, readPageSize, c.arts))
	}
	if !(c.zipfS > 1) || !(c.zipfV >= 1) {
		errs = append(errs, errors.New("--zipf-s must be above 1 and --zipf-v at least 1"))
	}
	for _, kv := range c.serviceEnv {
		if !strings.Contains(kv, "=") {
			errs = append(errs, fmt.Errorf("--service-env: %q is not KEY=VALUE", kv))
		}
	}
	return errors.Join(errs...)
}
