package redis_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/notification"
)

// fakeInbox is member 7's inbox, as the member feed reads it.
type fakeInbox struct {
	mu    sync.Mutex
	made  []notification.Notification
	reads int
}

// commit records member 7's next notification, as its commit would, and returns it.
func (h *fakeInbox) commit() notification.Notification {
	h.mu.Lock()
	defer h.mu.Unlock()
	seq := int64(len(h.made) + 1)
	n := notification.Restore(notification.Record{ID: 100 + seq, MemberID: 7, Seq: seq, Kind: notification.KindOutbid,
		ArtID: 42, AuctionID: 5, Amount: 1000 + seq, CreatedAt: time.Date(2026, 5, 7, 10, 0, 0, 0, time.UTC)})
	h.made = append(h.made, n)
	return n
}

func (h *fakeInbox) LastSeq(context.Context, int64) (int64, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return int64(len(h.made)), nil
}

func (h *fakeInbox) Between(_ context.Context, _, after, upto int64) ([]notification.Notification, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reads++
	return append([]notification.Notification(nil), h.made[after:min(int(upto), len(h.made))]...), nil
}

func (h *fakeInbox) NewerThan(context.Context, int64, int64, int) ([]notification.Notification, error) {
	panic("the feed never replays by id")
}

func (h *fakeInbox) readCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reads
}

func startMemberFeed(t *testing.T, client *goredis.Client, prefix string, inbox *fakeInbox) *redis.NotificationFeed {
	t.Helper()
	feed, err := redis.NewNotificationFeed(client, prefix, inbox, nopLiveMetrics{},
		redis.LiveFeedSettings{ClientBuffer: 16, PingEvery: 200 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}, zap.NewNop())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, feed.Start(ctx))
	t.Cleanup(func() { require.NoError(t, feed.Stop(context.Background())) })
	return feed
}

func receiveNotification(t *testing.T, s application.NotificationSubscription) notification.Notification {
	t.Helper()
	select {
	case n, ok := <-s.Events():
		require.True(t, ok, "the stream was dropped: %v", s.Err())
		return n
	case <-time.After(5 * time.Second):
		t.Fatal("no notification within 5s")
	}
	return notification.Notification{}
}

// Publishers on two instances race after their commits; the member's stream
// still gets the notifications in seq order, once each, whole.
func TestNotificationFeedDeliversInTheMembersOrderOnceEach(t *testing.T) {
	client, prefix := redistest.New(t)
	inbox := &fakeInbox{}
	feed := startMemberFeed(t, client, prefix, inbox)
	publisher := redis.NewNotificationPublisher(client, prefix, nopLiveMetrics{}, zap.NewNop())
	inbox.commit() // before the stream opened: not delivered
	s, err := feed.Join(t.Context(), 7)
	require.NoError(t, err)
	defer s.Leave()
	other, err := feed.Join(t.Context(), 8)
	require.NoError(t, err)
	defer other.Leave()

	second, third := inbox.commit(), inbox.commit()
	publisher.Publish(t.Context(), []notification.Notification{third})
	publisher.Publish(t.Context(), []notification.Notification{second})
	fourth := inbox.commit()
	publisher.Publish(t.Context(), []notification.Notification{fourth})

	for _, want := range []notification.Notification{second, third, fourth} {
		assert.Equal(t, want, receiveNotification(t, s))
	}
	assert.Equal(t, 1, inbox.readCount(), "one read for the gap the race left")
	select {
	case n := <-other.Events():
		t.Fatalf("member 8 got member 7's notification %d", n.ID())
	case <-time.After(100 * time.Millisecond):
	}
}

func TestNotificationPublisherSendsWhatAStreamShows(t *testing.T) {
	client, prefix := redistest.New(t)
	sub := client.Subscribe(t.Context(), redis.MemberChannel(prefix))
	defer sub.Close()
	_, err := sub.Receive(t.Context())
	require.NoError(t, err)
	at := time.Date(2026, 5, 7, 10, 0, 0, 0, time.UTC)
	sold := notification.Restore(notification.Record{ID: 101, MemberID: 7, Seq: 3, Kind: notification.KindArtSold, ArtID: 42,
		AuctionID: 5, Amount: 5000, Actor: &notification.Actor{ID: 9, Nickname: "bob"}, CreatedAt: at})
	listed := notification.Restore(notification.Record{ID: 102, MemberID: 8, Seq: 1, Kind: notification.KindNewWork, ArtID: 43,
		Actor: &notification.Actor{ID: 7, Nickname: "alice"}, CreatedAt: at})

	redis.NewNotificationPublisher(client, prefix, nopLiveMetrics{}, zap.NewNop()).Publish(t.Context(),
		[]notification.Notification{sold, listed})

	for _, want := range []redis.NotificationMessage{
		{ID: 101, MemberID: 7, Seq: 3, Kind: "art_sold", ArtID: 42, AuctionID: 5, Amount: 5000, ActorID: 9, ActorNickname: "bob", CreatedAt: at},
		{ID: 102, MemberID: 8, Seq: 1, Kind: "new_work", ArtID: 43, ActorID: 7, ActorNickname: "alice", CreatedAt: at},
	} {
		select {
		case msg := <-sub.Channel():
			var got redis.NotificationMessage
			require.NoError(t, json.Unmarshal([]byte(msg.Payload), &got))
			assert.Equal(t, want, got)
		case <-time.After(5 * time.Second):
			t.Fatal("no notification arrived")
		}
	}
}

func TestNotificationPublisherLogsWhenRedisIsDown(t *testing.T) {
	down := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer down.Close()
	core, logs := observer.New(zapcore.WarnLevel)
	redis.NewNotificationPublisher(down, "x:", nopLiveMetrics{}, zap.New(core)).Publish(t.Context(),
		[]notification.Notification{notification.Restore(notification.Record{ID: 1, MemberID: 7, Seq: 1, Kind: notification.KindOutbid})})
	require.Equal(t, 1, logs.FilterMessage("publish notifications").Len())
}

func TestNotificationFeedSkipsAMalformedMessage(t *testing.T) {
	client, prefix := redistest.New(t)
	inbox := &fakeInbox{}
	feed := startMemberFeed(t, client, prefix, inbox)
	s, err := feed.Join(t.Context(), 7)
	require.NoError(t, err)
	defer s.Leave()

	require.NoError(t, client.Publish(t.Context(), redis.MemberChannel(prefix), `{"member_id":7,"kind":"gossip","seq":1}`).Err())
	n := inbox.commit()
	redis.NewNotificationPublisher(client, prefix, nopLiveMetrics{}, zap.NewNop()).Publish(t.Context(), []notification.Notification{n})

	assert.Equal(t, n, receiveNotification(t, s), "the stream goes on past it")
}

func TestStreamTicketsAreTakenOnce(t *testing.T) {
	client, prefix := redistest.New(t)
	tickets := redis.NewStreamTickets(client, prefix)
	ctx := t.Context()
	holder := application.Principal{MemberID: 7, TokenID: "jti-1", SessionID: "session-1",
		ExpiresAt: time.Date(2026, 5, 7, 10, 15, 0, 0, time.UTC)}
	require.NoError(t, tickets.Save(ctx, "ticket-1", holder, time.Minute))

	// Two instances redeem it at once: one gets the member.
	var wg sync.WaitGroup
	got := make(chan application.Principal, 8)
	for range 8 {
		wg.Go(func() {
			if p, err := tickets.Take(ctx, "ticket-1"); err == nil {
				got <- p
			} else {
				assert.ErrorIs(t, err, auth.ErrUnauthenticated)
			}
		})
	}
	wg.Wait()
	close(got)
	var taken []application.Principal
	for p := range got {
		taken = append(taken, p)
	}
	assert.Equal(t, []application.Principal{holder}, taken)
	keys, err := client.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	assert.Empty(t, keys, "a used ticket is gone")
}

func TestStreamTicketsExpireAndRefuseStrangers(t *testing.T) {
	client, prefix := redistest.New(t)
	tickets := redis.NewStreamTickets(client, prefix)
	ctx := t.Context()
	require.NoError(t, tickets.Save(ctx, "ticket-2", application.Principal{MemberID: 7}, 50*time.Millisecond))
	keys, err := client.Keys(ctx, prefix+"*").Result()
	require.NoError(t, err)
	require.Len(t, keys, 1)
	assert.NotContains(t, keys[0], "ticket-2", "kept hashed")

	time.Sleep(100 * time.Millisecond)
	for _, ticket := range []string{"ticket-2", "never-issued"} {
		_, err := tickets.Take(ctx, ticket)
		assert.ErrorIs(t, err, auth.ErrUnauthenticated, ticket)
	}
	require.Error(t, tickets.Save(ctx, "ticket-3", application.Principal{MemberID: 7}, 0))
}
