package main

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/artauction/artauction/adapters/postgres/invariant"
)

// summarize turns a scenario's log into its result, checks the log's
// history for linearizability, and notes every violation.
func (b *bench) summarize(strategy, scenario string, log *opLog, elapsed time.Duration, m serviceMetrics) scenarioResult {
	res := scenarioResult{
		Strategy: strategy, Scenario: scenario, Bidders: b.cfg.bidders, Seconds: elapsed.Seconds(),
		Accepted: int64(len(log.accepted)), AcceptedPerSec: rate(int64(len(log.accepted)), elapsed),
		Answered: log.answered, AnsweredPerSec: rate(log.answered, elapsed),
		Rejected: log.rejections, RejectedPerSec: perSecond(log.rejections, elapsed),
		BuyNows: log.buyNows, ReadsPerSec: rate(log.reads, elapsed),
		ServerErrors: log.serverErrors, Failures: log.failures, Errors: log.errors,
		Latency: summarize(log.latency), OptimisticRetries: m.retries, Linearizable: "yes",
	}
	if p99, ok := quantile(0.99, m.lockWait); ok {
		ms := p99 * 1000
		res.LockWaitP99Ms = &ms
	}
	where := strategy + " " + scenario
	if log.serverErrors > 0 {
		b.violation("%s: %d 5xx answers, e.g. %v", where, log.serverErrors, log.errors)
	}
	if log.failures > 0 {
		b.violation("%s: %d requests without a usable answer, e.g. %v", where, log.failures, log.errors)
	}
	html := filepath.Join(b.cfg.outDir, fmt.Sprintf("linearizability-%s-%s.html", sanitize(strategy), scenario))
	if err := checkLinearizable(log.history, b.cfg.linTimeout, html); err != nil {
		res.Linearizable = "NO"
		b.violation("%s: %v", where, err)
	}
	return res
}

// checkDatabase checks the invariants of docs/rules.md, that every
// accepted bid is stored, and that nothing else is: the fixture's auctions
// hold exactly the accepted bids.
func (b *bench) checkDatabase(ctx context.Context, strategy, dsn string, accepted []invariant.Bid, f fixture) {
	summary := strategySummary{Strategy: strategy, Invariants: []string{}}
	defer func() { b.report.Strategies = append(b.report.Strategies, summary) }()
	broken, err := checkDatabase(ctx, dsn, accepted, f)
	if err != nil {
		broken = append(broken, "could not check: "+err.Error())
	}
	summary.Invariants = append(summary.Invariants, broken...)
	for _, line := range broken {
		b.violation("%s: invariant: %s", strategy, line)
	}
}

func checkDatabase(ctx context.Context, dsn string, accepted []invariant.Bid, f fixture) ([]string, error) {
	db, err := openSQL(dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	broken, err := invariant.Check(ctx, db)
	if err != nil {
		return nil, err
	}
	missing, err := invariant.MissingBids(ctx, db, accepted)
	if err != nil {
		return nil, err
	}
	for _, m := range missing {
		broken = append(broken, "accepted bid not stored once: "+m)
	}
	var stored int64
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM bids WHERE auction_id = ANY($1)", f.auctionIDs()).Scan(&stored); err != nil {
		return nil, fmt.Errorf("count stored bids: %w", err)
	}
	if stored != int64(len(accepted)) {
		broken = append(broken, fmt.Sprintf("the benchmark's auctions hold %d bids, but %d were accepted", stored, len(accepted)))
	}
	return broken, nil
}

func (f fixture) auctionIDs() []int64 {
	ids := []int64{f.hot.ID}
	for _, t := range slices.Concat(f.spread, f.mixed) {
		ids = append(ids, t.ID)
	}
	return ids
}

// sanitize makes a strategy name safe in a file name.
func sanitize(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			out = append(out, r)
		default:
			out = append(out, '-')
		}
	}
	return string(out)
}
