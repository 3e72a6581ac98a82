package main

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres/pgtest"
)

// newTestDatabase is a fresh migrated database, its URL and a connection to
// it that the test closes.
func newTestDatabase(ctx context.Context, t *testing.T) (string, *pgx.Conn) {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	conn, err := pgx.Connect(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(ctx) })
	return dsn, conn
}
