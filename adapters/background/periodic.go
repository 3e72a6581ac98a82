// Package background runs the service's periodic jobs (mail delivery, closing
// auctions) with a clean stop.
package background

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"
)

// Job is one run of a periodic task; it reports how many items it handled.
type Job interface {
	Execute(ctx context.Context) (int, error)
}

// Periodic runs a job in the background, one run per tick.
type Periodic struct {
	name     string
	job      Job
	interval time.Duration
	log      *zap.Logger

	stop   chan struct{}      // closed by Stop: no new batch
	cancel context.CancelFunc // aborts the batch in progress
	done   chan struct{}      // closed when the loop has returned
}

// NewPeriodic runs job every interval once started; name labels its logs.
func NewPeriodic(name string, job Job, interval time.Duration, log *zap.Logger) (*Periodic, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("%s interval %s is not positive", name, interval)
	}
	return &Periodic{name: name, job: job, interval: interval, log: log.With(zap.String("job", name))}, nil
}

// Start launches the loop and returns at once. The loop outlives startCtx,
// which only bounds starting (as in an fx OnStart hook); Stop ends it. Start a
// worker once.
func (w *Periodic) Start(startCtx context.Context) error {
	ctx, cancel := context.WithCancel(context.WithoutCancel(startCtx))
	w.stop, w.cancel, w.done = make(chan struct{}), cancel, make(chan struct{})
	go w.loop(ctx)
	return nil
}

// Stop lets the run in progress finish, so nothing is left half done, and waits
// for it until ctx ends; then it aborts the run and returns ctx's error. The jobs
// are safe to abort: an aborted mail is sent again once its lease runs out, an
// aborted close is rolled back and redone by the next run.
func (w *Periodic) Stop(ctx context.Context) error {
	close(w.stop)
	defer w.cancel()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop %s: %w", w.name, ctx.Err())
	}
}

func (w *Periodic) loop(ctx context.Context) {
	defer close(w.done)
	ticker := time.NewTicker(w.interval)
	defer ticker.Stop()
	for {
		select {
		case <-w.stop:
			return
		case <-ticker.C:
		}
		// A tick and a stop may be ready together; select picks either.
		select {
		case <-w.stop:
			return
		default:
		}
		w.runBatch(ctx)
	}
}

// runBatch is the top of the worker goroutine: errors end here, in the log.
func (w *Periodic) runBatch(ctx context.Context) {
	done, err := w.job.Execute(ctx)
	if done > 0 {
		w.log.Debug("periodic job ran", zap.Int("handled", done))
	}
	if err != nil {
		w.log.Error("periodic job failed", zap.Int("handled", done), zap.Error(err))
	}
}
