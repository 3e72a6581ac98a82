package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// pgbenchScript is the raw limit's hot transaction for pgbench: the same
// statements (bidsql.go), the same decisions, and each client bids just
// above the last highest it saw, as the bidders do. pgbench keeps a client's
// variables from one transaction to the next.
func pgbenchScript() string {
	lines := []string{
		`\set bidder :first_bidder + :client_id`,
		`\set amount greatest(:next, :start_price)`,
		`BEGIN;`,
		sqlSetLockTimeout + ";",
		oneLine(sqlLockAuction) + ";",
		oneLine(sqlReadAuction) + ` \gset`,
		oneLine(sqlReadBalance) + ` \gset`,
		`\if :leader = :bidder`,
		`ROLLBACK;`,
		`\elif :amount < :min_next`,
		`ROLLBACK;`,
		`\set next :min_next`,
		`\elif :available < :amount`,
		`ROLLBACK;`,
		`\else`,
		`\set bids_after :bids + 1`,
		oneLine(sqlSaveBid) + ";",
		`\if :leader = 0`,
		oneLine(sqlHold) + ";",
		`\elif :leader < :bidder`,
		oneLine(sqlRelease) + ";",
		oneLine(sqlHold) + ";",
		`\else`,
		oneLine(sqlHold) + ";",
		oneLine(sqlRelease) + ";",
		`\endif`,
		`\if :leader > 0`,
		oneLine(sqlReadRecipient) + ";",
		oneLine(sqlQueueOutbid) + ";",
		`\endif`,
		`COMMIT;`,
		`\set next :amount + :increment`,
		`\endif`,
	}
	return strings.Join(lines, "\n") + "\n"
}

// runPgbench runs the hot script from f's bidders (whose ids must be
// consecutive: pgbench numbers its clients) and measures accepted bids by
// the auction's bid count. ok is false when pgbench is not installed.
func runPgbench(ctx context.Context, dsn, workDir string, f fixture, duration time.Duration) (scenarioResult, bool, error) {
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		return scenarioResult{}, false, nil
	}
	first, last := f.bidders[0].id, f.bidders[len(f.bidders)-1].id
	if last-first != int64(len(f.bidders)-1) {
		return scenarioResult{}, false, fmt.Errorf("pgbench: bidder ids %d..%d are not consecutive", first, last)
	}
	script := filepath.Join(workDir, "hot-bid.pgbench")
	if err := os.WriteFile(script, []byte(pgbenchScript()), 0o600); err != nil {
		return scenarioResult{}, false, fmt.Errorf("write pgbench script: %w", err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return scenarioResult{}, false, fmt.Errorf("pgbench: %w", err)
	}
	defer conn.Close(ctx)
	countBids := func() (int64, error) {
		var n int64
		err := conn.QueryRow(ctx, "SELECT bid_count FROM auctions WHERE id = $1", f.hot.ID).Scan(&n)
		return n, err
	}
	before, err := countBids()
	if err != nil {
		return scenarioResult{}, false, fmt.Errorf("pgbench: count bids: %w", err)
	}
	seconds := max(int(duration.Round(time.Second)/time.Second), 1)
	cmd := exec.CommandContext(ctx, bin, "--no-vacuum", "--client", strconv.Itoa(len(f.bidders)), "--jobs", "2",
		"--time", strconv.Itoa(seconds), "--file", script,
		"--define", "auction="+strconv.FormatInt(f.hot.ID, 10),
		"--define", "first_bidder="+strconv.FormatInt(first, 10),
		"--define", "start_price="+strconv.FormatInt(f.hot.StartPrice, 10),
		"--define", "increment="+strconv.FormatInt(f.hot.Increment, 10),
		"--define", "next=0",
		dsn)
	output, err := cmd.CombinedOutput()
	if err != nil {
		return scenarioResult{}, false, fmt.Errorf("pgbench: %w\n%s", err, output)
	}
	after, err := countBids()
	if err != nil {
		return scenarioResult{}, false, fmt.Errorf("pgbench: count bids: %w", err)
	}
	elapsed := time.Duration(seconds) * time.Second
	return scenarioResult{
		Strategy: "pgbench", Scenario: scenarioHot, Bidders: len(f.bidders), Seconds: elapsed.Seconds(),
		Accepted: after - before, AcceptedPerSec: rate(after-before, elapsed), Linearizable: "not recorded",
	}, true, nil
}
