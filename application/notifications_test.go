package application_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/notification"
)

// storedNotification is one of ann's notifications as the store returns it.
func storedNotification(id, seq int64) notification.Notification {
	return notification.Restore(notification.Record{ID: id, MemberID: annID, Seq: seq, Kind: notification.KindOutbid,
		ArtID: 42, AuctionID: 5, Amount: 2100, CreatedAt: fixedTestNow})
}

func TestListNotificationsPagesByCursorWithinOneList(t *testing.T) {
	store := mock.NewMockNotificationStore(gomock.NewController(t))
	uc := application.NewListNotifications(store)
	first := mustPage(t, 1, 2)
	items := []notification.Notification{storedNotification(12, 4), storedNotification(11, 3)}
	store.EXPECT().List(gomock.Any(), annID, true, first).Return(application.StoredPage[notification.Notification]{
		Items: items, Next: application.Keyset{3}, Total: application.Total{Count: 4}}, nil)

	page, err := uc.Execute(context.Background(), annID, true, first)

	require.NoError(t, err)
	assert.Equal(t, items, page.Items)
	assert.Equal(t, 4, page.TotalItems)
	require.NotEmpty(t, page.NextCursor)

	// The cursor of the unread list gives its next page; on the whole inbox,
	// or on another member's, it is refused before the store is asked.
	next, err := application.NewPageAfter(application.Keyset{3}, 2)
	require.NoError(t, err)
	store.EXPECT().List(gomock.Any(), annID, true, gomock.Cond(func(p application.PageRequest) bool {
		return p.ByCursor() && p.Size() == next.Size() && p.After()[0] == 3 && p.Number() == 2
	})).Return(application.StoredPage[notification.Notification]{Items: []notification.Notification{storedNotification(10, 2)}}, nil)
	_, err = uc.Execute(context.Background(), annID, true, mustCursorPage(t, page.NextCursor, 2))
	require.NoError(t, err)
	for _, other := range []struct {
		member int64
		unread bool
	}{{annID, false}, {bobID, true}} {
		_, err = uc.Execute(context.Background(), other.member, other.unread, mustCursorPage(t, page.NextCursor, 2))
		assert.Equal(t, []string{"cursor"}, validationFieldNames(t, err), "%+v", other)
	}
}

func TestListNotificationsFailure(t *testing.T) {
	store := mock.NewMockNotificationStore(gomock.NewController(t))
	boom := errors.New("boom")
	store.EXPECT().List(gomock.Any(), annID, false, gomock.Any()).Return(application.StoredPage[notification.Notification]{}, boom)

	_, err := application.NewListNotifications(store).Execute(context.Background(), annID, false, mustPage(t, 1, 20))

	require.ErrorIs(t, err, boom)
}

func TestCountUnreadNotifications(t *testing.T) {
	store := mock.NewMockNotificationStore(gomock.NewController(t))
	store.EXPECT().UnreadCount(gomock.Any(), annID).Return(int64(3), nil)
	boom := errors.New("boom")
	store.EXPECT().UnreadCount(gomock.Any(), bobID).Return(int64(0), boom)
	uc := application.NewCountUnreadNotifications(store)

	n, err := uc.Execute(context.Background(), annID)
	require.NoError(t, err)
	assert.Equal(t, int64(3), n)
	_, err = uc.Execute(context.Background(), bobID)
	require.ErrorIs(t, err, boom)
}

func TestMarkNotificationReadAtTheClocksTime(t *testing.T) {
	ctrl := gomock.NewController(t)
	store := mock.NewMockNotificationStore(ctrl)
	uc := application.NewMarkNotificationRead(store, newFixedClock(ctrl))
	store.EXPECT().MarkRead(gomock.Any(), annID, int64(12), fixedTestNow).Return(nil)
	store.EXPECT().MarkRead(gomock.Any(), bobID, int64(12), fixedTestNow).Return(notification.ErrNotFound)

	require.NoError(t, uc.Execute(context.Background(), annID, 12))
	require.ErrorIs(t, uc.Execute(context.Background(), bobID, 12), notification.ErrNotFound,
		"another member's notification is not found")
}

func TestMarkAllNotificationsReadAtTheClocksTime(t *testing.T) {
	ctrl := gomock.NewController(t)
	store := mock.NewMockNotificationStore(ctrl)
	uc := application.NewMarkAllNotificationsRead(store, newFixedClock(ctrl))
	store.EXPECT().MarkAllRead(gomock.Any(), annID, fixedTestNow).Return(nil)
	boom := errors.New("boom")
	store.EXPECT().MarkAllRead(gomock.Any(), bobID, fixedTestNow).Return(boom)

	require.NoError(t, uc.Execute(context.Background(), annID))
	require.ErrorIs(t, uc.Execute(context.Background(), bobID), boom)
}

type memberWatchFixture struct {
	feed    *mock.MockNotificationFeed
	live    *mock.MockNotificationSubscription
	history *mock.MockNotificationHistory
	uc      *application.WatchNotifications
}

func newMemberWatchFixture(t *testing.T) memberWatchFixture {
	ctrl := gomock.NewController(t)
	f := memberWatchFixture{feed: mock.NewMockNotificationFeed(ctrl), live: mock.NewMockNotificationSubscription(ctrl),
		history: mock.NewMockNotificationHistory(ctrl)}
	f.uc = application.NewWatchNotifications(f.feed, f.history)
	return f
}

func TestWatchNotificationsJoinsBeforeReplayingWhatCameAfterLastEventID(t *testing.T) {
	f := newMemberWatchFixture(t)
	missed := []notification.Notification{storedNotification(11, 3), storedNotification(12, 4)}
	gomock.InOrder(
		f.feed.EXPECT().Join(gomock.Any(), annID).Return(f.live, nil),
		f.history.EXPECT().NewerThan(gomock.Any(), annID, int64(10), application.MaxNotificationReplay).Return(missed, nil),
	)

	w, err := f.uc.Execute(context.Background(), annID, 10)

	require.NoError(t, err)
	assert.Equal(t, missed, w.Replay())
	assert.False(t, w.Closed() || w.Interrupted(), "a member stream never ends by itself")
	assert.False(t, w.Accept(storedNotification(12, 4)), "already replayed")
	assert.True(t, w.Accept(storedNotification(13, 5)))
	assert.False(t, w.Accept(storedNotification(13, 5)), "once")
	f.live.EXPECT().Leave()
	w.Close()
}

func TestWatchNotificationsWithoutLastEventIDIsLiveOnly(t *testing.T) {
	f := newMemberWatchFixture(t)
	f.feed.EXPECT().Join(gomock.Any(), annID).Return(f.live, nil)
	// No history read: gomock fails on it.

	w, err := f.uc.Execute(context.Background(), annID, application.NoLastNotificationID)

	require.NoError(t, err)
	assert.Empty(t, w.Replay())
	assert.True(t, w.Accept(storedNotification(1, 1)))
	events := make(chan notification.Notification)
	f.live.EXPECT().Events().Return(events)
	assert.Equal(t, (<-chan notification.Notification)(events), w.Events())
}

func TestWatchNotificationsWithTheFeedDownStillReplays(t *testing.T) {
	f := newMemberWatchFixture(t)
	f.feed.EXPECT().Join(gomock.Any(), annID).Return(nil, application.ErrLiveFeedUnavailable)
	f.history.EXPECT().NewerThan(gomock.Any(), annID, int64(10), application.MaxNotificationReplay).
		Return([]notification.Notification{storedNotification(11, 3)}, nil)

	w, err := f.uc.Execute(context.Background(), annID, 10)

	require.NoError(t, err)
	assert.Len(t, w.Replay(), 1)
	assert.True(t, w.Interrupted())
	assert.Nil(t, w.Events())
	require.ErrorIs(t, w.Dropped(), application.ErrLiveFeedUnavailable)
	w.Close()
}

func TestWatchNotificationsFailures(t *testing.T) {
	boom := errors.New("boom")
	f := newMemberWatchFixture(t)
	f.feed.EXPECT().Join(gomock.Any(), annID).Return(nil, boom)
	_, err := f.uc.Execute(context.Background(), annID, 10)
	require.ErrorIs(t, err, boom)

	f.feed.EXPECT().Join(gomock.Any(), annID).Return(f.live, nil)
	f.history.EXPECT().NewerThan(gomock.Any(), annID, int64(10), gomock.Any()).Return(nil, boom)
	f.live.EXPECT().Leave()
	_, err = f.uc.Execute(context.Background(), annID, 10)
	require.ErrorIs(t, err, boom, "the feed is left again")
}
