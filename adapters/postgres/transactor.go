package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
)

var _ application.Transactor = (*Transactor)(nil)

// Transactor runs a unit of work in one transaction that travels in the context.
type Transactor struct {
	db *bun.DB
}

// NewTransactor builds a Transactor over db.
func NewTransactor(db *bun.DB) *Transactor {
	return &Transactor{db: db}
}

// WithinTx commits when fn returns nil and rolls back when it fails or panics.
// Called inside another WithinTx it joins the outer transaction, which alone
// decides whether everything commits. What was deferred with afterCommit runs
// once the outermost transaction has committed.
func (t *Transactor) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		return fn(ctx)
	}
	return t.begin(ctx, ctx, fn)
}

// WithinTxBoundingLockWaits is WithinTx in which every lock wait gives up
// after wait with SQLSTATE 55P03 (lock_timeout) instead of hanging. A
// transaction it begins sets the bound in the round trip of its BEGIN (see
// BoundedBeginSQL); joined to a caller's transaction, it sets it with a
// statement of its own, for the rest of that transaction.
func (t *Transactor) WithinTxBoundingLockWaits(ctx context.Context, wait time.Duration, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		if _, err := prepared(ctx, t.db).Exec(ctx, setLockTimeoutSQL, lockTimeout(wait)); err != nil {
			return fmt.Errorf("bound the lock waits: %w", err)
		}
		return fn(ctx)
	}
	return t.begin(context.WithValue(ctx, beginSQLKey{}, BoundedBeginSQL(wait)), ctx, fn)
}

// setLockTimeoutSQL bounds the lock waits of the rest of the transaction.
const setLockTimeoutSQL = "SELECT set_config('lock_timeout', $1, true)"

// BoundedBeginSQL begins a transaction whose lock waits give up after wait,
// in one round trip: the two statements travel in one message. At least 1 ms,
// as 0 would mean no bound.
func BoundedBeginSQL(wait time.Duration) string {
	return "BEGIN; SET LOCAL lock_timeout = '" + lockTimeout(wait) + "'"
}

func lockTimeout(wait time.Duration) string {
	return fmt.Sprintf("%dms", max(wait.Milliseconds(), 1))
}

// beginSQLKey carries, to the connection that begins a transaction, a
// statement to begin it with instead of a plain BEGIN.
type beginSQLKey struct{}

// begin runs fn in a new transaction, begun with beginCtx (which may carry
// the statement to begin it with); fn gets ctx with the transaction.
func (t *Transactor) begin(beginCtx, ctx context.Context, fn func(ctx context.Context) error) error {
	tx, err := t.db.BeginTx(beginCtx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	returned := false
	defer func() {
		if !returned {
			// fn panicked or called runtime.Goexit; the panic matters more than a rollback error.
			_ = tx.Rollback()
		}
	}()
	hooks := &commitHooks{}
	err = fn(context.WithValue(context.WithValue(ctx, txKey{}, tx), commitHooksKey{}, hooks))
	returned = true
	if err != nil {
		// ErrTxDone: a canceled context already rolled the transaction back.
		if rbErr := tx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("roll back transaction: %w", rbErr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	for _, hook := range hooks.deferred {
		hook()
	}
	return nil
}

type commitHooksKey struct{}

// commitHooks are what a transaction runs after it commits; fn of WithinTx runs
// on one goroutine, so they need no lock.
type commitHooks struct {
	deferred []func()
}

// afterCommit defers hook until the transaction ctx carries has committed, and
// drops it if that transaction rolls back; false when ctx carries none.
func afterCommit(ctx context.Context, hook func()) bool {
	hooks, ok := ctx.Value(commitHooksKey{}).(*commitHooks)
	if ok {
		hooks.deferred = append(hooks.deferred, hook)
	}
	return ok
}
