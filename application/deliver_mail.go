package application

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Delivery of the mail outbox.
const (
	// MailBatchSize is how many mails one run claims.
	MailBatchSize = 20
	// MailLease is how long a claimed mail is reserved for its sender; it must
	// outlast a batch, or another instance could send the same mail again.
	MailLease = time.Minute
	// MaxMailAttempts is how many failed attempts give a mail up.
	MaxMailAttempts = 10

	mailRetryBase = 5 * time.Second
	mailRetryMax  = time.Hour
)

// DeliverMail sends the due mails of the outbox.
type DeliverMail struct {
	outbox MailOutbox
	mailer Mailer
	clock  Clock
}

// NewDeliverMail builds the use case.
func NewDeliverMail(outbox MailOutbox, mailer Mailer, clock Clock) *DeliverMail {
	return &DeliverMail{outbox: outbox, mailer: mailer, clock: clock}
}

// Execute sends one batch of due mails and returns how many went out.
//
// A mail that cannot be sent is scheduled again with exponential backoff (given
// up after MaxMailAttempts), and its error is returned too, joined with the
// others, so that the caller can report it. An error of the outbox itself, or a
// cancelled ctx, ends the batch at once: the mails not yet handled keep their
// lease and are due again when it runs out.
func (uc *DeliverMail) Execute(ctx context.Context) (int, error) {
	mails, err := uc.outbox.ClaimDue(ctx, uc.clock.Now(), MailBatchSize, MailLease)
	if err != nil {
		return 0, fmt.Errorf("claim due mails: %w", err)
	}
	sent := 0
	var failures []error
	for _, m := range mails {
		sendErr, err := uc.deliver(ctx, m)
		if err != nil {
			return sent, errors.Join(append(failures, err)...)
		}
		if sendErr != nil {
			failures = append(failures, sendErr)
			continue
		}
		sent++
	}
	return sent, errors.Join(failures...)
}

// deliver sends one mail and records the outcome. sendErr is a failed send, now
// scheduled again; err is a failure to record the outcome, which ends the batch.
func (uc *DeliverMail) deliver(ctx context.Context, m OutboxMail) (sendErr, err error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("deliver mail %d: %w", m.ID, err)
	}
	if sendErr := uc.mailer.Send(ctx, m.Mail); sendErr != nil {
		attempts := m.Attempts + 1
		if err := uc.outbox.MarkFailed(ctx, m.ID, attempts, mailRetryAt(uc.clock.Now(), attempts), sendErr.Error()); err != nil {
			return nil, fmt.Errorf("mark mail %d failed: %w (send: %w)", m.ID, err, sendErr)
		}
		return fmt.Errorf("send mail %d (attempt %d of %d): %w", m.ID, attempts, MaxMailAttempts, sendErr), nil
	}
	if err := uc.outbox.MarkSent(ctx, m.ID, uc.clock.Now()); err != nil {
		return nil, fmt.Errorf("mark mail %d sent: %w", m.ID, err)
	}
	return nil, nil
}

// mailRetryAt is when to try again after the given number of failed attempts:
// 5s, 10s, 20s, ... at most an hour; zero once the mail is given up.
func mailRetryAt(now time.Time, attempts int) time.Time {
	if attempts >= MaxMailAttempts {
		return time.Time{}
	}
	return now.Add(min(mailRetryBase<<(attempts-1), mailRetryMax))
}
