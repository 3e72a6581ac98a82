package background_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/artauction/artauction/adapters/background"
	"github.com/artauction/artauction/adapters/mail"
	"github.com/artauction/artauction/adapters/mail/smtptest"
	"github.com/artauction/artauction/application"
)

// memoryOutbox is an outbox in memory: a claimed mail is not claimed again.
type memoryOutbox struct {
	mu      sync.Mutex
	pending []application.OutboxMail
	sent    []int64
	failed  map[int64]string
}

func newMemoryOutbox(mails ...application.Mail) *memoryOutbox {
	o := &memoryOutbox{failed: map[int64]string{}}
	for i, m := range mails {
		o.pending = append(o.pending, application.OutboxMail{ID: int64(i + 1), Mail: m})
	}
	return o
}

func (o *memoryOutbox) Enqueue(context.Context, application.Mail) error {
	return errors.New("not used")
}

func (o *memoryOutbox) ClaimDue(_ context.Context, _ time.Time, limit int, _ time.Duration) ([]application.OutboxMail, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := min(limit, len(o.pending))
	claimed := o.pending[:n:n]
	o.pending = o.pending[n:]
	return claimed, nil
}

func (o *memoryOutbox) MarkSent(_ context.Context, id int64, _ time.Time) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, id)
	return nil
}

func (o *memoryOutbox) MarkFailed(_ context.Context, id int64, _ int, _ time.Time, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.failed[id] = reason
	return nil
}

func (o *memoryOutbox) Pending(context.Context) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.pending), nil
}

func (o *memoryOutbox) sentIDs() []int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]int64(nil), o.sent...)
}

type fixedClock struct{}

func (fixedClock) Now() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }

// mailerFunc adapts a function to application.Mailer.
type mailerFunc func(ctx context.Context, m application.Mail) error

func (f mailerFunc) Send(ctx context.Context, m application.Mail) error { return f(ctx, m) }

func startWorker(t *testing.T, outbox application.MailOutbox, mailer application.Mailer, log *zap.Logger) *background.Periodic {
	t.Helper()
	w, err := background.NewPeriodic("outbox", application.NewDeliverMail(outbox, mailer, fixedClock{}), 10*time.Millisecond, log)
	require.NoError(t, err)
	require.NoError(t, w.Start(t.Context()))
	return w
}

func stopWithin(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}

func TestNewPeriodicValidatesInterval(t *testing.T) {
	_, err := background.NewPeriodic("outbox", nil, 0, zap.NewNop())
	require.Error(t, err)
}

func TestPeriodicOutboxDelivers(t *testing.T) {
	server := smtptest.Start(t)
	mailer, err := mail.NewSMTPMailer(mail.SMTPConfig{Host: server.Host(), Port: server.Port(),
		From: "Artauction <no-reply@artauction.test>", Timeout: 5 * time.Second})
	require.NoError(t, err)
	outbox := newMemoryOutbox(
		application.Mail{To: "alice@example.com", Subject: "One", Text: "first"},
		application.Mail{To: "bob@example.com", Subject: "Two", Text: "second"},
	)
	w := startWorker(t, outbox, mailer, zap.NewNop())

	assert.Equal(t, "first\n", server.WaitForMessage(t, "alice@example.com", 5*time.Second).Text)
	assert.Equal(t, "second\n", server.WaitForMessage(t, "bob@example.com", 5*time.Second).Text)
	require.Eventually(t, func() bool { return len(outbox.sentIDs()) == 2 }, 5*time.Second, 10*time.Millisecond)

	ctx, cancel := stopWithin(5 * time.Second)
	defer cancel()
	require.NoError(t, w.Stop(ctx))
}

func TestPeriodicOutboxStopFinishesBatch(t *testing.T) {
	sending, release := make(chan struct{}), make(chan struct{})
	mailer := mailerFunc(func(ctx context.Context, _ application.Mail) error {
		close(sending)
		<-release
		return ctx.Err()
	})
	outbox := newMemoryOutbox(application.Mail{To: "alice@example.com", Subject: "One", Text: "first"})
	w := startWorker(t, outbox, mailer, zap.NewNop())
	<-sending

	stopped := make(chan error, 1)
	go func() {
		ctx, cancel := stopWithin(5 * time.Second)
		defer cancel()
		stopped <- w.Stop(ctx)
	}()
	select {
	case err := <-stopped:
		t.Fatalf("Stop returned (%v) while a batch was in progress", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-stopped)
	assert.Equal(t, []int64{1}, outbox.sentIDs(), "the batch in progress ran to its end, not cancelled")
}

func TestPeriodicOutboxStopIsBounded(t *testing.T) {
	sending, aborted := make(chan struct{}), make(chan struct{})
	mailer := mailerFunc(func(ctx context.Context, _ application.Mail) error {
		close(sending)
		<-ctx.Done()
		close(aborted)
		return ctx.Err()
	})
	outbox := newMemoryOutbox(application.Mail{To: "alice@example.com", Subject: "One", Text: "first"})
	w := startWorker(t, outbox, mailer, zap.NewNop())
	<-sending

	ctx, cancel := stopWithin(50 * time.Millisecond)
	defer cancel()
	require.ErrorIs(t, w.Stop(ctx), context.DeadlineExceeded)
	select {
	case <-aborted:
	case <-time.After(5 * time.Second):
		t.Fatal("the batch in progress was not cancelled after the stop deadline")
	}
}

func TestPeriodicOutboxLogsFailures(t *testing.T) {
	core, logs := observer.New(zapcore.InfoLevel)
	mailer := mailerFunc(func(context.Context, application.Mail) error { return errors.New("connection refused") })
	outbox := newMemoryOutbox(application.Mail{To: "alice@example.com", Subject: "One", Text: "first"})
	w := startWorker(t, outbox, mailer, zap.New(core))

	require.Eventually(t, func() bool { return logs.FilterMessage("periodic job failed").Len() == 1 }, 5*time.Second, 10*time.Millisecond)
	ctx, cancel := stopWithin(5 * time.Second)
	defer cancel()
	require.NoError(t, w.Stop(ctx))

	entry := logs.FilterMessage("periodic job failed").All()[0]
	assert.Equal(t, zapcore.ErrorLevel, entry.Level)
	assert.Contains(t, entry.ContextMap()["error"], "connection refused")
	outbox.mu.Lock()
	defer outbox.mu.Unlock()
	assert.Equal(t, "connection refused", outbox.failed[1])
}
