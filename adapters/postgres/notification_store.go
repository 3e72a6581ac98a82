package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/notification"
)

var (
	_ application.NotificationStore   = (*NotificationStore)(nil)
	_ application.NotificationHistory = (*NotificationStore)(nil)
)

// NotificationStore reads and marks the members' inboxes. A member's
// notifications are walked by seq off notifications_member_seq_key (the
// unread ones off notifications_unread_idx); the inbox row holds the counts.
type NotificationStore struct {
	db *bun.DB
}

// NewNotificationStore builds a NotificationStore over db.
func NewNotificationStore(db *bun.DB) *NotificationStore {
	return &NotificationStore{db: db}
}

// inboxCount is a member's ($1) count of all or of the unread notifications:
// the inbox row keeps both, so a total is one lookup.
func inboxCount(unreadOnly bool) string {
	column := "last_seq"
	if unreadOnly {
		column = "unread_count"
	}
	return "COALESCE((SELECT " + column + " FROM inboxes WHERE member_id = $1), 0)"
}

// notificationsSQL is a page of a member's ($1) notifications newest first:
// by offset ($2), or after a seq ($2).
func notificationsSQL(unreadOnly bool, size int, byCursor bool) string {
	where, skip, total := "n.member_id = $1", " OFFSET $2", inboxCount(unreadOnly)
	if unreadOnly {
		where += " AND n.read_at IS NULL"
	}
	if byCursor {
		where, skip, total = where+" AND n.seq < $2", "", "NULL::bigint"
	}
	return `SELECT ` + notificationColumns + `, ` + total + `
FROM notifications AS n
LEFT JOIN members AS actor ON actor.id = n.actor_id
WHERE ` + where + `
ORDER BY n.seq DESC LIMIT ` + strconv.Itoa(size+1) + skip
}

// List returns one page of the member's notifications, newest first; its
// keyset is [seq].
func (s *NotificationStore) List(ctx context.Context, memberID int64, unreadOnly bool,
	page application.PageRequest) (application.StoredPage[notification.Notification], error) {
	var none application.StoredPage[notification.Notification]
	args := []any{memberID, page.Offset()}
	if after := page.After(); after != nil {
		if len(after) != 1 {
			return none, fmt.Errorf("keyset of %d values: %w", len(after), application.ErrInvalidCursor)
		}
		args = []any{memberID, after[0]}
	}
	runner := prepared(ctx, s.db)
	rows, err := runner.Query(ctx, notificationsSQL(unreadOnly, page.Size(), page.ByCursor()), args...)
	if err != nil {
		return none, fmt.Errorf("select notifications: %w", err)
	}
	defer rows.Close()
	result := application.StoredPage[notification.Notification]{Items: []notification.Notification{}}
	var counted sql.NullInt64
	for rows.Next() {
		if len(result.Items) == page.Size() {
			result.Next = application.Keyset{result.Items[len(result.Items)-1].Seq()}
			break
		}
		n, err := ScanNotification(func(dest ...any) error { return rows.Scan(append(dest, &counted)...) })
		if err != nil {
			return none, fmt.Errorf("scan notification: %w", err)
		}
		result.Items = append(result.Items, n)
	}
	if err := rows.Err(); err != nil {
		return none, fmt.Errorf("read notifications: %w", err)
	}
	if !page.ByCursor() {
		n, err := countOf(ctx, runner, page, len(result.Items), counted, countWith(inboxCount(unreadOnly), memberID))
		if err != nil {
			return none, fmt.Errorf("count notifications: %w", err)
		}
		result.Total = application.CappedTotal(n)
	}
	return result, nil
}

const unreadCountSQL = `SELECT COALESCE((SELECT unread_count FROM inboxes WHERE member_id = $1), 0)`

// UnreadCount reads the member's unread count from the inbox row.
func (s *NotificationStore) UnreadCount(ctx context.Context, memberID int64) (int64, error) {
	var n int64
	if err := prepared(ctx, s.db).QueryRow(ctx, unreadCountSQL, memberID).Scan(&n); err != nil {
		return 0, fmt.Errorf("count unread notifications: %w", err)
	}
	return n, nil
}

// markReadSQL marks one of a member's notifications read, only if it is
// unread, and takes it off the inbox's unread count in the same statement;
// its row tells whether the member has that notification at all. A
// concurrent mark of the same one waits for this one and then finds it read.
const markReadSQL = `
WITH target AS (
	SELECT id FROM notifications WHERE id = $1 AND member_id = $2
), marked AS (
	UPDATE notifications AS n SET read_at = $3
	FROM target WHERE n.id = target.id AND n.read_at IS NULL
	RETURNING n.member_id
), counted AS (
	UPDATE inboxes SET unread_count = unread_count - 1
	WHERE member_id = $2 AND EXISTS (SELECT FROM marked)
)
SELECT EXISTS (SELECT FROM target)`

// MarkRead marks the notification read once; notification.ErrNotFound when
// the member has none of that id.
func (s *NotificationStore) MarkRead(ctx context.Context, memberID, notificationID int64, at time.Time) error {
	var found bool
	if err := prepared(ctx, s.db).QueryRow(ctx, markReadSQL, notificationID, memberID, at.UTC()).Scan(&found); err != nil {
		return fmt.Errorf("mark notification read: %w", err)
	}
	if !found {
		return notification.ErrNotFound
	}
	return nil
}

// markAllReadSQL marks every unread notification of a member ($1) read and
// takes exactly those off the unread count; one committed meanwhile stays
// unread and counted.
const markAllReadSQL = `
WITH marked AS (
	UPDATE notifications SET read_at = $2 WHERE member_id = $1 AND read_at IS NULL
	RETURNING 1
)
UPDATE inboxes SET unread_count = unread_count - (SELECT count(*) FROM marked) WHERE member_id = $1`

// MarkAllRead marks the member's unread notifications read.
func (s *NotificationStore) MarkAllRead(ctx context.Context, memberID int64, at time.Time) error {
	if _, err := prepared(ctx, s.db).Exec(ctx, markAllReadSQL, memberID, at.UTC()); err != nil {
		return fmt.Errorf("mark all notifications read: %w", err)
	}
	return nil
}

const lastSeqSQL = `SELECT COALESCE((SELECT last_seq FROM inboxes WHERE member_id = $1), 0)`

// LastSeq reads the seq of the member's latest committed notification.
func (s *NotificationStore) LastSeq(ctx context.Context, memberID int64) (int64, error) {
	var seq int64
	if err := prepared(ctx, s.db).QueryRow(ctx, lastSeqSQL, memberID).Scan(&seq); err != nil {
		return 0, fmt.Errorf("read last notification of member %d: %w", memberID, err)
	}
	return seq, nil
}

const notificationsBetweenSQL = `SELECT ` + notificationColumns + `
FROM notifications AS n
LEFT JOIN members AS actor ON actor.id = n.actor_id
WHERE n.member_id = $1 AND n.seq > $2 AND n.seq <= $3
ORDER BY n.seq`

// Between lists the member's notifications with seq in (after, upto], oldest first.
func (s *NotificationStore) Between(ctx context.Context, memberID, after, upto int64) ([]notification.Notification, error) {
	return s.read(ctx, notificationsBetweenSQL, memberID, after, upto)
}

// notificationsNewerSQL is the newest $3 of a member's ($1) notifications
// whose ids are above $2, newest first. Ids grow with seq member by member,
// so the first of them is the one after the newest at or below $2, which the
// index finds walking back from the newest.
const notificationsNewerSQL = `SELECT ` + notificationColumns + `
FROM notifications AS n
LEFT JOIN members AS actor ON actor.id = n.actor_id
WHERE n.member_id = $1 AND n.seq > COALESCE(
	(SELECT seen.seq FROM notifications AS seen WHERE seen.member_id = $1 AND seen.id <= $2 ORDER BY seen.seq DESC LIMIT 1), 0)
ORDER BY n.seq DESC LIMIT $3`

// NewerThan lists the newest limit of the member's notifications above
// lastID, oldest first.
func (s *NotificationStore) NewerThan(ctx context.Context, memberID, lastID int64, limit int) ([]notification.Notification, error) {
	newest, err := s.read(ctx, notificationsNewerSQL, memberID, lastID, limit)
	if err != nil {
		return nil, err
	}
	slices.Reverse(newest)
	return newest, nil
}

func (s *NotificationStore) read(ctx context.Context, query string, args ...any) ([]notification.Notification, error) {
	rows, err := prepared(ctx, s.db).Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("select notifications of member %v: %w", args[0], err)
	}
	defer rows.Close()
	var found []notification.Notification
	for rows.Next() {
		n, err := ScanNotification(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("scan notification: %w", err)
		}
		found = append(found, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read notifications of member %v: %w", args[0], err)
	}
	return found, nil
}
