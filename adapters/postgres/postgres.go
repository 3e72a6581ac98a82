// Package postgres stores the service's data in PostgreSQL through bun, over
// pgx's database/sql driver. Schema changes are embedded SQL migrations.
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

const defaultMaxOpenConns = 20

// defaultConnectTimeout bounds a connection attempt when the URL sets no
// connect_timeout: a database that does not answer gives a quick 503, not a hang.
const defaultConnectTimeout = 3 * time.Second

type poolSettings struct {
	maxOpenConns int
}

// Option tunes the connection pool that Open creates.
type Option func(*poolSettings)

// WithMaxOpenConns caps the connections the pool opens; a transaction waiting
// on a lock holds one, so this bounds how many can wait at once.
func WithMaxOpenConns(n int) Option {
	return func(s *poolSettings) { s.maxOpenConns = n }
}

// Open connects to the database at dsn (postgres://user:password@host:port/db)
// and checks that it answers.
func Open(ctx context.Context, dsn string, opts ...Option) (*bun.DB, error) {
	settings := poolSettings{maxOpenConns: defaultMaxOpenConns}
	for _, opt := range opts {
		opt(&settings)
	}
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx leaves the password out of this message.
		return nil, fmt.Errorf("parse database url: %w", err)
	}
	// bun writes every value into the query text, so no two texts repeat:
	// pgx's default of preparing and caching each statement would cost a
	// Parse round trip per query (and a DEALLOCATE per eviction) for no
	// reuse. Exec sends the text and its result description in one trip.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = defaultConnectTimeout
	}
	sqldb := sql.OpenDB(unavailableConnector{stdlib.GetConnector(*cfg)})
	sqldb.SetMaxOpenConns(settings.maxOpenConns)
	// As many idle as open: closing and reopening connections under load costs more than keeping them.
	sqldb.SetMaxIdleConns(settings.maxOpenConns)
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	sqldb.SetConnMaxLifetime(time.Hour)

	db := bun.NewDB(sqldb, pgdialect.New())
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("ping postgres at %s:%d/%s: %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	return db, nil
}

// Ping tells whether the database answers, for the readiness check.
func Ping(ctx context.Context, db *bun.DB) error {
	if err := db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping postgres: %w", err)
	}
	return nil
}

type txKey struct{}

// idb is where a store runs its queries: the transaction the context carries,
// or else the pool.
func idb(ctx context.Context, db *bun.DB) bun.IDB {
	if tx, ok := ctx.Value(txKey{}).(bun.Tx); ok {
		return tx
	}
	return db
}

// rowsAffected is how many rows a write changed.
func rowsAffected(res sql.Result) (int64, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("rows affected: %w", err)
	}
	return n, nil
}
