package application

import (
	"context"
	"errors"
	"fmt"

	"github.com/artauction/artauction/domain/notification"
)

// MaxNotificationReplay bounds what a reconnecting member stream replays: the
// newest ones after Last-Event-ID; older ones wait in the inbox.
const MaxNotificationReplay = 500

// WatchNotifications starts a member's live stream: the notifications made
// since Last-Event-ID, then live ones as they are made, on any instance.
type WatchNotifications struct {
	feed    NotificationFeed
	history NotificationHistory
}

// NewWatchNotifications builds the use case.
func NewWatchNotifications(feed NotificationFeed, history NotificationHistory) *WatchNotifications {
	return &WatchNotifications{feed: feed, history: history}
}

// NoLastNotificationID is the lastEventID of a client that wants live
// notifications only.
const NoLastNotificationID int64 = 0

// Execute starts the stream; lastEventID is the id of the last notification the
// client saw, or NoLastNotificationID. When the live feed is down the watch
// still carries the replay and Interrupted says to reconnect.
func (uc *WatchNotifications) Execute(ctx context.Context, memberID, lastEventID int64) (*NotificationWatch, error) {
	// Join before reading: a notification committed after the read is then live.
	live, err := uc.feed.Join(ctx, memberID)
	if err != nil && !errors.Is(err, ErrLiveFeedUnavailable) {
		return nil, fmt.Errorf("join the live feed of member %d: %w", memberID, err)
	}
	w := &NotificationWatch{liveWatch: liveWatch[notification.Notification]{live: live}}
	if lastEventID == NoLastNotificationID {
		return w, nil
	}
	// A member's ids grow in the order their notifications commit, so the ones
	// above the last id seen are exactly those the client missed.
	missed, err := uc.history.NewerThan(ctx, memberID, lastEventID, MaxNotificationReplay)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("replay notifications of member %d: %w", memberID, err)
	}
	w.replay = missed
	if len(missed) > 0 {
		w.cursor = missed[len(missed)-1].Seq()
	}
	return w, nil
}

// NotificationWatch is one member stream: Replay first, then what Accept lets
// through from Events. It never ends by itself.
type NotificationWatch struct {
	liveWatch[notification.Notification]
	// cursor is the Seq of the last notification the watcher got.
	cursor int64
}

// Closed is always false: a member's stream has no end.
func (w *NotificationWatch) Closed() bool { return false }

// Events delivers live notifications; nil (blocking forever) when Interrupted.
func (w *NotificationWatch) Events() <-chan notification.Notification { return w.events() }

// Accept reports whether a live notification is new to this watcher: the
// replay may already hold it.
func (w *NotificationWatch) Accept(n notification.Notification) bool {
	if n.Seq() <= w.cursor {
		return false
	}
	w.cursor = n.Seq()
	return true
}
