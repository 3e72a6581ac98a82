package application

import (
	"context"
	"fmt"
)

// CountUnreadNotifications tells a member how many of their notifications are unread.
type CountUnreadNotifications struct {
	notifications NotificationStore
}

// NewCountUnreadNotifications builds the use case.
func NewCountUnreadNotifications(notifications NotificationStore) *CountUnreadNotifications {
	return &CountUnreadNotifications{notifications: notifications}
}

// Execute returns the member's unread count.
func (uc *CountUnreadNotifications) Execute(ctx context.Context, memberID int64) (int64, error) {
	n, err := uc.notifications.UnreadCount(ctx, memberID)
	if err != nil {
		return 0, fmt.Errorf("count unread notifications of member %d: %w", memberID, err)
	}
	return n, nil
}
