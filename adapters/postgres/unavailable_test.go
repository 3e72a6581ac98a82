package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
)

func TestAnUnreachableDatabaseIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// Port 1 on localhost refuses at once.
	_, err := postgres.Open(ctx, "postgres://postgres@127.0.0.1:1/nowhere?sslmode=disable")

	assert.ErrorIs(t, err, application.ErrUnavailable)
}

func TestAConnectionEndedByTheServerIsUnavailable(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	var pid int
	require.NoError(t, tx.QueryRowContext(ctx, `SELECT pg_backend_pid()`).Scan(&pid))

	// What a restart does to every connection: 57P01, then the socket closes.
	var ended bool
	require.NoError(t, db.QueryRowContext(ctx, `SELECT pg_terminate_backend(?)`, pid).Scan(&ended))
	require.True(t, ended)
	_, err = tx.ExecContext(ctx, `SELECT 1`)

	assert.ErrorIs(t, err, application.ErrUnavailable)
	// The pool replaces the lost connection by itself.
	assert.NoError(t, postgres.Ping(ctx, db))
}

func TestQueryErrorsAreNotUnavailable(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()

	_, syntaxErr := db.ExecContext(ctx, `SELEC 1`)
	_, missingErr := db.ExecContext(ctx, `SELECT * FROM no_such_table`)
	_, violationErr := db.ExecContext(ctx, `INSERT INTO members (email) VALUES (NULL)`)
	// A protocol violation (class 08, but a client's bug): a parameter bun did not bind.
	_, protocolErr := db.DB.ExecContext(ctx, `SELECT $1::int`)

	for _, err := range []error{syntaxErr, missingErr, violationErr, protocolErr} {
		require.Error(t, err)
		assert.NotErrorIs(t, err, application.ErrUnavailable)
	}
}

func TestRowsStillEnd(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	var got []int
	require.NoError(t, db.NewRaw(`SELECT generate_series(1, 3)`).Scan(context.Background(), &got))
	assert.Equal(t, []int{1, 2, 3}, got)
}
