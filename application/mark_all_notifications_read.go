package application

import (
	"context"
	"fmt"
)

// MarkAllNotificationsRead marks every unread notification of a member read.
type MarkAllNotificationsRead struct {
	notifications NotificationStore
	clock         Clock
}

// NewMarkAllNotificationsRead builds the use case.
func NewMarkAllNotificationsRead(notifications NotificationStore, clock Clock) *MarkAllNotificationsRead {
	return &MarkAllNotificationsRead{notifications: notifications, clock: clock}
}

// Execute marks what the member has now; a notification made meanwhile stays unread.
func (uc *MarkAllNotificationsRead) Execute(ctx context.Context, memberID int64) error {
	if err := uc.notifications.MarkAllRead(ctx, memberID, uc.clock.Now()); err != nil {
		return fmt.Errorf("mark every notification of member %d read: %w", memberID, err)
	}
	return nil
}
