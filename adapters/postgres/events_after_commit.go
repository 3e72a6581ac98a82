package postgres

import (
	"context"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/notification"
)

var _ application.EventPublisher = EventsAfterCommit{}

// EventsAfterCommit holds back an event published inside a transaction until
// that transaction commits, and drops it when it rolls back, so watchers never
// see a change that did not happen. That matters when a use case runs inside a
// caller's transaction (an idempotent request records its answer in the
// transaction of its effect); outside one, events go out at once.
type EventsAfterCommit struct {
	next application.EventPublisher
}

// NewEventsAfterCommit wraps next.
func NewEventsAfterCommit(next application.EventPublisher) EventsAfterCommit {
	return EventsAfterCommit{next: next}
}

// Publish announces e now, or after the commit of the transaction ctx carries.
func (p EventsAfterCommit) Publish(ctx context.Context, e application.AuctionEvent) {
	held := afterCommit(ctx, func() {
		// The request may be over by then; the announcement must still go out.
		p.next.Publish(context.WithoutCancel(ctx), e)
	})
	if !held {
		p.next.Publish(ctx, e)
	}
}

var _ application.NotificationPublisher = NotificationsAfterCommit{}

// NotificationsAfterCommit is EventsAfterCommit for the notifications a
// change made: member streams never see one whose change did not commit.
type NotificationsAfterCommit struct {
	next application.NotificationPublisher
}

// NewNotificationsAfterCommit wraps next.
func NewNotificationsAfterCommit(next application.NotificationPublisher) NotificationsAfterCommit {
	return NotificationsAfterCommit{next: next}
}

// Publish announces made now, or after the commit of the transaction ctx carries.
func (p NotificationsAfterCommit) Publish(ctx context.Context, made []notification.Notification) {
	held := afterCommit(ctx, func() {
		p.next.Publish(context.WithoutCancel(ctx), made)
	})
	if !held {
		p.next.Publish(ctx, made)
	}
}
