// Package lock implements application.AuctionGuard four ways
// (docs/architecture.md, docs/rules.md): a row lock, a transaction-scoped
// advisory lock, a Redis mutex, or no lock at all. Each runs the guarded
// function in one database transaction that travels in the context the way
// postgres.Transactor puts it there, so the stores join it, and re-runs it a
// bounded number of times when a conditional write reports
// application.ErrWriteConflict.
package lock

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/application"
)

// Strategies, the values of AUCTION_LOCK_STRATEGY.
const (
	StrategyRow        = "row"
	StrategyNamed      = "named"
	StrategyRedis      = "redis"
	StrategyOptimistic = "optimistic"
)

// Strategies lists the strategies New knows, in the order the docs present them.
func Strategies() []string {
	return []string{StrategyRow, StrategyNamed, StrategyRedis, StrategyOptimistic}
}

// CheckStrategy reports whether New knows strategy, naming the ones it does when not.
func CheckStrategy(strategy string) error {
	if !slices.Contains(Strategies(), strategy) {
		return fmt.Errorf("unknown strategy %q, want one of %s", strategy, strings.Join(Strategies(), ", "))
	}
	return nil
}

// Defaults for the zero values of Deps.
const (
	DefaultWait              = 3 * time.Second
	DefaultTTL               = 10 * time.Second
	DefaultOptimisticRetries = 8
	// DefaultLockedRetries is for the locking strategies, where a conflict only
	// happens when a Redis lock expired or someone wrote around the guard.
	DefaultLockedRetries = 3
)

// Deps is what the strategies need; each uses the part it needs.
type Deps struct {
	// DB runs the guarded transaction (all strategies) and the row and
	// advisory locks.
	DB *bun.DB
	// Redis and KeyPrefix serve the redis strategy; keys are
	// <KeyPrefix>lock:auction:<id> and <KeyPrefix>lock:art:<id>.
	Redis     *redis.Client
	KeyPrefix string
	// Wait bounds how long a caller waits for a lock (AUCTION_LOCK_WAIT);
	// DefaultWait when zero.
	Wait time.Duration
	// TTL is how long a Redis lock lives unless released (AUCTION_LOCK_TTL);
	// DefaultTTL when zero.
	TTL time.Duration
	// MaxRetries is how many times a transaction that lost a conditional write
	// runs again before the caller gets ErrLockUnavailable; when zero,
	// DefaultOptimisticRetries for optimistic and DefaultLockedRetries for the others.
	MaxRetries int
	// Metrics may be nil.
	Metrics *Metrics
}

// New builds the guard of strategy.
func New(strategy string, deps Deps) (application.AuctionGuard, error) {
	if deps.DB == nil {
		return nil, errors.New("lock guard: no database")
	}
	if deps.Wait < 0 || deps.TTL < 0 || deps.MaxRetries < 0 {
		return nil, fmt.Errorf("lock guard: negative wait %s, ttl %s or retries %d", deps.Wait, deps.TTL, deps.MaxRetries)
	}
	if deps.Wait == 0 {
		deps.Wait = DefaultWait
	}
	if deps.TTL == 0 {
		deps.TTL = DefaultTTL
	}
	if deps.MaxRetries == 0 {
		deps.MaxRetries = DefaultLockedRetries
		if strategy == StrategyOptimistic {
			deps.MaxRetries = DefaultOptimisticRetries
		}
	}
	g := &guard{db: deps.DB, tx: postgres.NewTransactor(deps.DB), wait: deps.Wait, retries: deps.MaxRetries, metrics: deps.Metrics}
	switch strategy {
	case StrategyRow:
		g.attempt = (&pgLock{guard: g, statement: rowLockStatement}).attempt
	case StrategyNamed:
		g.attempt = (&pgLock{guard: g, statement: advisoryLockStatement}).attempt
	case StrategyRedis:
		if deps.Redis == nil {
			return nil, errors.New("lock guard: the redis strategy needs a Redis client")
		}
		g.attempt = newRedisLock(g, deps).attempt
	case StrategyOptimistic:
		g.attempt = g.boundedTx
	default:
		return nil, fmt.Errorf("lock guard: %w", CheckStrategy(strategy))
	}
	return g, nil
}

// subject is what a guard serializes: one auction or one art.
type subject struct {
	kind subjectKind
	id   int64
}

type subjectKind struct {
	name string
	// rowLock locks the subject's row, $1 its id.
	rowLock string
	// class keeps auction and art advisory locks apart.
	class int32
}

var (
	auctionKind = subjectKind{name: "auction", rowLock: "SELECT 1 FROM auctions WHERE id = $1 FOR NO KEY UPDATE", class: 1}
	artKind     = subjectKind{name: "art", rowLock: "SELECT 1 FROM arts WHERE id = $1 FOR NO KEY UPDATE", class: 2}
)

func (s subject) String() string { return fmt.Sprintf("%s %d", s.kind.name, s.id) }

// attemptFunc runs fn once, in one transaction, holding the subject's lock.
type attemptFunc func(ctx context.Context, s subject, fn func(ctx context.Context) error) error

type guard struct {
	db      *bun.DB
	tx      *postgres.Transactor
	wait    time.Duration
	attempt attemptFunc
	retries int
	metrics *Metrics
}

func (g *guard) WithAuction(ctx context.Context, auctionID int64, fn func(ctx context.Context) error) error {
	return g.run(ctx, subject{kind: auctionKind, id: auctionID}, fn)
}

func (g *guard) WithArt(ctx context.Context, artID int64, fn func(ctx context.Context) error) error {
	return g.run(ctx, subject{kind: artKind, id: artID}, fn)
}

func (g *guard) run(ctx context.Context, s subject, fn func(ctx context.Context) error) error {
	// Joined to a caller's transaction, a retry would keep the lost attempt's
	// writes: the conflict goes up to whoever owns the transaction.
	_, inTx := postgres.IDB(ctx, g.db).(bun.Tx)
	for attempt := 0; ; attempt++ {
		err := g.attempt(ctx, s, fn)
		switch {
		case err == nil:
			return nil
		case errors.Is(err, application.ErrLockUnavailable):
			g.metrics.gaveUp()
			return err
		case !errors.Is(err, application.ErrWriteConflict) || inTx:
			return err
		case attempt >= g.retries:
			g.metrics.gaveUp()
			return fmt.Errorf("%s: still losing conditional writes after %d retries: %w", s, g.retries, application.ErrLockUnavailable)
		}
		g.metrics.retried()
		if err := application.PauseBeforeRetry(ctx, attempt); err != nil {
			return fmt.Errorf("%s: retry after a write conflict: %w", s, err)
		}
	}
}
