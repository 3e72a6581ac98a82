package redis

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
)

// LiveFeedSettings tune one instance's live feeds.
type LiveFeedSettings struct {
	// ClientBuffer is how many events a watcher may fall behind before it is dropped.
	ClientBuffer int
	// PingEvery is how long a quiet subscription waits before checking its connection.
	PingEvery time.Duration
	// MaxBackoff bounds the wait between attempts to resubscribe.
	MaxBackoff time.Duration
}

// role is how a room takes an event of its subject's sequence.
type role int

const (
	// step is the next event of the sequence: it moves the position on by one.
	step role = iota
	// stepReadBack is a step that lacks what watchers need; the room reads it
	// back from the history.
	stepReadBack
	// mark belongs after its position without moving it (an extension): it is
	// delivered when the room stands exactly there.
	mark
	// final ends the sequence (a close): the room catches up to it, delivers it
	// and takes nothing more.
	final
)

// sequence tells a feed how the events of its stream follow each other: each
// belongs to a subject (an auction, a member) whose events are numbered in the
// order they commit, so a room can tell a gap from a repeat.
type sequence[E any] interface {
	// decode reads an event as it travels through Redis.
	decode(payload string) (subject int64, e E, err error)
	// place says where e stands in its subject's sequence and how it is taken.
	place(e E) (position int64, r role)
	// position reads where a subject's sequence stands now.
	position(ctx context.Context, subject int64) (int64, error)
	// missed reads a subject's events after position after up to upto, in
	// order, from the history; cause is the event that showed the gap.
	missed(ctx context.Context, subject, after, upto int64, cause E) ([]E, error)
}

// feed subscribes once per instance to one channel and fans each event out in
// memory to the watchers of its subject. Per subject, a room puts events in
// their order: publishers on several instances race after their commits, so
// an event can arrive before the one it followed; the room then reads the
// missing ones from the history, once for all its watchers.
type feed[E any] struct {
	client   *redis.Client
	channel  string
	order    sequence[E]
	stream   application.LiveStream
	metrics  application.LiveMetrics
	settings LiveFeedSettings
	log      *zap.Logger

	mu    sync.Mutex
	up    bool
	rooms map[int64]*room[E]

	subscribed chan struct{}
	cancel     context.CancelFunc
	stopped    chan struct{}
}

func newFeed[E any](client *redis.Client, channel string, order sequence[E], stream application.LiveStream,
	metrics application.LiveMetrics, settings LiveFeedSettings, log *zap.Logger) (*feed[E], error) {
	if settings.ClientBuffer < 1 || settings.PingEvery <= 0 || settings.MaxBackoff <= 0 {
		return nil, fmt.Errorf("live feed: buffer, ping interval and backoff must be positive, got %+v", settings)
	}
	return &feed[E]{
		client: client, channel: channel, order: order, stream: stream, metrics: metrics, settings: settings,
		log: log.With(zap.String("stream", string(stream))), rooms: map[int64]*room[E]{},
		subscribed: make(chan struct{}), stopped: make(chan struct{}),
	}, nil
}

// Start subscribes in the background and waits, within ctx, for the first
// subscription; a Redis that is down does not stop the service from starting:
// trades work without it, and the feed keeps trying.
func (f *feed[E]) Start(ctx context.Context) error {
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
func (f *feed[E]) Stop(ctx context.Context) error {
	f.cancel()
	select {
	case <-f.stopped:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop live feed: %w", ctx.Err())
	}
}

// join registers a watcher of subject, once its room knows where the
// subject stands; the history's error (an unknown auction) when it cannot.
func (f *feed[E]) join(ctx context.Context, subject int64) (*subscription[E], error) {
	f.mu.Lock()
	if !f.up {
		f.mu.Unlock()
		return nil, application.ErrLiveFeedUnavailable
	}
	r := f.rooms[subject]
	if r == nil {
		r = newRoom(f, subject)
		f.rooms[subject] = r
		// The room outlives the watcher that opened it: it runs until retired.
		go r.run(context.WithoutCancel(ctx))
	}
	s := &subscription[E]{room: r, events: make(chan E, f.settings.ClientBuffer)}
	r.add(s)
	f.mu.Unlock()

	select {
	case <-r.ready:
	case <-ctx.Done():
		s.Leave()
		return nil, fmt.Errorf("join live feed of %s %d: %w", f.stream, subject, ctx.Err())
	}
	if r.initErr != nil {
		s.Leave()
		return nil, fmt.Errorf("join live feed of %s %d: %w", f.stream, subject, r.initErr)
	}
	return s, nil
}

// run keeps one subscription alive: after a failure every watcher is told to
// reconnect, and the feed resubscribes with a growing pause.
func (f *feed[E]) run(ctx context.Context) {
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
		f.log.Warn("live event subscription lost; resubscribing", zap.Error(err), zap.Duration("in", backoff))
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
func (f *feed[E]) receive(ctx context.Context, onSubscribed func()) (wasUp bool, err error) {
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
			return wasUp, fmt.Errorf("receive live events: %w", err)
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

func (f *feed[E]) setUp() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.up = true
}

// interrupt drops every watcher: events may be lost while the subscription is
// down, so each must reconnect and catch up from the history.
func (f *feed[E]) interrupt() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.up = false
	for id, r := range f.rooms {
		r.dropAll(application.ErrLiveFeedUnavailable)
		r.shutDown()
		delete(f.rooms, id)
	}
}

func (f *feed[E]) dispatch(payload string) {
	subject, e, err := f.order.decode(payload)
	if err != nil {
		f.log.Warn("skip malformed live event", zap.Error(err))
		return
	}
	f.mu.Lock()
	r := f.rooms[subject]
	f.mu.Unlock()
	if r != nil {
		r.enqueue(e)
	}
}

// retire drops a room's watchers and forgets the room, so the next watcher
// starts a fresh one.
func (f *feed[E]) retire(r *room[E]) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r.dropAll(application.ErrLiveFeedUnavailable)
	r.shutDown()
	if f.rooms[r.subject] == r {
		delete(f.rooms, r.subject)
	}
}

// leave unregisters a watcher and retires its room with the last one.
func (f *feed[E]) leave(s *subscription[E]) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := s.room
	if r.remove(s) == 0 && f.rooms[r.subject] == r {
		r.shutDown()
		delete(f.rooms, r.subject)
	}
}

// room is one subject's watchers on this instance. Its goroutine owns cursor,
// the position of the last event every watcher was handed.
type room[E any] struct {
	feed    *feed[E]
	subject int64

	ready   chan struct{}
	initErr error
	cursor  int64
	closed  bool

	mu       sync.Mutex
	watchers map[*subscription[E]]struct{}
	queue    []E
	wake     chan struct{}
	stop     chan struct{}
	stopping bool
}

func newRoom[E any](f *feed[E], subject int64) *room[E] {
	return &room[E]{feed: f, subject: subject, ready: make(chan struct{}), watchers: map[*subscription[E]]struct{}{},
		wake: make(chan struct{}, 1), stop: make(chan struct{})}
}

func (r *room[E]) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		<-r.stop
		cancel()
	}()
	// Events queued before this read are sorted out by their positions.
	r.cursor, r.initErr = r.feed.order.position(ctx, r.subject)
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
				r.feed.log.Warn("live feed lost track of a subject; its watchers reconnect",
					zap.Int64("subject", r.subject), zap.Error(err))
				r.feed.retire(r)
				return
			}
		}
	}
}

func (r *room[E]) enqueue(e E) {
	r.mu.Lock()
	r.queue = append(r.queue, e)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

func (r *room[E]) take() []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	q := r.queue
	r.queue = nil
	return q
}

// handle hands every watcher the events up to e's position, in order and once
// each, then e itself when it is still news.
func (r *room[E]) handle(ctx context.Context, e E) error {
	if r.closed {
		return nil
	}
	position, how := r.feed.order.place(e)
	switch how {
	case step, stepReadBack:
		if position <= r.cursor {
			return nil
		}
		if position == r.cursor+1 && how == step {
			r.broadcast(e)
			r.cursor = position
			return nil
		}
		return r.catchUp(ctx, e, position)
	case mark:
		if err := r.catchUp(ctx, e, position); err != nil {
			return err
		}
		if position == r.cursor {
			r.broadcast(e)
		}
	case final:
		if err := r.catchUp(ctx, e, position); err != nil {
			return err
		}
		r.broadcast(e)
		r.closed = true
	}
	return nil
}

// catchUp reads the events between the cursor and upto from the history.
func (r *room[E]) catchUp(ctx context.Context, cause E, upto int64) error {
	if upto <= r.cursor {
		return nil
	}
	missed, err := r.feed.order.missed(ctx, r.subject, r.cursor, upto, cause)
	if err != nil {
		return fmt.Errorf("read events after %d: %w", r.cursor, err)
	}
	if int64(len(missed)) != upto-r.cursor {
		return fmt.Errorf("history has %d events after %d, the event says %d", len(missed), r.cursor, upto)
	}
	for _, e := range missed {
		r.cursor++
		r.broadcast(e)
	}
	return nil
}

// broadcast never waits: a watcher whose buffer is full is dropped instead.
func (r *room[E]) broadcast(e E) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.watchers {
		select {
		case s.events <- e:
		default:
			delete(r.watchers, s)
			s.drop(application.ErrWatcherTooSlow)
			r.feed.metrics.WatcherDropped(r.feed.stream)
		}
	}
}

func (r *room[E]) add(s *subscription[E]) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.watchers[s] = struct{}{}
}

// remove returns how many watchers are left.
func (r *room[E]) remove(s *subscription[E]) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.watchers, s)
	return len(r.watchers)
}

func (r *room[E]) dropAll(reason error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.watchers {
		delete(r.watchers, s)
		s.drop(reason)
	}
}

// shutDown is called with the feed's lock held, which makes it run once.
func (r *room[E]) shutDown() {
	if !r.stopping {
		r.stopping = true
		close(r.stop)
	}
}

// subscription is one watcher's buffered place in a room.
type subscription[E any] struct {
	room   *room[E]
	events chan E
	// err is written before events is closed, under the room's lock.
	err     error
	dropped bool
	left    sync.Once
}

func (s *subscription[E]) Events() <-chan E { return s.events }

// Err is valid once Events is closed.
func (s *subscription[E]) Err() error { return s.err }

func (s *subscription[E]) Leave() { s.left.Do(func() { s.room.feed.leave(s) }) }

// drop is called with the room's lock held.
func (s *subscription[E]) drop(reason error) {
	if !s.dropped {
		s.dropped = true
		s.err = reason
		close(s.events)
	}
}
