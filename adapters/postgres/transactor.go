package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
	tx, err := t.db.BeginTx(ctx, nil)
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
