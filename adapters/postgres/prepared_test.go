package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
)

func TestPreparedStatementsArePreparedOncePerConnectionWithParameters(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	const statement = "SELECT $1::bigint + $2::bigint"

	err := postgres.NewTransactor(db).WithinTx(ctx, func(ctx context.Context) error {
		run := postgres.PreparedIn(ctx, db)
		for i := range int64(3) {
			var sum int64
			require.NoError(t, run.QueryRow(ctx, statement, i, 40).Scan(&sum))
			assert.Equal(t, i+40, sum)
		}
		// The transaction holds one connection: its session lists the statement once.
		var prepared int
		require.NoError(t, run.QueryRow(ctx,
			"SELECT count(*) FROM pg_prepared_statements WHERE statement = $1", statement).Scan(&prepared))
		assert.Equal(t, 1, prepared)
		return nil
	})
	require.NoError(t, err)
}
