package pgtest_test

import (
	"context"
	"fmt"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres/pgtest"
)

func TestNewDatabaseGivesEachTestAMigratedDatabaseOfItsOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	first := pgtest.NewDB(t)
	second := pgtest.NewDB(t)

	_, err := first.ExecContext(ctx, `INSERT INTO members (email, password_hash, nickname, name, created_at)
		VALUES ('alice@example.com', 'hash', 'alice', 'Alice', now())`)
	require.NoError(t, err, "the schema is there")

	n, err := second.NewSelect().TableExpr("members").Count(ctx)
	require.NoError(t, err)
	assert.Zero(t, n, "the other database does not see the row")
}

func TestNewDatabaseIsDroppedWhenTheTestEnds(t *testing.T) {
	t.Parallel()
	var name string
	t.Run("user", func(t *testing.T) {
		u, err := url.Parse(pgtest.NewDatabase(t))
		require.NoError(t, err)
		name = strings.TrimPrefix(u.Path, "/")
	})

	admin := pgtest.NewDB(t)
	exists, err := admin.NewSelect().TableExpr("pg_database").Where("datname = ?", name).Exists(context.Background())
	require.NoError(t, err)
	assert.False(t, exists, "database %s is gone", name)
}

func TestNewDatabaseFailsClearlyWhenPostgresIsDown(t *testing.T) {
	t.Setenv("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	tb := &fatalRecorder{TB: t}

	done := make(chan struct{})
	go func() {
		defer close(done)
		pgtest.NewDatabase(tb)
	}()
	<-done

	assert.Contains(t, tb.fatal, "unreachable")
	assert.Contains(t, tb.fatal, "scripts/ensure-services.sh")
}

// fatalRecorder records the message of Fatalf and stops the goroutine, as a
// failing test would, without failing the test that runs it.
type fatalRecorder struct {
	testing.TB
	fatal string
}

func (r *fatalRecorder) Helper() {}

func (r *fatalRecorder) Fatalf(format string, args ...any) {
	r.fatal = fmt.Sprintf(format, args...)
	runtime.Goexit()
}
