package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
)

var _ application.MailOutbox = (*MailOutbox)(nil)

// Values of mail_outbox.status.
const (
	mailPending = "pending"
	mailSent    = "sent"
	mailFailed  = "failed"
)

type outboxRow struct {
	bun.BaseModel `bun:"table:mail_outbox"`

	ID            int64     `bun:"id,pk,autoincrement"`
	Recipient     string    `bun:"recipient"`
	Subject       string    `bun:"subject"`
	Body          string    `bun:"body"`
	Status        string    `bun:"status"`
	Attempts      int       `bun:"attempts"`
	NextAttemptAt time.Time `bun:"next_attempt_at,nullzero"`
	LockedUntil   time.Time `bun:"locked_until,nullzero"`
	LastError     string    `bun:"last_error"`
	CreatedAt     time.Time `bun:"created_at,nullzero,default:now()"`
	SentAt        time.Time `bun:"sent_at,nullzero"`
}

func outboxRowFromMail(m application.Mail) outboxRow {
	return outboxRow{Recipient: m.To, Subject: m.Subject, Body: m.Text, Status: mailPending}
}

func outboxMailFromRow(r outboxRow) application.OutboxMail {
	return application.OutboxMail{
		ID:       r.ID,
		Mail:     application.Mail{To: r.Recipient, Subject: r.Subject, Text: r.Body},
		Attempts: r.Attempts,
	}
}

// MailOutbox is the transactional outbox of mails in the mail_outbox table.
type MailOutbox struct {
	db *bun.DB
}

// NewMailOutbox builds a MailOutbox over db.
func NewMailOutbox(db *bun.DB) *MailOutbox {
	return &MailOutbox{db: db}
}

// Enqueue stores a mail to send, in the transaction of the context if any, so
// that the mail exists exactly when the change that causes it commits.
func (o *MailOutbox) Enqueue(ctx context.Context, m application.Mail) error {
	row := outboxRowFromMail(m)
	if _, err := idb(ctx, o.db).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("enqueue mail: %w", err)
	}
	return nil
}

// ClaimDue leases up to limit due mails, oldest first, in one statement: rows
// another claimer has locked are skipped rather than waited for, and the lease
// written before the statement commits keeps later claimers away from them.
func (o *MailOutbox) ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]application.OutboxMail, error) {
	var rows []outboxRow
	err := idb(ctx, o.db).NewRaw(`
		WITH due AS (
			SELECT id FROM mail_outbox
			WHERE status = ?0
			  AND (next_attempt_at IS NULL OR next_attempt_at <= ?1)
			  AND (locked_until IS NULL OR locked_until <= ?1)
			ORDER BY id
			LIMIT ?2
			FOR UPDATE SKIP LOCKED
		)
		UPDATE mail_outbox AS m SET locked_until = ?3
		FROM due WHERE m.id = due.id
		RETURNING m.id, m.recipient, m.subject, m.body, m.attempts`,
		mailPending, now, limit, now.Add(lease)).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("claim due mails: %w", err)
	}
	// RETURNING follows no order; senders expect the oldest first.
	slices.SortFunc(rows, func(a, b outboxRow) int { return cmp.Compare(a.ID, b.ID) })
	mails := make([]application.OutboxMail, 0, len(rows))
	for _, row := range rows {
		mails = append(mails, outboxMailFromRow(row))
	}
	return mails, nil
}

// MarkSent records that the mail went out and ends its lease.
func (o *MailOutbox) MarkSent(ctx context.Context, id int64, now time.Time) error {
	res, err := idb(ctx, o.db).NewUpdate().Model((*outboxRow)(nil)).
		Set("status = ?", mailSent).
		Set("sent_at = ?", now).
		Set("locked_until = NULL").
		Where("id = ?", id).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark mail %d sent: %w", id, err)
	}
	return oneMailChanged(res, id)
}

// MarkFailed records a failed attempt and ends the lease: the mail is due again
// at retryAt, or never when retryAt is zero.
func (o *MailOutbox) MarkFailed(ctx context.Context, id int64, attempts int, retryAt time.Time, reason string) error {
	q := idb(ctx, o.db).NewUpdate().Model((*outboxRow)(nil)).
		Set("attempts = ?", attempts).
		Set("last_error = ?", reason).
		Set("locked_until = NULL").
		Where("id = ?", id)
	if retryAt.IsZero() {
		q = q.Set("status = ?", mailFailed)
	} else {
		q = q.Set("next_attempt_at = ?", retryAt)
	}
	res, err := q.Exec(ctx)
	if err != nil {
		return fmt.Errorf("mark mail %d failed: %w", id, err)
	}
	return oneMailChanged(res, id)
}

func oneMailChanged(res sql.Result, id int64) error {
	n, err := rowsAffected(res)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("mail %d is not in the outbox", id)
	}
	return nil
}

// Pending counts the mails neither sent nor given up.
func (o *MailOutbox) Pending(ctx context.Context) (int, error) {
	n, err := idb(ctx, o.db).NewSelect().Model((*outboxRow)(nil)).Where("status = ?", mailPending).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count pending mails: %w", err)
	}
	return int(n), nil
}
