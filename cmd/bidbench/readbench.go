package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/artauction/artauction/adapters/postgres/invariant"
)

// readStrategy is the bid-lock strategy the read benchmark's service runs
// with; reads take no lock, so any would do.
const readStrategy = "row"

// runRead builds the catalog on a fresh database, starts the service and
// the hello-world baseline, drives every shape and writes the outputs. The
// returned error is a failure to measure; violations are in the report.
func runRead(ctx context.Context, cfg readConfig) (*readReport, error) {
	if err := os.MkdirAll(cfg.outDir, 0o755); err != nil {
		return nil, fmt.Errorf("create --out: %w", err)
	}
	srv, err := connectServer(ctx, cfg.databaseURL)
	if err != nil {
		return nil, err
	}
	defer srv.close(context.WithoutCancel(ctx))
	rdb, err := connectRedis(ctx, cfg.redisURL)
	if err != nil {
		return nil, err
	}
	defer rdb.Close()
	workDir, err := os.MkdirTemp("", "bidbench-read-")
	if err != nil {
		return nil, fmt.Errorf("make a work directory: %w", err)
	}
	defer os.RemoveAll(workDir)

	rep := &readReport{
		StartedAt: time.Now().UTC(),
		Machine:   machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), Postgres: srv.version(ctx)},
		Settings: readSettings{
			Smoke: cfg.smoke, Connections: cfg.connections, Duration: cfg.duration.String(), Shapes: cfg.shapes,
			Logins: cfg.logins, DeepPages: fmt.Sprintf("%d..%d of size %d", cfg.deepPage-deepPageSpread+1, cfg.deepPage, readPageSize),
			Popularity: zipfLaw{S: cfg.zipfS, V: cfg.zipfV}, Pages: zipfLaw{S: pageZipfS, V: pageZipfV}, MaxPage: maxBrowsedPage,
			Seed: cfg.seed, ServiceEnv: cfg.serviceEnv,
		},
	}
	runID := fmt.Sprintf("bidbench_read_%d_%d", os.Getpid(), time.Now().Unix())
	dsn, err := srv.createDatabase(ctx, runID)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := srv.dropDatabase(context.WithoutCancel(ctx), runID); err != nil {
			fmt.Fprintln(os.Stderr, "warning:", err)
		}
	}()
	if err := migrate(ctx, dsn); err != nil {
		return nil, err
	}
	setup := time.Now()
	// The service compiles while Postgres builds the catalog.
	var build errgroup.Group
	bin := cfg.serviceBin
	if bin == "" {
		build.Go(func() (err error) {
			bin, err = buildService(ctx, workDir)
			return err
		})
	}
	targets, err := buildCatalog(ctx, cfg, dsn, &rep.Catalog)
	if err != nil {
		_ = build.Wait()
		return nil, err
	}
	targets.deepPage = cfg.deepPage
	progressf("%.1f s: catalog of %d arts built and checked", time.Since(setup).Seconds(), cfg.arts)
	if err := build.Wait(); err != nil {
		return nil, err
	}
	prefix := "bidbench:" + runID + ":"
	defer func() {
		if err := deleteKeys(context.WithoutCancel(ctx), rdb, prefix); err != nil {
			fmt.Fprintln(os.Stderr, "warning:", err)
		}
	}()
	svc, err := startService(ctx, serviceSpec{bin: bin, strategy: readStrategy, databaseURL: dsn, redisURL: cfg.redisURL,
		keyPrefix: prefix, workDir: workDir, extraEnv: cfg.serviceEnv})
	if err != nil {
		return nil, err
	}
	defer svc.stop()
	hello, err := startHello(ctx, workDir)
	if err != nil {
		return nil, err
	}
	defer hello.stop()

	api := newAPIClient(cfg.connections, false)
	defer api.close()
	if targets.sessions, err = logIn(ctx, api, svc.baseURL, sessionMembers(cfg.members, cfg.logins)); err != nil {
		return nil, err
	}
	var cursorErr error
	if slices.Contains(cfg.shapes, shapePageDeepCursor) {
		targets.cursors, cursorErr = collectCursors(ctx, api, svc.baseURL, cfg.deepPage)
	}
	progressf("%.1f s: service and baseline started, %d members logged in, cursors walked", time.Since(setup).Seconds(), cfg.logins)

	run := func(shape, base string) readResult {
		plan := loadPlan{label: "read " + shape, workers: cfg.connections, duration: cfg.duration}
		log, elapsed := readLoad(ctx, api, base, plan, clientSources(&targets, shape, cfg.connections, cfg.seed))
		return summarizeRead(shape, cfg.connections, log, elapsed)
	}
	rep.Baseline = run(baselineShape, hello.baseURL)
	for _, shape := range cfg.shapes {
		if shape == shapePageDeepCursor && cursorErr != nil {
			rep.Results = append(rep.Results, readResult{Shape: shape, Request: describeShape(shape), Failure: cursorErr.Error()})
			continue
		}
		rss := sampleRSS(svc.cmd.Process.Pid, 100*time.Millisecond)
		res := run(shape, svc.baseURL)
		res.PeakRSSMiB = mib(rss.finish())
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rep.Results = append(rep.Results, res)
	}
	peak, err := svc.peakRSS()
	if err != nil {
		return nil, err
	}
	rep.HighWaterMiB = mib(peak)
	rep.finish()
	if err := rep.writeJSON(filepath.Join(cfg.outDir, readResultsFile)); err != nil {
		return nil, err
	}
	if err := writeReadChart(rep, filepath.Join(cfg.outDir, readChartFile)); err != nil {
		return nil, err
	}
	return rep, nil
}

// progressf tells the person waiting where the setup is, on stderr.
func progressf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bidbench read: "+format+"\n", args...)
}

// buildCatalog inserts the catalog, checks the invariants on it, counts it
// into summary and ranks what the shapes draw from.
func buildCatalog(ctx context.Context, cfg readConfig, dsn string, summary *catalogSummary) (readTargets, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return readTargets{}, fmt.Errorf("connect for the catalog: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	built, err := insertCatalog(ctx, conn, readCatalogSpec{arts: cfg.arts, members: cfg.members, hashtags: cfg.hashtags, seed: cfg.seed})
	if err != nil {
		return readTargets{}, err
	}
	checkStart := time.Now()
	broken, err := checkInvariants(ctx, dsn)
	if err != nil {
		return readTargets{}, err
	}
	if *summary, err = summarizeCatalog(ctx, conn); err != nil {
		return readTargets{}, err
	}
	summary.BuildSeconds, summary.CheckSeconds, summary.Invariants = built.Seconds(), time.Since(checkStart).Seconds(), broken
	targets, err := rankCatalog(ctx, conn)
	if err != nil {
		return readTargets{}, err
	}
	targets.law = zipfLaw{S: cfg.zipfS, V: cfg.zipfV}
	return targets, nil
}

// checkInvariants runs the rules of adapters/postgres/invariant on the
// catalog: a fixture whose auctions contradict their bids measures nothing.
func checkInvariants(ctx context.Context, dsn string) ([]string, error) {
	db, err := openSQL(dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	broken, err := invariant.Check(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("check the catalog's invariants: %w", err)
	}
	return broken, nil
}

// logIn logs the members with ids in over the API, a few at a time: each
// login is a bcrypt comparison.
func logIn(ctx context.Context, api *apiClient, base string, ids []int64) ([]bidder, error) {
	sessions := make([]bidder, len(ids))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i, id := range ids {
		g.Go(func() error {
			token, err := api.login(ctx, base, readerEmail(id), benchPassword)
			sessions[i] = bidder{id: id, token: token} // each goroutine writes its own element
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("log members in: %w", err)
	}
	return sessions, nil
}

// collectCursors walks every deep sort, all at once.
func collectCursors(ctx context.Context, api *apiClient, base string, deepPage int) (map[string]map[int]string, error) {
	cursors := make([]map[int]string, len(deepSorts))
	g, ctx := errgroup.WithContext(ctx)
	for i, sort := range deepSorts {
		g.Go(func() error {
			var err error
			cursors[i], err = walkCursors(ctx, api, base, deepQuery(sort), deepPage-deepPageSpread+1, deepPage)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := map[string]map[int]string{}
	for i, sort := range deepSorts {
		out[sort] = cursors[i]
	}
	return out, nil
}

// startHello runs this binary's hello subcommand as the baseline's own
// process and waits until it answers.
func startHello(ctx context.Context, workDir string) (*service, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find bidbench's own binary: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(workDir, "hello.log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create hello log: %w", err)
	}
	defer logFile.Close()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(exe, helloCommand, "--addr", addr)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the hello baseline: %w", err)
	}
	s := &service{cmd: cmd, baseURL: "http://" + addr, logPath: logPath, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, 10*time.Second); err != nil {
		s.stop()
		return nil, errors.Join(fmt.Errorf("hello baseline not ready: %w", err), errors.New(tail(logPath, 20)))
	}
	return s, nil
}
