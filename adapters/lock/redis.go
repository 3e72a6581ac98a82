package lock

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/go-redsync/redsync/v4"
	"github.com/go-redsync/redsync/v4/redis/goredis/v9"

	"github.com/artauction/artauction/application"
)

// Retry delays between tries for a taken Redis lock: short, so a freed lock
// is picked up soon, and jittered, so waiters do not knock in step.
const (
	minRetryDelay = 5 * time.Millisecond
	maxRetryDelay = 15 * time.Millisecond
	// unlockTimeout bounds the release, which runs even when the caller left.
	unlockTimeout = time.Second
)

// redisLock holds a redsync mutex around the whole transaction: it commits
// inside the lock. The lock only cuts contention; a lock that expires under a
// pause is caught by the conditional writes. Callers of one instance wait for
// a subject in a queue of their own (queues) and only its head asks Redis: a
// released lock goes to the next caller at once instead of to whichever
// poller wakes next, and Redis is not polled by every waiter.
type redisLock struct {
	guard  *guard
	sync   *redsync.Redsync
	queues *queues
	prefix string
	wait   time.Duration
	ttl    time.Duration
	tries  int
}

func newRedisLock(g *guard, deps Deps) *redisLock {
	return &redisLock{
		guard:  g,
		sync:   redsync.New(goredis.NewPool(deps.Redis)),
		queues: &queues{byKey: map[string]*queue{}},
		prefix: deps.KeyPrefix,
		wait:   deps.Wait,
		ttl:    deps.TTL,
		// Enough tries to fill the wait at the mean delay; the deadline on
		// the lock context cuts the last one short.
		tries: int(deps.Wait/((minRetryDelay+maxRetryDelay)/2)) + 1,
	}
}

func (l *redisLock) key(s subject) string {
	return l.prefix + "lock:" + s.kind.name + ":" + strconv.FormatInt(s.id, 10)
}

func (l *redisLock) attempt(ctx context.Context, s subject, fn func(ctx context.Context) error) error {
	mutex := l.sync.NewMutex(l.key(s),
		redsync.WithExpiry(l.ttl),
		redsync.WithTries(l.tries),
		redsync.WithRetryDelayFunc(func(int) time.Duration {
			return minRetryDelay + rand.N(maxRetryDelay-minRetryDelay)
		}),
		// Each try may take up to half the TTL (within the wait deadline):
		// redsync's default of 5% is too little for the short TTLs of tests.
		redsync.WithTimeoutFactor(0.5),
	)
	start := time.Now()
	lockCtx, cancel := context.WithTimeout(ctx, l.wait)
	leave, err := l.queues.join(lockCtx, mutex.Name())
	if err == nil {
		// Deferred first, so it runs last: the next caller asks Redis once the lock is released.
		defer leave()
		err = mutex.LockContext(lockCtx)
	}
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("%s: wait for redis lock: %w", s, ctx.Err())
		}
		// Taken past the wait, or Redis unreachable: fail closed, fn never runs.
		return fmt.Errorf("%s: redis lock not had within %s: %w: %w", s, l.wait, application.ErrLockUnavailable, err)
	}
	l.guard.metrics.observeWait(time.Since(start))

	// Deferred so that a panicking fn does not leave the lock to its TTL.
	defer l.release(ctx, mutex)
	return l.guard.boundedTx(ctx, s, fn)
}

// release unlocks once the transaction has ended, even if the caller left.
func (l *redisLock) release(ctx context.Context, mutex *redsync.Mutex) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), unlockTimeout)
	defer cancel()
	if ok, err := mutex.UnlockContext(ctx); !ok || err != nil {
		// The lock expired (or Redis went away) before the release: the
		// commit, if any, stands, guarded by its conditional writes.
		l.guard.metrics.unlockFailed()
	}
}

// queues line up the callers of one instance that wait for the same subject,
// in arrival order; the head of each queue is the one caller that asks Redis.
type queues struct {
	mu    sync.Mutex
	byKey map[string]*queue
}

// queue is one subject's line: a token that its head holds, and how many
// callers are in it, so that an empty line is forgotten.
type queue struct {
	head    chan struct{}
	callers int
}

// join waits, until ctx ends, to be the head of key's queue; leave lets the
// next caller in.
func (q *queues) join(ctx context.Context, key string) (leave func(), err error) {
	q.mu.Lock()
	line, ok := q.byKey[key]
	if !ok {
		line = &queue{head: make(chan struct{}, 1)}
		q.byKey[key] = line
	}
	line.callers++
	q.mu.Unlock()
	// Blocked senders on a channel are served in arrival order.
	select {
	case line.head <- struct{}{}:
		return func() {
			<-line.head
			q.forget(key, line)
		}, nil
	case <-ctx.Done():
		q.forget(key, line)
		return nil, fmt.Errorf("wait behind this instance's callers: %w", ctx.Err())
	}
}

func (q *queues) forget(key string, line *queue) {
	q.mu.Lock()
	defer q.mu.Unlock()
	line.callers--
	if line.callers == 0 {
		delete(q.byKey, key)
	}
}
