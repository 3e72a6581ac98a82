package main

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// loadPlan is how long and how wide one scenario runs.
type loadPlan struct {
	label    string
	workers  int
	duration time.Duration
	// requests, when positive, ends the run after that many requests.
	requests int64
}

// stepFunc sends one request as worker and records it in log. It is called
// in a closed loop: a bidder's next bid depends on the answer to its last.
type stepFunc func(ctx context.Context, worker int, log *opLog)

// runLoad runs plan.workers goroutines, each calling step back to back, and
// returns their merged log and the time from the first call to the last answer.
func runLoad(ctx context.Context, plan loadPlan, step stepFunc) (*opLog, time.Duration) {
	var sent atomic.Int64
	bar := newProgress(plan)
	start := time.Now()
	deadline := start.Add(plan.duration)
	if plan.requests > 0 {
		deadline = start.Add(24 * time.Hour)
	}
	logs := make([]*opLog, plan.workers)
	var wg sync.WaitGroup
	for w := range plan.workers {
		logs[w] = newOpLog(start)
		wg.Go(func() {
			for ctx.Err() == nil && time.Now().Before(deadline) {
				if plan.requests > 0 && sent.Add(1) > plan.requests {
					return
				}
				step(ctx, w, logs[w])
			}
		})
	}
	stopBar := bar.follow(start, &sent)
	wg.Wait()
	elapsed := time.Since(start)
	stopBar()
	merged := newOpLog(start)
	for _, l := range logs {
		merged.merge(l)
	}
	return merged, elapsed
}

// progress is a bar on stderr: elapsed time of the duration, or requests of
// the budget.
type progress struct {
	bar  *progressbar.ProgressBar
	plan loadPlan
}

func newProgress(plan loadPlan) progress {
	total := plan.duration.Milliseconds()
	if plan.requests > 0 {
		total = plan.requests
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(plan.label),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		// A log file or CI output gets no redrawn bar: it would be a wall of carriage returns.
		progressbar.OptionSetVisibility(term.IsTerminal(int(os.Stderr.Fd()))),
	)
	return progress{bar: bar, plan: plan}
}

// follow moves the bar until the returned stop is called.
func (p progress) follow(start time.Time, sent *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				_ = p.bar.Finish()
				return
			case <-tick.C:
				if p.plan.requests > 0 {
					_ = p.bar.Set64(min(sent.Load(), p.plan.requests))
				} else {
					_ = p.bar.Set64(min(time.Since(start).Milliseconds(), p.plan.duration.Milliseconds()))
				}
			}
		}
	})
	return func() {
		close(done)
		wg.Wait()
	}
}
