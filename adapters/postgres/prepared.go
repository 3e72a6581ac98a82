package postgres

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"
)

// sqlRunner is what *sql.DB and *sql.Tx share: statements that bypass bun's
// formatting, so their arguments reach pgx as parameters.
type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Prepared runs hot-path statements written with $n parameters. The pool runs
// bun's queries in exec mode, as bun writes every value into the text and no
// two texts repeat; these texts repeat, so pgx prepares each once per
// connection, caches it, and later calls send only Bind and Execute: no parse,
// and Postgres may keep a generic plan.
type Prepared struct {
	runner sqlRunner
}

// prepared runs on the transaction ctx carries, or else on the pool.
func prepared(ctx context.Context, db *bun.DB) Prepared {
	if tx, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		return Prepared{runner: tx.Tx}
	}
	return Prepared{runner: db.DB}
}

// PreparedIn is prepared for adapters outside this package (the lock guards).
func PreparedIn(ctx context.Context, db *bun.DB) Prepared {
	return prepared(ctx, db)
}

// withCacheMode puts pgx's per-call mode before the arguments; pgx's
// database/sql driver passes it through and takes the rest as parameters.
func withCacheMode(args []any) []any {
	return append([]any{pgx.QueryExecModeCacheStatement}, args...)
}

// Exec runs a statement that returns no rows.
func (p Prepared) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.runner.ExecContext(ctx, query, withCacheMode(args)...)
}

// Query runs a statement that returns rows.
func (p Prepared) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.runner.QueryContext(ctx, query, withCacheMode(args)...)
}

// QueryRow runs a statement that returns at most one row.
func (p Prepared) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return p.runner.QueryRowContext(ctx, query, withCacheMode(args)...)
}
