package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/notification"
)

// ListNotifications pages through a member's inbox, newest first.
type ListNotifications struct {
	notifications NotificationStore
}

// NewListNotifications builds the use case.
func NewListNotifications(notifications NotificationStore) *ListNotifications {
	return &ListNotifications{notifications: notifications}
}

// Execute returns one page of the member's notifications, only the unread
// ones when unreadOnly; a cursor made for one of the two lists is refused on
// the other.
func (uc *ListNotifications) Execute(ctx context.Context, memberID int64, unreadOnly bool,
	page PageRequest) (Page[notification.Notification], error) {
	list := listScope(fmt.Sprintf("notifications\x00%d\x00unread=%t", memberID, unreadOnly))
	page, err := page.in(list)
	if err != nil {
		return Page[notification.Notification]{}, err
	}
	items, err := uc.notifications.List(ctx, memberID, unreadOnly, page)
	if err != nil {
		return Page[notification.Notification]{}, fmt.Errorf("list notifications of member %d: %w", memberID, err)
	}
	return pageOf(items, page, list), nil
}
