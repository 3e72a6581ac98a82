package application

import (
	"context"
	"fmt"
)

// MarkNotificationRead marks one of a member's notifications read.
type MarkNotificationRead struct {
	notifications NotificationStore
	clock         Clock
}

// NewMarkNotificationRead builds the use case.
func NewMarkNotificationRead(notifications NotificationStore, clock Clock) *MarkNotificationRead {
	return &MarkNotificationRead{notifications: notifications, clock: clock}
}

// Execute is idempotent: a notification already read stays read as it was.
// Another member's notification is notification.ErrNotFound, as an unknown
// one is, so ids of other inboxes cannot be probed.
func (uc *MarkNotificationRead) Execute(ctx context.Context, memberID, notificationID int64) error {
	if err := uc.notifications.MarkRead(ctx, memberID, notificationID, uc.clock.Now()); err != nil {
		return fmt.Errorf("mark notification %d of member %d read: %w", notificationID, memberID, err)
	}
	return nil
}
