package lock

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/application"
)

// SQLSTATEs of a lock wait cut short: lock_timeout, and statement_timeout.
const (
	lockNotAvailable = "55P03"
	queryCanceled    = "57014"
)

// pgLock takes a Postgres lock as the first statement of the guarded
// transaction; the lock goes with the transaction's end, so it can never
// outlive the work nor be left on a pooled connection.
type pgLock struct {
	guard     *guard
	statement func(s subject) (query string, args []any)
}

func (l *pgLock) attempt(ctx context.Context, s subject, fn func(ctx context.Context) error) error {
	return l.guard.boundedTx(ctx, s, func(ctx context.Context) error {
		start := time.Now()
		query, args := l.statement(s)
		if _, err := postgres.PreparedIn(ctx, l.guard.db).Exec(ctx, query, args...); err != nil {
			return l.lockFailed(ctx, s, err)
		}
		l.guard.metrics.observeWait(time.Since(start))
		return fn(ctx)
	})
}

// boundedTx runs fn in one transaction whose every lock wait (the guard's own,
// and fn's on auction and member rows) is bounded by the wait: whatever the
// strategy, a row held elsewhere gives ErrLockUnavailable rather than a hang.
// The bound costs no round trip of its own: it travels with the BEGIN.
func (g *guard) boundedTx(ctx context.Context, s subject, fn func(ctx context.Context) error) error {
	err := g.tx.WithinTxBoundingLockWaits(ctx, g.wait, fn)
	if err != nil && ctx.Err() == nil && !errors.Is(err, application.ErrLockUnavailable) && hasCode(err, lockNotAvailable) {
		return fmt.Errorf("%s: a lock wait inside the transaction went over %s: %w: %w", s, g.wait, application.ErrLockUnavailable, err)
	}
	return err
}

func (l *pgLock) lockFailed(ctx context.Context, s subject, err error) error {
	if ctx.Err() == nil && (hasCode(err, lockNotAvailable) || hasCode(err, queryCanceled)) {
		return fmt.Errorf("%s: lock not had within %s: %w: %w", s, l.guard.wait, application.ErrLockUnavailable, err)
	}
	return fmt.Errorf("%s: take lock: %w", s, err)
}

func hasCode(err error, code string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == code
}

// rowLockStatement locks the subject's row. NO KEY UPDATE is enough to
// serialize guards and, unlike FOR UPDATE, does not block inserts of rows
// that reference it (bids, purchases). A missing row locks nothing; fn then
// reports the subject unknown.
func rowLockStatement(s subject) (string, []any) {
	return s.kind.rowLock, []any{s.id}
}

// AuctionRowLock is the row strategy's lock of an auction, for the
// benchmark's raw limit, which runs the statements the service sends.
func AuctionRowLock(auctionID int64) (query string, args []any) {
	return rowLockStatement(subject{kind: auctionKind, id: auctionID})
}

// advisoryLockStatement takes a transaction-scoped advisory lock in the
// two-int4 key space, (class, id), so auction and art ids never meet. Ids
// outside int4 use the single-bigint key space, which Postgres keeps apart
// from the two-int4 one: see wideAdvisoryKey.
func advisoryLockStatement(s subject) (string, []any) {
	if s.id >= math.MinInt32 && s.id <= math.MaxInt32 {
		return "SELECT pg_advisory_xact_lock($1::int4, $2::int4)", []any{s.kind.class, int32(s.id)}
	}
	return "SELECT pg_advisory_xact_lock($1::bigint)", []any{wideAdvisoryKey(s)}
}

// wideAdvisoryKey puts the class in the top two bits of the key and the id's
// low 62 bits below it. Ids that differ only above bit 61 (beyond 4.6e18)
// share a lock: that costs a wait, never correctness, which rests on the
// conditional writes.
func wideAdvisoryKey(s subject) int64 {
	const idBits = 62
	return int64(uint64(s.kind.class)<<idBits | uint64(s.id)&(1<<idBits-1))
}
