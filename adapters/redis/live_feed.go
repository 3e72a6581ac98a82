package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
)

// LiveFeedSettings tune one instance's live feed.
type LiveFeedSettings struct {
	// ClientBuffer is how many events a watcher may fall behind before it is dropped.
	ClientBuffer int
	// PingEvery is how long a quiet subscription waits before checking its connection.
	PingEvery time.Duration
	// MaxBackoff bounds the wait between attempts to resubscribe.
	MaxBackoff time.Duration
}

// LiveFeed subscribes once per instance to the auction-events channel and fans
// each event out in memory to the watchers of its auction. Per auction, a
// room puts events in bid-count order: publishers on several instances race
// after their commits, so a bid can arrive before the one it followed; the
// room then reads the missing bids from the history, once for all its watchers.
type LiveFeed struct {
	client   *redis.Client
	channel  string
	history  application.LiveHistory
	metrics  application.LiveMetrics
	settings LiveFeedSettings
	log      *zap.Logger

	mu    sync.Mutex
	up    bool
	rooms map[int64]*room

	subscribed chan struct{}
	cancel     context.CancelFunc
	stopped    chan struct{}
}

var _ application.LiveFeed = (*LiveFeed)(nil)

// NewLiveFeed builds a feed on <prefix>auction-events; Start subscribes.
func NewLiveFeed(client *redis.Client, prefix string, history application.LiveHistory, metrics application.LiveMetrics,
	settings LiveFeedSettings, log *zap.Logger) (*LiveFeed, error) {
	if settings.ClientBuffer < 1 || settings.PingEvery <= 0 || settings.MaxBackoff <= 0 {
		return nil, fmt.Errorf("live feed: buffer, ping interval and backoff must be positive, got %+v", settings)
	}
	return &LiveFeed{
		client: client, channel: EventChannel(prefix), history: history, metrics: metrics, settings: settings, log: log,
		rooms: map[int64]*room{}, subscribed: make(chan struct{}), stopped: make(chan struct{}),
	}, nil
}

// Start subscribes in the background and waits, within ctx, for the first
// subscription; a Redis that is down does not stop the service from starting:
// bids work without it, and the feed keeps trying.
func (f *LiveFeed) Start(ctx context.Context) error {
	// The subscription outlives ctx, which only bounds starting; Stop ends it.
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f.cancel = cancel
	go f.run(runCtx)
	select {
	case <-f.subscribed:
	case <-ctx.Done():
		f.log.Warn("live feed not subscribed yet; watchers are told to reconnect until it is")
	}
	return nil
}

// Stop ends the subscription and every watcher's stream.
func (f *LiveFeed) Stop(ctx context.Context) error {
	f.cancel()
	select {
	case <-f.stopped:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop live feed: %w", ctx.Err())
	}
}

// Join registers a watcher of auctionID, once its room knows where the
// auction stands; auction.ErrNotFound for an unknown auction.
func (f *LiveFeed) Join(ctx context.Context, auctionID int64) (application.LiveSubscription, error) {
	f.mu.Lock()
	if !f.up {
		f.mu.Unlock()
		return nil, application.ErrLiveFeedUnavailable
	}
	r := f.rooms[auctionID]
	if r == nil {
		r = newRoom(f, auctionID)
		f.rooms[auctionID] = r
		// The room outlives the watcher that opened it: it runs until retired.
		go r.run(context.WithoutCancel(ctx))
	}
	s := &subscription{room: r, events: make(chan application.AuctionEvent, f.settings.ClientBuffer)}
	r.add(s)
	f.mu.Unlock()

	select {
	case <-r.ready:
	case <-ctx.Done():
		s.Leave()
		return nil, fmt.Errorf("join live feed of auction %d: %w", auctionID, ctx.Err())
	}
	if r.initErr != nil {
		s.Leave()
		return nil, fmt.Errorf("join live feed of auction %d: %w", auctionID, r.initErr)
	}
	return s, nil
}

// run keeps one subscription alive: after a failure every watcher is told to
// reconnect, and the feed resubscribes with a growing pause.
func (f *LiveFeed) run(ctx context.Context) {
	defer close(f.stopped)
	defer f.interrupt()
	backoff := 100 * time.Millisecond
	var once sync.Once
	for ctx.Err() == nil {
		wasUp, err := f.receive(ctx, func() { once.Do(func() { close(f.subscribed) }) })
		f.interrupt()
		if ctx.Err() != nil {
			return
		}
		if wasUp {
			backoff = 100 * time.Millisecond
		}
		f.log.Warn("auction event subscription lost; resubscribing", zap.Error(err), zap.Duration("in", backoff))
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, f.settings.MaxBackoff)
	}
}

// receive subscribes and dispatches messages until the subscription fails; a
// quiet connection is pinged, and a ping left unanswered counts as a failure.
func (f *LiveFeed) receive(ctx context.Context, onSubscribed func()) (wasUp bool, err error) {
	ps := f.client.Subscribe(ctx, f.channel)
	defer ps.Close()
	// A read waiting out PingEvery does not see ctx; closing the subscription
	// ends it at once, so Stop does not wait for a quiet connection's timeout.
	unhook := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer unhook()
	pinged := false
	for {
		msg, err := ps.ReceiveTimeout(ctx, f.settings.PingEvery)
		var netErr net.Error
		switch {
		case err == nil:
		case errors.As(err, &netErr) && netErr.Timeout() && !pinged && ctx.Err() == nil:
			if err := ps.Ping(ctx); err != nil {
				return wasUp, fmt.Errorf("ping subscription: %w", err)
			}
			pinged = true
			continue
		default:
			return wasUp, fmt.Errorf("receive auction events: %w", err)
		}
		pinged = false
		switch m := msg.(type) {
		case *redis.Subscription:
			if m.Kind == "subscribe" {
				f.setUp()
				wasUp = true
				onSubscribed()
			}
		case *redis.Message:
			f.dispatch(m.Payload)
		}
	}
}

func (f *LiveFeed) setUp() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.up = true
}

// interrupt drops every watcher: events may be lost while the subscription is
// down, so each must reconnect and catch up from the history.
func (f *LiveFeed) interrupt() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.up = false
	for id, r := range f.rooms {
		r.dropAll(application.ErrLiveFeedUnavailable)
		r.shutDown()
		delete(f.rooms, id)
	}
}

func (f *LiveFeed) dispatch(payload string) {
	e, err := decodeEvent(payload)
	if err != nil {
		f.log.Warn("skip malformed auction event", zap.Error(err))
		return
	}
	f.mu.Lock()
	r := f.rooms[e.AuctionID]
	f.mu.Unlock()
	if r != nil {
		r.enqueue(e)
	}
}

func decodeEvent(payload string) (application.AuctionEvent, error) {
	var m AuctionEventMessage
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		return application.AuctionEvent{}, fmt.Errorf("decode auction event: %w", err)
	}
	status, err := auction.ParseStatus(m.Status)
	if err != nil {
		return application.AuctionEvent{}, fmt.Errorf("decode auction event: %w", err)
	}
	kind := application.AuctionEventKind(m.Kind)
	switch kind {
	case application.EventBid, application.EventExtended, application.EventClosed:
	default:
		return application.AuctionEvent{}, fmt.Errorf("decode auction event: unknown kind %q", m.Kind)
	}
	return application.AuctionEvent{
		Kind: kind, AuctionID: m.AuctionID, Amount: m.Amount, BidderID: m.BidderID, BidderNickname: m.BidderNickname,
		BidCount: m.BidCount, EndAt: m.EndAt, Status: status, At: m.At,
	}, nil
}

// retire drops a room's watchers and forgets the room, so the next watcher
// starts a fresh one.
func (f *LiveFeed) retire(r *room) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.dropAll(application.ErrLiveFeedUnavailable)
	r.shutDown()
	if f.rooms[r.auctionID] == r {
		delete(f.rooms, r.auctionID)
	}
}

// leave unregisters a watcher and retires its room with the last one.
func (f *LiveFeed) leave(s *subscription) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := s.room
	if r.remove(s) == 0 && f.rooms[r.auctionID] == r {
		r.shutDown()
		delete(f.rooms, r.auctionID)
	}
}

// room is one auction's watchers on this instance. Its goroutine owns cursor,
// the last bid count every watcher was handed.
type room struct {
	feed      *LiveFeed
	auctionID int64

	ready   chan struct{}
	initErr error
	cursor  int64
	closed  bool

	mu       sync.Mutex
	watchers map[*subscription]struct{}
	queue    []application.AuctionEvent
	wake     chan struct{}
	stop     chan struct{}
	stopping bool
}

func newRoom(f *LiveFeed, auctionID int64) *room {
	return &room{feed: f, auctionID: auctionID, ready: make(chan struct{}), watchers: map[*subscription]struct{}{},
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

func (r *room) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-r.stop
		cancel()
	}()
	// Events queued before this read are sorted out by their bid counts.
	r.cursor, r.initErr = r.feed.history.BidCount(ctx, r.auctionID)
	close(r.ready)
	if r.initErr != nil {
		return
	}
	for {
		select {
		case <-r.stop:
			return
		case <-r.wake:
		}
		for _, e := range r.take() {
			if err := r.handle(ctx, e); err != nil {
				r.feed.log.Warn("live feed lost track of an auction; its watchers reconnect",
					zap.Int64("auction_id", r.auctionID), zap.Error(err))
				r.feed.retire(r)
				return
			}
		}
	}
}

func (r *room) enqueue(e application.AuctionEvent) {
	r.mu.Lock()
	r.queue = append(r.queue, e)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *room) take() []application.AuctionEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	q := r.queue
	r.queue = nil
	return q
}

// handle hands every watcher the bids up to e's count, in order and once each,
// then e itself when it is still news.
func (r *room) handle(ctx context.Context, e application.AuctionEvent) error {
	if r.closed {
		return nil
	}
	switch e.Kind {
	case application.EventBid:
		if e.BidCount <= r.cursor {
			return nil
		}
		if e.BidCount == r.cursor+1 && e.BidderNickname != "" {
			r.broadcast(e)
			r.cursor = e.BidCount
			return nil
		}
		return r.catchUp(ctx, e)
	case application.EventExtended:
		if err := r.catchUp(ctx, e); err != nil {
			return err
		}
		if e.BidCount == r.cursor {
			r.broadcast(e)
		}
	case application.EventClosed:
		if err := r.catchUp(ctx, e); err != nil {
			return err
		}
		r.broadcast(e)
		r.closed = true
	}
	return nil
}

// catchUp reads the bids between the cursor and e's count from the history.
func (r *room) catchUp(ctx context.Context, e application.AuctionEvent) error {
	if e.BidCount <= r.cursor {
		return nil
	}
	bids, err := r.feed.history.BidsAfter(ctx, r.auctionID, r.cursor, int(e.BidCount-r.cursor))
	if err != nil {
		return fmt.Errorf("read bids after %d: %w", r.cursor, err)
	}
	if int64(len(bids)) != e.BidCount-r.cursor {
		return fmt.Errorf("history has %d bids after %d, event says %d", len(bids), r.cursor, e.BidCount)
	}
	for _, b := range bids {
		r.cursor++
		r.broadcast(application.HistoricBidEvent(b, r.cursor, e.EndAt))
	}
	return nil
}

// broadcast never waits: a watcher whose buffer is full is dropped instead.
func (r *room) broadcast(e application.AuctionEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.watchers {
		select {
		case s.events <- e:
		default:
			delete(r.watchers, s)
			s.drop(application.ErrWatcherTooSlow)
			r.feed.metrics.WatcherDropped()
		}
	}
}

func (r *room) add(s *subscription) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.watchers[s] = struct{}{}
}

// remove returns how many watchers are left.
func (r *room) remove(s *subscription) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.watchers, s)
	return len(r.watchers)
}

func (r *room) dropAll(reason error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.watchers {
		delete(r.watchers, s)
		s.drop(reason)
	}
}

// shutDown is called with the feed's lock held, which makes it run once.
func (r *room) shutDown() {
	if !r.stopping {
		r.stopping = true
		close(r.stop)
	}
}

// subscription is one watcher's buffered place in a room.
type subscription struct {
	room   *room
	events chan application.AuctionEvent
	// err is written before events is closed, under the room's lock.
	err     error
	dropped bool
	left    sync.Once
}

func (s *subscription) Events() <-chan application.AuctionEvent { return s.events }

// Err is valid once Events is closed.
func (s *subscription) Err() error { return s.err }

func (s *subscription) Leave() { s.left.Do(func() { s.room.feed.leave(s) }) }

// drop is called with the room's lock held.
func (s *subscription) drop(reason error) {
	if !s.dropped {
		s.dropped = true
		s.err = reason
		close(s.events)
	}
}
