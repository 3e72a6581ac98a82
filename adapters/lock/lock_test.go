package lock

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/application"
)

// sameID is both the auction's and its art's id, so that every test also
// shows the two kinds of subject apart.
const sameID = 7

// shortWait is the lock wait of the tests that go over it.
const shortWait = 200 * time.Millisecond

var strategies = []string{StrategyRow, StrategyNamed, StrategyRedis, StrategyOptimistic}

type env struct {
	strategy string
	db       *bun.DB
	rdb      *redis.Client
	prefix   string
	metrics  *Metrics
}

// newEnv gives a strategy a fresh database with one member, one art and one
// auction (both of id sameID), and Redis for the redis strategy.
func newEnv(t *testing.T, strategy string) *env {
	t.Helper()
	e := &env{strategy: strategy, db: pgtest.NewDB(t)}
	if strategy == StrategyRedis {
		e.rdb, e.prefix = redistest.New(t)
	}
	var err error
	e.metrics, err = NewMetrics(prometheus.NewRegistry(), strategy)
	require.NoError(t, err)

	ctx := t.Context()
	var memberID int64
	require.NoError(t, e.db.QueryRowContext(ctx, `INSERT INTO members (email, password_hash, nickname, name, created_at)
		VALUES ('owner@example.com', 'hash', 'owner', 'Owner', now()) RETURNING id`).Scan(&memberID))
	_, err = e.db.ExecContext(ctx, `INSERT INTO arts (id, owner_id, name, description, type, price, current_price,
			image_key, image_format, image_width, image_height, image_size, image_etag, created_at)
		VALUES (?, ?, 'Sunrise', 'oil', 'auction', 1000, 1000, 'k', 'png', 1, 1, 1, 'etag', now())`, sameID, memberID)
	require.NoError(t, err)
	_, err = e.db.ExecContext(ctx, `INSERT INTO auctions (id, art_id, start_at, end_at, start_price, bid_increment)
		VALUES (?, ?, now(), now() + interval '1 day', 1000, 100)`, sameID, sameID)
	require.NoError(t, err)
	return e
}

func (e *env) guard(t *testing.T, wait, ttl time.Duration) application.AuctionGuard {
	t.Helper()
	g, err := New(e.strategy, Deps{DB: e.db, Redis: e.rdb, KeyPrefix: e.prefix, Wait: wait, TTL: ttl, Metrics: e.metrics})
	require.NoError(t, err)
	return g
}

// hold takes s's lock the way another instance would, until release.
func (e *env) hold(t *testing.T, s subject) (release func()) {
	t.Helper()
	ctx := t.Context()
	switch e.strategy {
	case StrategyRow, StrategyNamed:
		tx, err := e.db.BeginTx(ctx, nil)
		require.NoError(t, err)
		query, args := rowLockStatement(s)
		if e.strategy == StrategyNamed {
			query, args = advisoryLockStatement(s)
		}
		_, err = tx.Tx.ExecContext(ctx, query, args...)
		require.NoError(t, err)
		return func() { _ = tx.Rollback() }
	case StrategyRedis:
		key := fmt.Sprintf("%slock:%s:%d", e.prefix, s.kind.name, s.id)
		require.NoError(t, e.rdb.Set(ctx, key, "another instance", time.Minute).Err())
		return func() { e.rdb.Del(context.WithoutCancel(ctx), key) }
	default:
		return func() {}
	}
}

func (e *env) bidCount(t *testing.T) int64 {
	t.Helper()
	var n int64
	require.NoError(t, e.db.QueryRowContext(t.Context(), "SELECT bid_count FROM auctions WHERE id = ?", sameID).Scan(&n))
	return n
}

// addBid is a guarded read-then-conditional-write, as the use cases do.
func addBid(ctx context.Context, db *bun.DB) error {
	tx := postgres.IDB(ctx, db)
	var n int64
	if err := tx.QueryRowContext(ctx, "SELECT bid_count FROM auctions WHERE id = ?", sameID).Scan(&n); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, "UPDATE auctions SET bid_count = ? WHERE id = ? AND bid_count = ?", n+1, sameID, n)
	if err != nil {
		return err
	}
	if changed, err := res.RowsAffected(); err != nil || changed == 0 {
		return errors.Join(application.ErrWriteConflict, err)
	}
	return nil
}

func TestGuardsSerializeOneAuction(t *testing.T) {
	t.Parallel()
	for _, strategy := range strategies {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, strategy)
			g := e.guard(t, 10*time.Second, 0)

			const callers = 20
			var inside, mostInside, runs, succeeded atomic.Int64
			var wg sync.WaitGroup
			errs := make(chan error, callers)
			for range callers {
				wg.Go(func() {
					err := g.WithAuction(t.Context(), sameID, func(ctx context.Context) error {
						runs.Add(1)
						now := inside.Add(1)
						defer inside.Add(-1)
						for {
							most := mostInside.Load()
							if now <= most || mostInside.CompareAndSwap(most, now) {
								break
							}
						}
						return addBid(ctx, e.db)
					})
					if err == nil {
						succeeded.Add(1)
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)

			for err := range errs {
				if strategy == StrategyOptimistic && errors.Is(err, application.ErrLockUnavailable) {
					continue
				}
				assert.NoError(t, err)
			}
			assert.Equal(t, succeeded.Load(), e.bidCount(t), "every success counted once, none lost")
			if strategy == StrategyOptimistic {
				assert.Positive(t, succeeded.Load())
				return
			}
			assert.EqualValues(t, callers, e.bidCount(t))
			assert.EqualValues(t, 1, mostInside.Load(), "one caller at a time")
			assert.EqualValues(t, callers, runs.Load(), "under a lock no write conflicts")
			assert.EqualValues(t, callers, histogramCount(t, e.metrics.lockWait, strategy))
		})
	}
}

func TestGuardsGiveUpAfterTheWait(t *testing.T) {
	t.Parallel()
	for _, strategy := range strategies {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, strategy)
			g := e.guard(t, shortWait, 0)
			release := e.hold(t, subject{kind: auctionKind, id: sameID})
			defer release()

			var runs atomic.Int64
			start := time.Now()
			err := g.WithAuction(t.Context(), sameID, func(ctx context.Context) error {
				runs.Add(1)
				if strategy == StrategyOptimistic {
					// Without a lock the bound is the retries: lose every time.
					return fmt.Errorf("save bid: %w", application.ErrWriteConflict)
				}
				return addBid(ctx, e.db)
			})
			elapsed := time.Since(start)

			require.ErrorIs(t, err, application.ErrLockUnavailable)
			assert.NotErrorIs(t, err, application.ErrWriteConflict, "the caller must not retry in its turn")
			assert.Equal(t, 1, counterValue(t, e.metrics.unavailable, strategy))
			assert.Zero(t, e.bidCount(t))
			if strategy == StrategyOptimistic {
				assert.EqualValues(t, DefaultOptimisticRetries+1, runs.Load())
				assert.Equal(t, DefaultOptimisticRetries, counterValue(t, e.metrics.retries, strategy))
				return
			}
			assert.Zero(t, runs.Load(), "fn never ran")
			assert.GreaterOrEqual(t, elapsed, shortWait*9/10)
			assert.Less(t, elapsed, shortWait+time.Second, "gave up within about the wait")
		})
	}
}

// A row held elsewhere that fn waits for, past the guard's own lock, gives
// ErrLockUnavailable after about the wait too: the bound covers every lock
// wait of the transaction, and it travels with the transaction's BEGIN.
func TestGuardsBoundEveryLockWaitOfTheirTransaction(t *testing.T) {
	t.Parallel()
	for _, strategy := range strategies {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, strategy)
			g := e.guard(t, shortWait, 0)
			// Another transaction holds the art's row, whatever the strategy.
			holder, err := e.db.BeginTx(t.Context(), nil)
			require.NoError(t, err)
			defer func() { _ = holder.Rollback() }()
			_, err = holder.ExecContext(t.Context(), "SELECT id FROM arts WHERE id = ? FOR UPDATE", sameID)
			require.NoError(t, err)
			var timeout string

			start := time.Now()
			err = g.WithAuction(t.Context(), sameID, func(ctx context.Context) error {
				tx := postgres.IDB(ctx, e.db)
				if err := tx.QueryRowContext(ctx, "SHOW lock_timeout").Scan(&timeout); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, "UPDATE arts SET bid_count = bid_count + 1 WHERE id = ?", sameID)
				return err
			})

			require.ErrorIs(t, err, application.ErrLockUnavailable)
			assert.Equal(t, fmt.Sprintf("%dms", shortWait.Milliseconds()), timeout)
			assert.Less(t, time.Since(start), shortWait+time.Second, "gave up within about the wait")
		})
	}
}

// Joined to a caller's transaction, the guard cannot bound its BEGIN: it sets
// the bound with a statement of its own.
func TestGuardsBoundTheWaitsOfACallersTransaction(t *testing.T) {
	t.Parallel()
	e := newEnv(t, StrategyRow)
	g := e.guard(t, shortWait, 0)
	var timeout string

	err := postgres.NewTransactor(e.db).WithinTx(t.Context(), func(ctx context.Context) error {
		return g.WithAuction(ctx, sameID, func(ctx context.Context) error {
			return postgres.IDB(ctx, e.db).QueryRowContext(ctx, "SHOW lock_timeout").Scan(&timeout)
		})
	})

	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%dms", shortWait.Milliseconds()), timeout)
}

func TestAuctionAndArtOfTheSameIDDoNotBlockEachOther(t *testing.T) {
	t.Parallel()
	for _, strategy := range strategies {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, strategy)
			g := e.guard(t, shortWait, 0)
			noop := func(context.Context) error { return nil }

			release := e.hold(t, subject{kind: auctionKind, id: sameID})
			require.NoError(t, g.WithArt(t.Context(), sameID, noop))
			release()

			release = e.hold(t, subject{kind: artKind, id: sameID})
			defer release()
			require.NoError(t, g.WithAuction(t.Context(), sameID, noop))
		})
	}
}

func TestAFailingFunctionLeavesNothingWritten(t *testing.T) {
	t.Parallel()
	for _, strategy := range strategies {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, strategy)
			g := e.guard(t, shortWait, 0)

			err := g.WithAuction(t.Context(), sameID, func(ctx context.Context) error {
				tx := postgres.IDB(ctx, e.db)
				if _, err := tx.ExecContext(ctx, "UPDATE auctions SET bid_count = bid_count + 1 WHERE id = ?", sameID); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, "UPDATE auctions SET bid_count = -1 WHERE id = ?", sameID)
				return err
			})
			var pgErr *pgconn.PgError
			require.ErrorAs(t, err, &pgErr, "the database's error comes back as is")
			assert.Equal(t, "auctions_bid_count_not_negative", pgErr.ConstraintName)
			assert.NotErrorIs(t, err, application.ErrLockUnavailable)
			assert.Zero(t, e.bidCount(t), "the first update was rolled back")

			errRejected := errors.New("bid rejected")
			err = g.WithAuction(t.Context(), sameID, func(ctx context.Context) error {
				if err := addBid(ctx, e.db); err != nil {
					return err
				}
				return errRejected
			})
			require.ErrorIs(t, err, errRejected)
			assert.Zero(t, e.bidCount(t))
			assert.Zero(t, counterValue(t, e.metrics.retries, strategy))
		})
	}
}

// lockRequests counts the lock acquisitions (SET NX) the client sends to Redis.
type lockRequests struct{ n atomic.Int64 }

func (c *lockRequests) DialHook(next redis.DialHook) redis.DialHook { return next }

func (c *lockRequests) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "set" {
			c.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (c *lockRequests) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// Callers of one instance queue in process for a subject: only the head asks
// Redis, and it gets the lock on its first request, since the caller before
// it released the lock before letting it in.
func TestRedisCallersOfOneInstanceQueueInsteadOfPolling(t *testing.T) {
	t.Parallel()
	e := newEnv(t, StrategyRedis)
	requests := &lockRequests{}
	e.rdb.AddHook(requests)
	g := e.guard(t, 10*time.Second, 0)
	const callers = 20

	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			assert.NoError(t, g.WithAuction(t.Context(), sameID, func(ctx context.Context) error {
				time.Sleep(2 * time.Millisecond) // long enough for the others to line up
				return addBid(ctx, e.db)
			}))
		})
	}
	wg.Wait()

	assert.EqualValues(t, callers, e.bidCount(t))
	assert.EqualValues(t, callers, requests.n.Load(), "one Redis request per caller: nobody polled")
}

// A caller that cannot get to the head of its queue within the wait gets
// ErrLockUnavailable, and leaves the queue.
func TestRedisQueueWaitIsBounded(t *testing.T) {
	t.Parallel()
	e := newEnv(t, StrategyRedis)
	g := e.guard(t, shortWait, 0)
	inside := make(chan struct{})
	done := make(chan struct{})
	go func() {
		_ = g.WithAuction(t.Context(), sameID, func(context.Context) error {
			close(inside)
			<-done
			return nil
		})
	}()
	<-inside

	err := g.WithAuction(t.Context(), sameID, func(context.Context) error { return nil })
	close(done)

	require.ErrorIs(t, err, application.ErrLockUnavailable)
	require.Eventually(t, func() bool {
		return g.WithAuction(t.Context(), sameID, func(context.Context) error { return nil }) == nil
	}, 5*time.Second, 10*time.Millisecond, "the line is free again")
}

func TestRedisDownFailsClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, StrategyOptimistic) // the database only
	e.strategy = StrategyRedis
	e.rdb = redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { _ = e.rdb.Close() })
	metrics, err := NewMetrics(prometheus.NewRegistry(), StrategyRedis)
	require.NoError(t, err)
	e.metrics = metrics
	g := e.guard(t, shortWait, 0)

	var runs atomic.Int64
	start := time.Now()
	err = g.WithAuction(t.Context(), sameID, func(ctx context.Context) error {
		runs.Add(1)
		return addBid(ctx, e.db)
	})

	require.ErrorIs(t, err, application.ErrLockUnavailable)
	assert.Less(t, time.Since(start), shortWait+time.Second)
	assert.Zero(t, runs.Load(), "fn never ran")
	assert.Zero(t, e.bidCount(t))
	assert.Equal(t, 1, counterValue(t, metrics.unavailable, StrategyRedis))
}

func TestRedisLockExpiredUnderTheTransactionIsCountedNotReturned(t *testing.T) {
	t.Parallel()
	e := newEnv(t, StrategyRedis)
	g := e.guard(t, shortWait, 50*time.Millisecond)

	err := g.WithAuction(t.Context(), sameID, func(ctx context.Context) error {
		time.Sleep(150 * time.Millisecond) // a pause longer than the lock's TTL
		return addBid(ctx, e.db)
	})

	require.NoError(t, err, "the transaction committed; its conditional write protected it")
	assert.EqualValues(t, 1, e.bidCount(t))
	assert.Equal(t, 1, counterValue(t, e.metrics.unlockFailures, StrategyRedis))
}

func TestAdvisoryKeysBeyondInt4(t *testing.T) {
	t.Parallel()
	e := newEnv(t, StrategyNamed)
	g := e.guard(t, shortWait, 0)
	const wide = int64(1) << 40
	noop := func(context.Context) error { return nil }

	release := e.hold(t, subject{kind: auctionKind, id: wide})
	defer release()
	require.NoError(t, g.WithArt(t.Context(), wide, noop), "an art never meets an auction")
	require.NoError(t, g.WithAuction(t.Context(), wide+1, noop))
	require.NoError(t, g.WithAuction(t.Context(), wide&(1<<31-1), noop), "nor an id inside int4")
	require.ErrorIs(t, g.WithAuction(t.Context(), wide, noop), application.ErrLockUnavailable)

	assert.NotEqual(t, wideAdvisoryKey(subject{kind: auctionKind, id: wide}), wideAdvisoryKey(subject{kind: artKind, id: wide}))
}

func TestAConflictInsideACallersTransactionGoesUpUnretried(t *testing.T) {
	t.Parallel()
	e := newEnv(t, StrategyOptimistic)
	g := e.guard(t, shortWait, 0)

	var runs atomic.Int64
	err := postgres.NewTransactor(e.db).WithinTx(t.Context(), func(ctx context.Context) error {
		return g.WithAuction(ctx, sameID, func(context.Context) error {
			runs.Add(1)
			return application.ErrWriteConflict
		})
	})

	require.ErrorIs(t, err, application.ErrWriteConflict, "the owner of the transaction decides")
	assert.EqualValues(t, 1, runs.Load())
}

func TestNewRejectsBadConfiguration(t *testing.T) {
	t.Parallel()
	db := &bun.DB{}
	_, err := New("mutex", Deps{DB: db})
	require.ErrorContains(t, err, "unknown strategy")
	_, err = New(StrategyRedis, Deps{DB: db})
	require.ErrorContains(t, err, "Redis client")
	_, err = New(StrategyRow, Deps{})
	require.ErrorContains(t, err, "no database")
	_, err = New(StrategyRow, Deps{DB: db, Wait: -time.Second})
	require.ErrorContains(t, err, "negative")
}

// counterValue reads a counter of events of strategy: a whole number.
func counterValue(t *testing.T, c *prometheus.CounterVec, strategy string) int {
	t.Helper()
	var m dto.Metric
	require.NoError(t, c.WithLabelValues(strategy).Write(&m))
	return int(m.GetCounter().GetValue())
}

func histogramCount(t *testing.T, h *prometheus.HistogramVec, strategy string) uint64 {
	t.Helper()
	metric, ok := h.WithLabelValues(strategy).(prometheus.Metric)
	require.True(t, ok)
	var m dto.Metric
	require.NoError(t, metric.Write(&m))
	return m.GetHistogram().GetSampleCount()
}
