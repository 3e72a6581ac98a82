package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/labstack/echo/v4"
)

// bidbench's subcommands: the read benchmark, and the hello-world server
// it starts as its baseline (not for people to run).
const (
	readCommand  = "read"
	helloCommand = "hello"
)

// readMain runs `bidbench read` and returns the exit status: 2 for bad
// flags, 1 for a failure to measure or any violation.
func readMain(args []string) int {
	cfg, err := parseReadConfig(args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bidbench read:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := runRead(ctx, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bidbench read:", err)
		return 1
	}
	rep.printTable(os.Stdout)
	fmt.Printf("results: %s, chart: %s\n", filepath.Join(cfg.outDir, readResultsFile), filepath.Join(cfg.outDir, readChartFile))
	if !rep.Passed {
		return 1
	}
	return 0
}

// helloAnswer is the baseline's whole answer.
type helloAnswer struct {
	Hello string `json:"hello"`
}

// helloMain serves GET /hello with echo and no middleware, the floor under
// any echo handler on this machine, until SIGTERM. /readyz answers too, so
// the benchmark waits for it as it waits for the service.
func helloMain(args []string) int {
	fs := flag.NewFlagSet("bidbench hello", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8089", "address to listen on")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET(helloPath, func(c echo.Context) error { return c.JSON(http.StatusOK, helloAnswer{Hello: "world"}) })
	e.GET("/readyz", func(c echo.Context) error { return c.NoContent(http.StatusOK) })
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = e.Shutdown(shutdown)
	}()
	if err := e.Start(*addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintln(os.Stderr, "bidbench hello:", err)
		return 1
	}
	return 0
}
