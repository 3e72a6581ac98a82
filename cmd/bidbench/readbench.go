package main

import (
	"context"
	"errors"
	"fmt"
	"os"
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
	if err := os.MkdirAll(cfg.outDir, 0o750); err != nil {
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

	rep := newReadReport(cfg, srv.version(ctx))
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
	bin, targets, err := buildCatalogAndService(ctx, cfg, dsn, workDir, &rep.Catalog)
	if err != nil {
		return nil, err
	}
	prefix := "bidbench:" + runID + ":"
	defer func() {
		if err := deleteKeys(context.WithoutCancel(ctx), rdb, prefix); err != nil {
			fmt.Fprintln(os.Stderr, "warning:", err)
		}
	}()
	svc, hello, err := startServiceAndBaseline(ctx, serviceSpec{bin: bin, strategy: readStrategy, databaseURL: dsn,
		redisURL: cfg.redisURL, keyPrefix: prefix, workDir: workDir, extraEnv: cfg.serviceEnv})
	if err != nil {
		return nil, err
	}
	defer svc.stop()
	defer hello.stop()
	if err := measureShapes(ctx, cfg, &targets, svc, hello, rep); err != nil {
		return nil, err
	}
	if err := rep.write(cfg.outDir); err != nil {
		return nil, err
	}
	return rep, nil
}

// newReadReport is the report of a run of cfg against Postgres postgresVersion,
// before any result.
func newReadReport(cfg readConfig, postgresVersion string) *readReport {
	return &readReport{
		StartedAt: time.Now().UTC(),
		Machine:   machine{CPUs: runtime.NumCPU(), OS: runtime.GOOS + "/" + runtime.GOARCH, Go: runtime.Version(), Postgres: postgresVersion},
		Settings: readSettings{
			Smoke: cfg.smoke, Connections: cfg.connections, Duration: cfg.duration.String(), Shapes: cfg.shapes,
			Logins: cfg.logins, DeepPages: fmt.Sprintf("%d..%d of size %d", cfg.deepPage-deepPageSpread+1, cfg.deepPage, readPageSize),
			Popularity: zipfLaw{S: cfg.zipfS, V: cfg.zipfV}, Pages: zipfLaw{S: pageZipfS, V: pageZipfV}, MaxPage: maxBrowsedPage,
			Seed: cfg.seed, ServiceEnv: cfg.serviceEnv,
		},
	}
}

// buildCatalogAndService migrates the database at dsn and builds the catalog
// on it, counted into summary, while the service compiles (unless
// --service-bin names one); it returns the service's binary and what the
// shapes draw from.
func buildCatalogAndService(ctx context.Context, cfg readConfig, dsn, workDir string,
	summary *catalogSummary) (string, readTargets, error) {
	if err := migrate(ctx, dsn); err != nil {
		return "", readTargets{}, err
	}
	setup := time.Now()
	var build errgroup.Group
	bin := cfg.serviceBin
	if bin == "" {
		build.Go(func() (err error) {
			bin, err = buildService(ctx, workDir)
			return err
		})
	}
	targets, err := buildCatalog(ctx, cfg, dsn, summary)
	if err != nil {
		_ = build.Wait()
		return "", readTargets{}, err
	}
	targets.deepPage = cfg.deepPage
	progressf("%.1f s: catalog of %d arts built and checked", time.Since(setup).Seconds(), cfg.arts)
	if err := build.Wait(); err != nil {
		return "", readTargets{}, err
	}
	return bin, targets, nil
}

// measureShapes logs members in, walks the cursors, then drives the baseline
// and every shape in turn into rep, with the service's memory at its peak.
func measureShapes(ctx context.Context, cfg readConfig, targets *readTargets, svc, hello *service, rep *readReport) error {
	setup := time.Now()
	progressf("service and baseline started")
	api := newAPIClient(cfg.connections, false)
	defer api.close()
	var err error
	if targets.sessions, err = logIn(ctx, api, svc.baseURL, sessionMembers(cfg.members, cfg.logins)); err != nil {
		return err
	}
	var cursorErr error
	if slices.Contains(cfg.shapes, shapePageDeepCursor) {
		targets.cursors, cursorErr = collectCursors(ctx, api, svc.baseURL, cfg.deepPage)
	}
	progressf("%.1f s: %d members logged in, cursors walked", time.Since(setup).Seconds(), cfg.logins)

	run := func(shape, base string) readResult {
		plan := loadPlan{label: "read " + shape, workers: cfg.connections, duration: cfg.duration}
		log, elapsed := readLoad(ctx, api, base, plan, clientSources(targets, shape, cfg.connections, cfg.seed))
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
			return err
		}
		rep.Results = append(rep.Results, res)
	}
	peak, err := svc.peakRSS()
	if err != nil {
		return err
	}
	rep.HighWaterMiB = mib(peak)
	rep.finish()
	return nil
}

// write puts the results and their chart in outDir.
func (rep *readReport) write(outDir string) error {
	if err := rep.writeJSON(filepath.Join(outDir, readResultsFile)); err != nil {
		return err
	}
	return writeReadChart(rep, filepath.Join(outDir, readChartFile))
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

// startServiceAndBaseline starts the service of spec and the hello-world
// baseline beside it; the caller stops both.
func startServiceAndBaseline(ctx context.Context, spec serviceSpec) (svc, hello *service, err error) {
	if svc, err = startService(ctx, spec); err != nil {
		return nil, nil, err
	}
	if hello, err = startHello(ctx, spec.workDir); err != nil {
		svc.stop()
		return nil, nil, err
	}
	return svc, hello, nil
}

// startHello runs this binary's hello subcommand as the baseline's own
// process and waits until it answers.
func startHello(ctx context.Context, workDir string) (*service, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("find bidbench's own binary: %w", err)
	}
	port, err := freePort(ctx)
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
	cmd := processCommand(ctx, exe, helloCommand, "--addr", addr)
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
