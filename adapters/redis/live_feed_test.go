package redis_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
)

type nopLiveMetrics struct{}

func (nopLiveMetrics) WatcherConnected(application.LiveStream)                      {}
func (nopLiveMetrics) WatcherDisconnected(application.LiveStream)                   {}
func (nopLiveMetrics) EventPublished(application.LiveStream, string)                {}
func (nopLiveMetrics) EventDelivered(application.LiveStream, string, time.Duration) {}
func (nopLiveMetrics) WatcherDropped(application.LiveStream)                        {}

// fakeHistory is the bid history of auction 7 only, as the feed reads it.
type fakeHistory struct {
	mu    sync.Mutex
	bids  []application.BidEntry
	reads int
}

func (h *fakeHistory) append(amount int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.bids = append(h.bids, application.BidEntry{AuctionID: 7, Amount: amount,
		Bidder: application.MemberRef{ID: amount, Nickname: nick(amount)}})
}

func (h *fakeHistory) BidCount(_ context.Context, auctionID int64) (int64, error) {
	if auctionID != 7 {
		return 0, auction.ErrNotFound
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return int64(len(h.bids)), nil
}

func (h *fakeHistory) BidsAfter(_ context.Context, _, after int64, limit int) ([]application.BidEntry, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reads++
	rest := h.bids[min(int(after), len(h.bids)):]
	if limit > 0 && limit < len(rest) {
		rest = rest[:limit]
	}
	return append([]application.BidEntry(nil), rest...), nil
}

func (h *fakeHistory) Sale(context.Context, int64) (application.MemberRef, int64, bool, error) {
	return application.MemberRef{}, 0, false, nil
}

func (h *fakeHistory) readCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.reads
}

func nick(amount int64) string { return "m" + strings.Repeat("x", int(amount%3)) }

type feedFixture struct {
	client  *goredis.Client
	prefix  string
	history *fakeHistory
	feed    *redis.LiveFeed
}

func startFeed(t *testing.T, client *goredis.Client, prefix string, buffer int) feedFixture {
	t.Helper()
	history := &fakeHistory{}
	feed, err := redis.NewLiveFeed(client, prefix, history, nopLiveMetrics{},
		redis.LiveFeedSettings{ClientBuffer: buffer, PingEvery: 200 * time.Millisecond, MaxBackoff: 200 * time.Millisecond}, zap.NewNop())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, feed.Start(ctx))
	t.Cleanup(func() { require.NoError(t, feed.Stop(context.Background())) })
	return feedFixture{client: client, prefix: prefix, history: history, feed: feed}
}

// publish sends what an instance announces after a commit.
func (f feedFixture) publish(t *testing.T, e application.AuctionEvent) {
	t.Helper()
	payload, err := json.Marshal(redis.AuctionEventMessage{Kind: string(e.Kind), AuctionID: e.AuctionID, Amount: e.Amount,
		BidderID: e.BidderID, BidderNickname: e.BidderNickname, BidCount: e.BidCount, EndAt: e.EndAt,
		Status: string(e.Status), At: e.At})
	require.NoError(t, err)
	require.NoError(t, f.client.Publish(t.Context(), redis.EventChannel(f.prefix), payload).Err())
}

func bidEvent(count int64) application.AuctionEvent {
	amount := 1000 + count
	return application.AuctionEvent{Kind: application.EventBid, AuctionID: 7, Amount: amount, BidderID: amount,
		BidderNickname: nick(amount), BidCount: count, Status: auction.StatusOpen}
}

// commitBid records bid number count in the history, as its commit would.
func (f feedFixture) commitBid(count int64) application.AuctionEvent {
	e := bidEvent(count)
	f.history.append(e.Amount)
	return e
}

func receive(t *testing.T, s application.LiveSubscription) application.AuctionEvent {
	t.Helper()
	select {
	case e, ok := <-s.Events():
		require.True(t, ok, "the watcher was dropped: %v", s.Err())
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return application.AuctionEvent{}
}

func TestLiveFeedDeliversInBidOrderOnceEach(t *testing.T) {
	client, prefix := redistest.New(t)
	f := startFeed(t, client, prefix, 16)
	f.commitBid(1) // before anyone watches: not delivered
	s, err := f.feed.Join(t.Context(), 7)
	require.NoError(t, err)
	defer s.Leave()

	// Two instances' publishers raced: the third bid's event comes first.
	second, third := f.commitBid(2), f.commitBid(3)
	f.publish(t, third)
	f.publish(t, second)
	f.publish(t, application.AuctionEvent{Kind: application.EventExtended, AuctionID: 7, BidCount: 3, Status: auction.StatusOpen})
	fourth := f.commitBid(4)
	fourth.BidderNickname = "" // the publisher could not read it: the feed reads the bid back
	f.publish(t, fourth)
	f.publish(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 7, BidCount: 4, Status: auction.StatusClosed})

	var got []string
	for range 5 {
		e := receive(t, s)
		got = append(got, fmt.Sprintf("%s:%d:%s", e.Kind, e.BidCount, e.BidderNickname))
	}
	assert.Equal(t, []string{"bid:2:" + nick(1002), "bid:3:" + nick(1003), "extended:3:", "bid:4:" + nick(1004), "closed:4:"}, got)
	assert.Equal(t, 2, f.history.readCount(), "one read for the gap, one for the missing nickname")
}

func TestLiveFeedDropsAWatcherThatNeverReadsWithoutSlowingOthers(t *testing.T) {
	client, prefix := redistest.New(t)
	f := startFeed(t, client, prefix, 4)
	stuck, err := f.feed.Join(t.Context(), 7)
	require.NoError(t, err)
	defer stuck.Leave()
	reader, err := f.feed.Join(t.Context(), 7)
	require.NoError(t, err)
	defer reader.Leave()

	// The reader keeps up: each burst is smaller than the buffer and read
	// before the next; the stuck watcher falls behind at the first.
	const events, burst = 48, 3
	got := make(chan int64, events)
	go func() {
		for e := range reader.Events() {
			got <- e.BidCount
		}
		close(got)
	}()
	for i := int64(1); i <= events; i++ {
		f.publish(t, f.commitBid(i))
		if i%burst != 0 {
			continue
		}
		for want := i - burst + 1; want <= i; want++ {
			select {
			case c, ok := <-got:
				require.True(t, ok, "the reading watcher was dropped: %v", reader.Err())
				require.Equal(t, want, c)
			case <-time.After(5 * time.Second):
				t.Fatalf("the reading watcher did not get bid %d", want)
			}
		}
	}
	n := 0
	for range stuck.Events() {
		n++
	}
	assert.Equal(t, 4, n, "the stuck watcher had its buffer's worth, then was dropped")
	assert.ErrorIs(t, stuck.Err(), application.ErrWatcherTooSlow)
}

func TestLiveFeedForgetsAnAuctionWhenItsLastWatcherLeaves(t *testing.T) {
	client, prefix := redistest.New(t)
	f := startFeed(t, client, prefix, 4)
	first, err := f.feed.Join(t.Context(), 7)
	require.NoError(t, err)
	first.Leave()
	first.Leave()

	// A new room reads where the auction stands afresh: bid 1, committed while
	// nobody watched, is not replayed by the feed.
	f.commitBid(1)
	again, err := f.feed.Join(t.Context(), 7)
	require.NoError(t, err)
	defer again.Leave()
	f.publish(t, bidEvent(1))
	f.publish(t, f.commitBid(2))
	assert.Equal(t, int64(2), receive(t, again).BidCount)

	_, err = f.feed.Join(t.Context(), 404)
	require.ErrorIs(t, err, auction.ErrNotFound)
}

func TestLiveFeedTellsWatchersToReconnectAndResubscribesByItself(t *testing.T) {
	_, prefix := redistest.New(t)
	opts, err := goredis.ParseURL(redistest.URL())
	require.NoError(t, err)
	opts.ClientName = prefix + "feed"
	client := goredis.NewClient(opts)
	defer client.Close()
	f := startFeed(t, client, prefix, 4)
	s, err := f.feed.Join(t.Context(), 7)
	require.NoError(t, err)
	defer s.Leave()

	// The subscription's connection dies, as when Redis restarts.
	killSubscription(t, client, opts.ClientName)
	select {
	case _, ok := <-s.Events():
		require.False(t, ok)
		require.ErrorIs(t, s.Err(), application.ErrLiveFeedUnavailable)
	case <-time.After(5 * time.Second):
		t.Fatal("the watcher was not told to reconnect")
	}

	require.Eventually(t, func() bool {
		again, err := f.feed.Join(t.Context(), 7)
		if err != nil {
			return false
		}
		defer again.Leave()
		count, _ := f.history.BidCount(t.Context(), 7)
		f.publish(t, f.commitBid(count+1))
		select {
		case e, ok := <-again.Events():
			return ok && e.Kind == application.EventBid
		case <-time.After(time.Second):
			return false
		}
	}, 10*time.Second, 50*time.Millisecond)
}

// killSubscription closes the subscribed connection of the client named name
// from the server's side, leaving other tests' connections alone.
func killSubscription(t *testing.T, client *goredis.Client, name string) {
	t.Helper()
	list, err := client.ClientList(t.Context()).Result()
	require.NoError(t, err)
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		fields := strings.Fields(line)
		if !slices.Contains(fields, "name="+name) || !slices.Contains(fields, "sub=1") {
			continue
		}
		id := strings.TrimPrefix(fields[0], "id=")
		require.NoError(t, client.Do(t.Context(), "CLIENT", "KILL", "ID", id).Err())
		killed++
	}
	require.Equal(t, 1, killed, "one subscribed connection: %s", list)
}

func TestLiveFeedStartsWithRedisDownAndRefusesWatchers(t *testing.T) {
	down := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer down.Close()
	feed, err := redis.NewLiveFeed(down, "x:", &fakeHistory{}, nopLiveMetrics{},
		redis.LiveFeedSettings{ClientBuffer: 1, PingEvery: time.Second, MaxBackoff: 100 * time.Millisecond}, zap.NewNop())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	require.NoError(t, feed.Start(ctx))
	defer func() { require.NoError(t, feed.Stop(context.Background())) }()

	_, err = feed.Join(t.Context(), 7)
	require.ErrorIs(t, err, application.ErrLiveFeedUnavailable)

	_, err = redis.NewLiveFeed(down, "x:", &fakeHistory{}, nopLiveMetrics{}, redis.LiveFeedSettings{}, zap.NewNop())
	require.Error(t, err)
}

func TestLiveFeedStopsWithoutWaitingForAQuietSubscription(t *testing.T) {
	client, prefix := redistest.New(t)
	feed, err := redis.NewLiveFeed(client, prefix, &fakeHistory{}, nopLiveMetrics{},
		redis.LiveFeedSettings{ClientBuffer: 1, PingEvery: time.Minute, MaxBackoff: time.Second}, zap.NewNop())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	require.NoError(t, feed.Start(ctx))

	// Well under PingEvery, the read the subscription is blocked in.
	stopCtx, cancelStop := context.WithTimeout(t.Context(), 3*time.Second)
	defer cancelStop()
	require.NoError(t, feed.Stop(stopCtx))
}
