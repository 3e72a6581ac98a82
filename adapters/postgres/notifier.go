package postgres

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/notification"
)

var _ application.Notifier = (*Notifier)(nil)

// Notifier writes the notices of a change (mails and notifications) in one
// statement, next to the change in its transaction.
type Notifier struct {
	db *bun.DB
}

// NewNotifier builds a Notifier over db.
func NewNotifier(db *bun.DB) *Notifier {
	return &Notifier{db: db}
}

// Notify writes the notices in the transaction of the context if any; a
// change that tells nobody anything costs no round trip.
func (s *Notifier) Notify(ctx context.Context, n application.Notices) ([]notification.Notification, error) {
	if len(n.Mails) == 0 && n.Notifications.Empty() {
		return nil, nil
	}
	notify := Notify(n)
	rows, err := prepared(ctx, s.db).Query(ctx, notify.SQL, notify.Args...)
	if err != nil {
		return nil, notifyFailed(err)
	}
	defer rows.Close()
	var made []notification.Notification
	for rows.Next() {
		note, err := ScanNotification(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("read notification made: %w", err)
		}
		made = append(made, note)
	}
	if err := rows.Err(); err != nil {
		return nil, notifyFailed(err)
	}
	return made, nil
}

// notifyFailed names an unknown member, which leaves a mail without an
// address or an inbox or notification without its member.
func notifyFailed(err error) error {
	if column, ok := violatedNotNull(err); ok && column == "recipient" {
		return member.ErrNotFound
	}
	if _, ok := violatedConstraint(err, foreignKeyViolation); ok {
		return member.ErrNotFound
	}
	return fmt.Errorf("write notices: %w", err)
}
