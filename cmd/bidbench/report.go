package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// report is everything one run measured, as written to bench-results.json.
type report struct {
	StartedAt  time.Time         `json:"started_at"`
	Machine    machine           `json:"machine"`
	Settings   settings          `json:"settings"`
	RawLimit   []scenarioResult  `json:"raw_limit"`
	Results    []scenarioResult  `json:"results"`
	Strategies []strategySummary `json:"strategies"`
	// Violations are every reason the run failed: 5xx, requests without an
	// answer, broken invariants, non-linearizable histories.
	Violations []string `json:"violations"`
	Passed     bool     `json:"passed"`
}

type machine struct {
	CPUs     int    `json:"cpus"`
	OS       string `json:"os"`
	Go       string `json:"go"`
	Postgres string `json:"postgres"`
}

type settings struct {
	Smoke      bool     `json:"smoke"`
	Bidders    int      `json:"bidders"`
	Duration   string   `json:"duration"`
	Requests   int64    `json:"requests,omitempty"`
	Auctions   int      `json:"auctions"`
	Strategies []string `json:"strategies"`
	Scenarios  []string `json:"scenarios"`
	URLs       []string `json:"urls,omitempty"`
	ServiceEnv []string `json:"service_env,omitempty"`
}

// scenarioResult is one strategy (or the raw limit) under one scenario.
type scenarioResult struct {
	Strategy       string  `json:"strategy"`
	Scenario       string  `json:"scenario"`
	Bidders        int     `json:"bidders"`
	Seconds        float64 `json:"seconds"`
	Accepted       int64   `json:"accepted_bids"`
	AcceptedPerSec float64 `json:"accepted_bids_per_sec"`
	// Answered counts the bids that got a decision, accepted or refused:
	// every answer but a 5xx (LOCK_UNAVAILABLE too) and no answer.
	Answered       int64              `json:"answered_bids"`
	AnsweredPerSec float64            `json:"answered_bids_per_sec"`
	Rejected       map[string]int64   `json:"rejected_bids,omitempty"`
	RejectedPerSec map[string]float64 `json:"rejected_bids_per_sec,omitempty"`
	BuyNows        map[string]int64   `json:"buy_nows,omitempty"`
	ReadsPerSec    float64            `json:"reads_per_sec,omitempty"`
	ServerErrors   int64              `json:"server_errors_5xx"`
	Failures       int64              `json:"failed_requests"`
	Errors         []string           `json:"errors,omitempty"`
	// Latency is of the bids only.
	Latency           latencySummary `json:"bid_latency"`
	LockWaitP99Ms     *float64       `json:"lock_wait_p99_ms,omitempty"`
	OptimisticRetries float64        `json:"optimistic_retries"`
	// RatioToRaw is accepted bids/s over the raw limit's for the same
	// scenario; AnsweredRatioToRaw is answered bids/s over the raw limit's.
	RatioToRaw         *float64 `json:"ratio_to_raw,omitempty"`
	AnsweredRatioToRaw *float64 `json:"answered_ratio_to_raw,omitempty"`
	// PeakRSSMiB is the service's largest sampled resident set during the scenario.
	PeakRSSMiB   float64 `json:"peak_rss_mib,omitempty"`
	Linearizable string  `json:"linearizable"`
}

// strategySummary is what is checked once per strategy.
type strategySummary struct {
	Strategy string `json:"strategy"`
	// HighWaterMiB is the service's peak resident set over its whole life.
	HighWaterMiB float64  `json:"vm_hwm_mib,omitempty"`
	Invariants   []string `json:"broken_invariants"`
}

// fillRatios sets every result's ratios to the raw (pgx) limit of its scenario.
func (r *report) fillRatios() {
	raw := map[string]scenarioResult{}
	for _, res := range r.RawLimit {
		if res.Strategy == rawStrategy {
			raw[res.Scenario] = res
		}
	}
	for i := range r.Results {
		res, limit := &r.Results[i], raw[r.Results[i].Scenario]
		res.RatioToRaw = ratio(res.AcceptedPerSec, limit.AcceptedPerSec)
		res.AnsweredRatioToRaw = ratio(res.AnsweredPerSec, limit.AnsweredPerSec)
	}
}

func (r *report) writeJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// printTable writes the results as an aligned table.
func (r *report) printTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "strategy\tscenario\tanswered/s\tx raw\taccepted/s\tx raw\tp50 ms\tp95 ms\tp99 ms\tmax ms\tlock p99 ms\tretries\t5xx\tRSS MiB\tlinearizable\trejected/s by code\t")
	for _, res := range slices.Concat(r.RawLimit, r.Results) {
		fmt.Fprintf(tw, "%s\t%s\t%.0f\t%s\t%.0f\t%s\t%.1f\t%.1f\t%.1f\t%.1f\t%s\t%.0f\t%d\t%s\t%s\t%s\t\n",
			res.Strategy, res.Scenario, res.AnsweredPerSec, optional(res.AnsweredRatioToRaw, "%.2f"),
			res.AcceptedPerSec, optional(res.RatioToRaw, "%.2f"),
			res.Latency.P50, res.Latency.P95, res.Latency.P99, res.Latency.Max,
			optional(res.LockWaitP99Ms, "%.1f"), res.OptimisticRetries, res.ServerErrors+res.Failures,
			optionalMiB(res.PeakRSSMiB), res.Linearizable, codes(res.RejectedPerSec))
	}
	_ = tw.Flush()
	for _, s := range r.Strategies {
		if s.HighWaterMiB > 0 {
			fmt.Fprintf(w, "%s: service peak RSS (VmHWM) %.1f MiB\n", s.Strategy, s.HighWaterMiB)
		}
	}
	if r.Passed {
		fmt.Fprintln(w, "PASSED: no 5xx, no failed request, every invariant holds, every history is linearizable")
		return
	}
	fmt.Fprintf(w, "FAILED: %d violations\n", len(r.Violations))
	for _, v := range r.Violations {
		fmt.Fprintln(w, "  - "+v)
	}
}

func optional(v *float64, format string) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprintf(format, *v)
}

func optionalMiB(v float64) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f", v)
}

// codes lists rates by code, the largest first.
func codes(rates map[string]float64) string {
	keys := slices.SortedFunc(maps.Keys(rates), func(a, b string) int {
		if rates[a] != rates[b] {
			if rates[a] > rates[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %.0f", k, rates[k])
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, ", ")
}

func mib(bytes uint64) float64 { return float64(bytes) / (1 << 20) }
