package application

//go:generate go tool mockgen -source=notification_ports.go -destination=mock/notification_ports.go -package=mock

import (
	"context"
	"time"

	"github.com/artauction/artauction/domain/notification"
)

// Notices are what one change tells members: mails for the outbox and
// notifications for their inboxes.
type Notices struct {
	Mails         []MemberMail
	Notifications notification.Set
	// At is when the change happened: the notifications' time.
	At time.Time
}

// Notifier writes a change's notices in the caller's transaction, all in one
// statement, so a committed change always has them and a rolled-back one never
// does: the mails into the outbox, each with its member's address, and the
// notifications into the members' inboxes, auction_lost to every other bidder
// included. It returns the notifications made, oldest first, for the live
// streams once the change has committed; member.ErrNotFound, writing nothing,
// when a member is unknown.
type Notifier interface {
	Notify(ctx context.Context, n Notices) ([]notification.Notification, error)
}

// NotificationPublisher announces notifications to the member streams on every
// instance. It never fails the caller: the change is already committed, and a
// stream that missed one catches up from the inbox.
type NotificationPublisher interface {
	Publish(ctx context.Context, made []notification.Notification)
}

// NotificationStore is the members' inboxes, as their owners read and mark them.
type NotificationStore interface {
	// List returns a page of a member's notifications newest first, only the
	// unread ones when unreadOnly; a numbered page carries the exact total.
	List(ctx context.Context, memberID int64, unreadOnly bool, page PageRequest) (StoredPage[notification.Notification], error)
	// UnreadCount is how many of a member's notifications are unread.
	UnreadCount(ctx context.Context, memberID int64) (int64, error)
	// MarkRead marks one of the member's notifications read at at, once;
	// notification.ErrNotFound when the member has no notification of that id.
	MarkRead(ctx context.Context, memberID, notificationID int64, at time.Time) error
	// MarkAllRead marks every unread notification of the member read at at.
	MarkAllRead(ctx context.Context, memberID int64, at time.Time) error
}

// NotificationHistory reads what a member's live stream missed. A member's
// notifications are numbered 1, 2, 3, ... (their Seq) in the order they
// commit, and their ids grow in that order too.
type NotificationHistory interface {
	// LastSeq is the Seq of the member's latest notification; 0 when none.
	LastSeq(ctx context.Context, memberID int64) (int64, error)
	// Between lists the member's notifications with Seq in (after, upto], oldest first.
	Between(ctx context.Context, memberID, after, upto int64) ([]notification.Notification, error)
	// NewerThan lists the newest limit of the member's notifications whose
	// ids are above lastID, oldest first.
	NewerThan(ctx context.Context, memberID, lastID int64, limit int) ([]notification.Notification, error)
}

// NotificationFeed hands this instance's member streams the notifications of
// one member, whichever instance made them, in the member's order (Seq),
// without a duplicate.
type NotificationFeed interface {
	// Join registers a stream. Every notification the feed receives after Join
	// returns is delivered, so a caller that reads the history after Join misses
	// nothing. ErrLiveFeedUnavailable while the subscription is down.
	Join(ctx context.Context, memberID int64) (NotificationSubscription, error)
}

// NotificationSubscription is one member stream's place in the feed.
type NotificationSubscription interface {
	// Events delivers the member's notifications; it is closed when the feed
	// drops the stream, Err then tells why.
	Events() <-chan notification.Notification
	// Err is ErrWatcherTooSlow or ErrLiveFeedUnavailable once Events is closed.
	Err() error
	// Leave unregisters the stream; safe to call more than once.
	Leave()
}

// StreamTickets keep the one-use tickets that open a member stream for
// clients that cannot send headers on it, shared by every instance.
type StreamTickets interface {
	// Save keeps ticket for the principal until ttl has passed.
	Save(ctx context.Context, ticket string, p Principal, ttl time.Duration) error
	// Take returns the principal of a ticket and uses the ticket up, so a
	// second Take of it fails; auth.ErrUnauthenticated for a ticket that is
	// unknown, used or expired.
	Take(ctx context.Context, ticket string) (Principal, error)
}

// NewWorkFanOuts keep the new works still to reach their artists' followers,
// so that a listing does not wait for them: a worker on any instance tells
// them in bounded batches.
type NewWorkFanOuts interface {
	// Enqueue records, in the listing's transaction, that artID listed by
	// artistID is to reach the artist's followers, in as many parts as the
	// following is large; nothing when the artist has none.
	Enqueue(ctx context.Context, artID, artistID int64, at time.Time) error
	// Waiting tells whether any fan-out waits, without a transaction: what
	// an idle worker asks.
	Waiting(ctx context.Context) (bool, error)
	// Claim takes, in the caller's transaction, the fan-out part whose turn
	// came longest ago that no other worker holds, with its next batch of at
	// most limit followers (the latest follow first); ok is false when none
	// waits. The part stays held until the transaction ends.
	Claim(ctx context.Context, limit int) (b NewWorkBatch, ok bool, err error)
	// Advance records a claimed batch told, in the same transaction: the
	// part goes on after the batch's last follower, its turn moved to at, or
	// ends with its last batch.
	Advance(ctx context.Context, b NewWorkBatch, at time.Time) error
}

// NewWorkBatch is the next followers a fan-out tells of a new work.
type NewWorkBatch struct {
	ArtID, ArtistID int64
	// Part is which share of a large following the batch belongs to: the
	// shares are told at once, each a batch at a time.
	Part      int
	Followers []int64
	// Last says no follower comes after these: the fan-out ends with them.
	Last bool
	// After is where the batch's last follower stands in the artist's
	// followers, for the next batch to start after.
	After Keyset
}
