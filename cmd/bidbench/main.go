// Command bidbench compares the four bid-lock strategies against the
// database's own limit (docs/benchmarks.md): it starts
// the service once per strategy, drives concurrent bidders over HTTP, runs
// the same bid transaction straight on Postgres, checks every invariant and
// the linearizability of every recorded bid history, and writes a table,
// bench-results.json and a chart. It exits 1 on any violation or 5xx.
//
// `bidbench read` is the read benchmark instead (readbench.go): a large
// catalog, every catalog read shape against an echo hello-world baseline.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
)

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case readCommand:
			os.Exit(readMain(os.Args[2:]))
		case helloCommand:
			os.Exit(helloMain(os.Args[2:]))
		}
	}
	os.Exit(benchMain(os.Args[1:]))
}

// benchMain runs the bid benchmark and returns the exit status.
func benchMain(args []string) int {
	cfg, err := parseConfig(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bidbench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bidbench:", err)
		return 1
	}
	rep.printTable(os.Stdout)
	fmt.Printf("results: %s, chart: %s\n", filepath.Join(cfg.outDir, "bench-results.json"), filepath.Join(cfg.outDir, "bench-results.png"))
	if !rep.Passed {
		return 1
	}
	return 0
}
