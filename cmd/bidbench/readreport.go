package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
)

// Output files of the read benchmark, in --out.
const (
	readResultsFile = "bench-read-results.json"
	readChartFile   = "bench-read-results.png"
)

// readReport is everything one read run measured, as written to bench-read-results.json.
type readReport struct {
	StartedAt time.Time      `json:"started_at"`
	Machine   machine        `json:"machine"`
	Settings  readSettings   `json:"settings"`
	Catalog   catalogSummary `json:"catalog"`
	// Baseline is the hello-world process's result; every ratio is to it.
	Baseline readResult   `json:"baseline"`
	Results  []readResult `json:"results"`
	// HighWaterMiB is the service's peak resident set over its whole life.
	HighWaterMiB float64 `json:"vm_hwm_mib"`
	// Violations are every reason the run failed: 5xx, requests without an
	// answer, shapes that could not run.
	Violations []string `json:"violations"`
	Passed     bool     `json:"passed"`
}

type readSettings struct {
	Smoke       bool     `json:"smoke"`
	Connections int      `json:"connections"`
	Duration    string   `json:"duration_per_shape"`
	Shapes      []string `json:"shapes"`
	Logins      int      `json:"logins"`
	DeepPages   string   `json:"deep_pages"`
	// Popularity draws ids, hashtags, words and owners by rank; Pages draws
	// browsed pages 1..MaxPage.
	Popularity zipfLaw  `json:"popularity_zipf"`
	Pages      zipfLaw  `json:"pages_zipf"`
	MaxPage    int      `json:"max_browsed_page"`
	Seed       uint64   `json:"seed"`
	ServiceEnv []string `json:"service_env,omitempty"`
}

// catalogSummary is what the fixture holds.
type catalogSummary struct {
	Arts         int            `json:"arts"`
	Auctions     map[string]int `json:"auctions_by_status"`
	ArtsByStatus map[string]int `json:"arts_by_status"`
	Bids         int            `json:"bids"`
	Likes        int            `json:"likes"`
	LikedArts    int            `json:"liked_arts"`
	MaxLikeCount int            `json:"max_like_count"`
	Members      int            `json:"members"`
	MaxOwnerArts int            `json:"max_arts_of_one_owner"`
	Hashtags     int            `json:"hashtags"`
	MaxTagArts   int            `json:"max_arts_of_one_hashtag"`
	WordMatches  []wordMatch    `json:"q_word_matches"`
	BuildSeconds float64        `json:"build_seconds"`
	CheckSeconds float64        `json:"invariant_check_seconds"`
	Invariants   []string       `json:"broken_invariants"`
}

// wordMatch is the share of arts a search for the word at rank Rank matches.
type wordMatch struct {
	Rank  int     `json:"rank"`
	Word  string  `json:"word"`
	Share float64 `json:"share"`
}

// finish sets every result's ratio to the baseline's answers/s and lists
// the violations.
func (r *readReport) finish() {
	for i := range r.Results {
		res := &r.Results[i]
		res.RatioToBaseline = ratio(res.AnswersPerSec, r.Baseline.AnswersPerSec)
	}
	for _, res := range append([]readResult{r.Baseline}, r.Results...) {
		switch {
		case res.Failure != "":
			r.Violations = append(r.Violations, fmt.Sprintf("%s could not run: %s", res.Shape, res.Failure))
		case res.Answers == 0:
			r.Violations = append(r.Violations, fmt.Sprintf("%s: no request was answered 2xx or 304 (%s)", res.Shape, strings.Join(res.ErrorSamples, "; ")))
		}
		if res.ServerErrors > 0 {
			r.Violations = append(r.Violations, fmt.Sprintf("%s: %d answers were 5xx (%s)", res.Shape, res.ServerErrors, strings.Join(res.ErrorSamples, "; ")))
		}
		if res.Failures > 0 {
			r.Violations = append(r.Violations, fmt.Sprintf("%s: %d requests got no answer (%s)", res.Shape, res.Failures, strings.Join(res.ErrorSamples, "; ")))
		}
	}
	for _, broken := range r.Catalog.Invariants {
		r.Violations = append(r.Violations, "the catalog breaks an invariant: "+broken)
	}
	r.Passed = len(r.Violations) == 0
}

func (r *readReport) writeJSON(path string) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("encode read results: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// printTable writes the catalog, the variation and the results.
func (r *readReport) printTable(w io.Writer) {
	c := r.Catalog
	fmt.Fprintf(w, "catalog: %d arts (auctions %s; arts %s), %d bids, %d likes on %d arts (at most %d on one), %d members (at most %d arts by one), %d hashtags (at most %d arts on one); built in %.1f s, invariants checked in %.1f s\n",
		c.Arts, counts(c.Auctions), counts(c.ArtsByStatus), c.Bids, c.Likes, c.LikedArts, c.MaxLikeCount,
		c.Members, c.MaxOwnerArts, c.Hashtags, c.MaxTagArts, c.BuildSeconds, c.CheckSeconds)
	matches := make([]string, len(c.WordMatches))
	for i, m := range c.WordMatches {
		matches[i] = fmt.Sprintf("#%d %q %.1f%%", m.Rank, m.Word, 100*m.Share)
	}
	fmt.Fprintf(w, "q words match: %s\n", strings.Join(matches, ", "))
	s := r.Settings
	fmt.Fprintf(w, "variation: ids, hashtags, words, owners Zipf s=%g v=%g by rank; pages Zipf s=%g v=%g over 1..%d; deep pages %s; %d connections, %s a shape\n",
		s.Popularity.S, s.Popularity.V, s.Pages.S, s.Pages.V, s.MaxPage, s.DeepPages, s.Connections, s.Duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "shape\tanswers/s\tx hello\tp50 ms\tp99 ms\terrors\tdistinct keys\tRSS MiB\tstatuses\t")
	for _, res := range append([]readResult{r.Baseline}, r.Results...) {
		if res.Failure != "" {
			fmt.Fprintf(tw, "%s\tcould not run\t\t\t\t\t\t\t\t\n", res.Shape)
			continue
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%.2f\t%.2f\t%d\t%.0f%%\t%s\t%s\t\n",
			res.Shape, res.AnswersPerSec, optional(res.RatioToBaseline, "%.3f"), res.Latency.P50, res.Latency.P99,
			res.ErrorAnswers+res.Failures, 100*res.DistinctKeyShare, optionalMiB(res.PeakRSSMiB), counts(res.Statuses))
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "service peak RSS (VmHWM): %.1f MiB\n", r.HighWaterMiB)
	if r.Passed {
		fmt.Fprintln(w, "PASSED: no 5xx, every request answered, every shape ran, the catalog holds every invariant")
		return
	}
	fmt.Fprintf(w, "FAILED: %d violations\n", len(r.Violations))
	for _, v := range r.Violations {
		fmt.Fprintln(w, "  - "+v)
	}
}

// counts lists counts by key, the largest first.
func counts(m map[string]int) string {
	rates := make(map[string]float64, len(m))
	for k, v := range m {
		rates[k] = float64(v)
	}
	return codes(rates)
}
