package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// readLog records what one client sent and got under one shape; clients
// merge theirs at the end, so recording takes no lock.
type readLog struct {
	start   time.Time
	latency *hdrhistogram.Histogram
	// statuses counts answers by HTTP status.
	statuses map[int]int64
	// failures are requests that got no answer.
	failures int64
	errors   []string
	// keys holds the distinct cache keys asked for in each second of the
	// run, requests how many requests each second sent.
	keys     map[int64]map[string]struct{}
	requests map[int64]int64
}

func newReadLog(start time.Time) *readLog {
	return &readLog{
		start:    start,
		latency:  hdrhistogram.New(latencyMin, latencyMax, latencyFigures),
		statuses: map[int]int64{},
		keys:     map[int64]map[string]struct{}{},
		requests: map[int64]int64{},
	}
}

// record notes one request sent at sent and answered (or failed) at done.
func (l *readLog) record(req readRequest, sent, done time.Time, status int, err error) {
	second := int64(sent.Sub(l.start) / time.Second)
	if l.keys[second] == nil {
		l.keys[second] = map[string]struct{}{}
	}
	l.keys[second][req.key] = struct{}{}
	l.requests[second]++
	if err != nil {
		l.failures++
		l.keep(err.Error())
		return
	}
	l.statuses[status]++
	if !answered(status) {
		l.keep(fmt.Sprintf("GET %s: %d", req.path, status))
	}
	if e := l.latency.RecordValue(min(max(done.Sub(sent).Microseconds(), latencyMin), latencyMax)); e != nil {
		l.keep("record latency: " + e.Error())
	}
}

// answered is a status the benchmark counts as an answer: 2xx or 304.
func answered(status int) bool {
	return status >= 200 && status < 300 || status == http.StatusNotModified
}

func (l *readLog) keep(msg string) {
	if len(l.errors) < keptErrors {
		l.errors = append(l.errors, msg)
	}
}

func (l *readLog) merge(o *readLog) {
	l.latency.Merge(o.latency)
	for k, v := range o.statuses {
		l.statuses[k] += v
	}
	l.failures += o.failures
	for _, e := range o.errors {
		l.keep(e)
	}
	for second, keys := range o.keys {
		if l.keys[second] == nil {
			l.keys[second] = map[string]struct{}{}
		}
		for k := range keys {
			l.keys[second][k] = struct{}{}
		}
	}
	for second, n := range o.requests {
		l.requests[second] += n
	}
}

// distinctKeyShare is the distinct keys of each second over the requests
// of that second, summed over the run: the share of requests that a cache
// holding each answer for one second would still have had to compute (a
// floor; a real cache's windows do not line up with the seconds).
func (l *readLog) distinctKeyShare() float64 {
	var distinct, requests int64
	for second, n := range l.requests {
		distinct += int64(len(l.keys[second]))
		requests += n
	}
	if requests == 0 {
		return 0
	}
	return float64(distinct) / float64(requests)
}

// readResult is one request shape's figures.
type readResult struct {
	Shape       string  `json:"shape"`
	Request     string  `json:"request"`
	Connections int     `json:"connections"`
	Seconds     float64 `json:"seconds"`
	// Answers are the 2xx and 304 answers.
	Answers         int64          `json:"answers"`
	AnswersPerSec   float64        `json:"answers_per_sec"`
	RatioToBaseline *float64       `json:"ratio_to_baseline,omitempty"`
	Latency         latencySummary `json:"latency"`
	Statuses        map[string]int `json:"statuses"`
	// ErrorAnswers are answers with any other status, 5xx included.
	ErrorAnswers int64    `json:"error_answers"`
	ServerErrors int64    `json:"server_errors_5xx"`
	Failures     int64    `json:"failed_requests"`
	ErrorSamples []string `json:"error_samples,omitempty"`
	// DistinctKeyShare is readLog.distinctKeyShare.
	DistinctKeyShare float64 `json:"distinct_key_share"`
	// PeakRSSMiB is the service's largest sampled resident set during the shape.
	PeakRSSMiB float64 `json:"peak_rss_mib,omitempty"`
	// Failure says why the shape could not run.
	Failure string `json:"failure,omitempty"`
}

// summarizeRead turns a shape's merged log into its result.
func summarizeRead(shape string, connections int, l *readLog, elapsed time.Duration) readResult {
	res := readResult{
		Shape: shape, Request: describeShape(shape), Connections: connections, Seconds: elapsed.Seconds(),
		Latency: summarize(l.latency), Statuses: map[string]int{}, Failures: l.failures,
		ErrorSamples: l.errors, DistinctKeyShare: l.distinctKeyShare(),
	}
	for status, n := range l.statuses {
		res.Statuses[strconv.Itoa(status)] += int(n)
		switch {
		case answered(status):
			res.Answers += n
		default:
			res.ErrorAnswers += n
		}
		if status >= 500 {
			res.ServerErrors += n
		}
	}
	res.AnswersPerSec = rate(res.Answers, elapsed)
	return res
}

// readLoad drives one shape: connections closed-loop clients, each drawing
// its own requests, for the plan's duration.
func readLoad(ctx context.Context, api *apiClient, base string, plan loadPlan, sources []requestSource) (*readLog, time.Duration) {
	start := time.Now()
	logs := make([]*readLog, plan.workers)
	for w := range logs {
		logs[w] = newReadLog(start)
	}
	_, elapsed := runLoad(ctx, plan, func(ctx context.Context, worker int, _ *opLog) {
		req := sources[worker]()
		sent := time.Now()
		a, err := api.do(ctx, http.MethodGet, base+req.path, req.token, nil)
		if err != nil && ctx.Err() != nil {
			return // the run was interrupted; not the service's failure
		}
		logs[worker].record(req, sent, time.Now(), a.status, err)
	})
	merged := newReadLog(start)
	for _, l := range logs {
		merged.merge(l)
	}
	return merged, elapsed
}

// clientSources gives each of n clients its own source of shape's requests,
// each with its own generator seeded from seed, the shape and the client.
func clientSources(t *readTargets, shape string, n int, seed uint64) []requestSource {
	sources := make([]requestSource, n)
	for w := range sources {
		sources[w] = t.newSource(shape, rand.New(rand.NewPCG(seed, shapeSeed(shape)<<16|uint64(w))))
	}
	return sources
}

// shapeSeed is a stable number for a shape's name (FNV-1a).
func shapeSeed(shape string) uint64 {
	h := uint64(14695981039346656037)
	for i := range len(shape) {
		h ^= uint64(shape[i])
		h *= 1099511628211
	}
	return h
}
