package mail

import (
	"context"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
)

// OutboxWorker delivers the mail outbox in the background, one batch per tick.
type OutboxWorker struct {
	deliver  *application.DeliverMail
	interval time.Duration
	log      *zap.Logger

	stop   chan struct{}      // closed by Stop: no new batch
	cancel context.CancelFunc // aborts the batch in progress
	done   chan struct{}      // closed when the loop has returned
}

// NewOutboxWorker runs deliver every interval once started.
func NewOutboxWorker(deliver *application.DeliverMail, interval time.Duration, log *zap.Logger) (*OutboxWorker, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("outbox poll interval %s is not positive", interval)
	}
	return &OutboxWorker{deliver: deliver, interval: interval, log: log}, nil
}

// Start launches the loop and returns at once. The loop outlives ctx, which only
// bounds starting (as in an fx OnStart hook); Stop ends it. Start a worker once.
func (w *OutboxWorker) Start(context.Context) error {
	ctx, cancel := context.WithCancel(context.Background())
	w.stop, w.cancel, w.done = make(chan struct{}), cancel, make(chan struct{})
	go w.loop(ctx)
	return nil
}

// Stop lets the batch in progress finish, so no mail is left half done, and
// waits for it until ctx ends; then it aborts the batch and returns ctx's error.
// Mails of an aborted batch are sent again once their lease runs out.
func (w *OutboxWorker) Stop(ctx context.Context) error {
	close(w.stop)
	defer w.cancel()
	select {
	case <-w.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop outbox worker: %w", ctx.Err())
	}
}

func (w *OutboxWorker) loop(ctx context.Context) {
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
func (w *OutboxWorker) runBatch(ctx context.Context) {
	sent, err := w.deliver.Execute(ctx)
	if sent > 0 {
		w.log.Debug("outbox mails sent", zap.Int("sent", sent))
	}
	if err != nil {
		w.log.Error("deliver outbox mail", zap.Int("sent", sent), zap.Error(err))
	}
}
