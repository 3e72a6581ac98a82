package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/domain/member"
)

func TestOpenFailsWithAnUnreachableServer(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	_, err := postgres.Open(ctx, "postgres://postgres:secret-pw@127.0.0.1:1/nowhere?sslmode=disable&connect_timeout=2")

	require.Error(t, err)
	assert.Contains(t, err.Error(), "ping postgres at 127.0.0.1:1/nowhere")
	assert.NotContains(t, err.Error(), "secret-pw")
}

func TestOpenRejectsAMalformedURL(t *testing.T) {
	t.Parallel()
	_, err := postgres.Open(context.Background(), "postgres://postgres:secret-pw@127.0.0.1:notaport/db")

	require.Error(t, err)
	assert.NotContains(t, err.Error(), "secret-pw")
}

func TestPing(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)

	assert.NoError(t, postgres.Ping(context.Background(), db))
	require.NoError(t, db.Close())
	assert.Error(t, postgres.Ping(context.Background(), db))
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()

	require.NoError(t, postgres.Migrate(ctx, db), "the template is already migrated")
	require.NoError(t, postgres.Migrate(ctx, db))

	var applied int
	require.NoError(t, db.NewSelect().TableExpr("bun_migrations").ColumnExpr("count(*)").Scan(ctx, &applied))
	assert.Equal(t, migrationFiles(t), applied)
}

func TestMigrateRefusesAPoolOfOneConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewDatabase(t), postgres.WithMaxOpenConns(1))
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })

	err = postgres.Migrate(ctx, db)

	assert.ErrorContains(t, err, "allow two")
}

func TestMigrateFromSeveralProcessesAtOnce(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn)
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	// An empty database, as on the first start.
	_, err = db.ExecContext(ctx, "DROP SCHEMA public CASCADE; CREATE SCHEMA public")
	require.NoError(t, err)

	const starters = 4
	errs := make([]error, starters)
	var wg sync.WaitGroup
	for i := range starters {
		wg.Go(func() {
			pool, err := postgres.Open(ctx, dsn)
			if err != nil {
				errs[i] = err
				return
			}
			defer func() { _ = pool.Close() }()
			errs[i] = postgres.Migrate(ctx, pool)
		})
	}
	wg.Wait()

	for _, err := range errs {
		assert.NoError(t, err)
	}
	var applied int
	require.NoError(t, db.NewSelect().TableExpr("bun_migrations").ColumnExpr("count(*)").Scan(ctx, &applied))
	assert.Equal(t, migrationFiles(t), applied)
	_, err = postgres.NewMemberStore(db).Create(ctx, newMember(t, "alice@example.com", "alice"))
	assert.NoError(t, err, "the schema is in place")
}

func TestMigrationsChecksumIsStable(t *testing.T) {
	t.Parallel()
	first, err := postgres.MigrationsChecksum()
	require.NoError(t, err)
	second, err := postgres.MigrationsChecksum()
	require.NoError(t, err)

	assert.Len(t, first, 64)
	assert.Equal(t, first, second)
}

func TestTransactorCommits(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	tx := postgres.NewTransactor(db)
	members := postgres.NewMemberStore(db)
	ctx := context.Background()

	var id int64
	err := tx.WithinTx(ctx, func(ctx context.Context) error {
		var err error
		id, err = members.Create(ctx, newMember(t, "alice@example.com", "alice"))
		return err
	})

	require.NoError(t, err)
	_, err = members.ByID(ctx, id)
	assert.NoError(t, err)
}

func TestTransactorRollsBackOnError(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	tx := postgres.NewTransactor(db)
	members := postgres.NewMemberStore(db)
	errBoom := errors.New("boom")

	err := tx.WithinTx(context.Background(), func(ctx context.Context) error {
		if _, err := members.Create(ctx, newMember(t, "alice@example.com", "alice")); err != nil {
			return err
		}
		return errBoom
	})

	assert.ErrorIs(t, err, errBoom)
	assert.Zero(t, countRows(t, db, "members", "TRUE"))
}

func TestTransactorKeepsDomainErrorsOfTheFunction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	tx := postgres.NewTransactor(db)
	members := postgres.NewMemberStore(db)

	err := tx.WithinTx(context.Background(), func(ctx context.Context) error {
		_, err := members.ByID(ctx, 12345)
		return err
	})

	assert.ErrorIs(t, err, member.ErrNotFound)
}

func TestTransactorRollsBackOnPanic(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	tx := postgres.NewTransactor(db)
	members := postgres.NewMemberStore(db)

	assert.PanicsWithValue(t, "boom", func() {
		_ = tx.WithinTx(context.Background(), func(ctx context.Context) error {
			if _, err := members.Create(ctx, newMember(t, "alice@example.com", "alice")); err != nil {
				return err
			}
			panic("boom")
		})
	})

	assert.Zero(t, countRows(t, db, "members", "TRUE"))
	stats := db.Stats()
	assert.Zero(t, stats.InUse, "the connection of the transaction went back to the pool")
}

func TestTransactorNestedJoinsTheOuterTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	tx := postgres.NewTransactor(db)
	members := postgres.NewMemberStore(db)
	errBoom := errors.New("boom")

	err := tx.WithinTx(context.Background(), func(ctx context.Context) error {
		err := tx.WithinTx(ctx, func(ctx context.Context) error {
			_, err := members.Create(ctx, newMember(t, "alice@example.com", "alice"))
			return err
		})
		require.NoError(t, err)
		assert.Zero(t, countRows(t, db, "members", "TRUE"), "nothing is visible outside before the outer commit")
		return errBoom
	})

	assert.ErrorIs(t, err, errBoom)
	assert.Zero(t, countRows(t, db, "members", "TRUE"), "the outer rollback undid the inner work")
}

func TestTransactorReturnsACommitError(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	// A deferred constraint is checked at commit, so the commit itself fails.
	_, err := db.ExecContext(ctx, `ALTER TABLE members
		ADD CONSTRAINT members_school_unique UNIQUE (school) DEFERRABLE INITIALLY DEFERRED`)
	require.NoError(t, err)
	tx := postgres.NewTransactor(db)
	members := postgres.NewMemberStore(db)

	err = tx.WithinTx(ctx, func(ctx context.Context) error {
		for _, nickname := range []string{"alice", "bob"} {
			if _, err := members.Create(ctx, newMember(t, nickname+"@example.com", nickname)); err != nil {
				return err
			}
		}
		return nil
	})

	require.Error(t, err)
	assert.Contains(t, err.Error(), "commit transaction")
	assert.Contains(t, err.Error(), "members_school_unique")
	assert.Zero(t, countRows(t, db, "members", "TRUE"))
}

// lockTimeoutIn is the lock_timeout of the transaction ctx carries.
func lockTimeoutIn(ctx context.Context, t *testing.T, db *bun.DB) string {
	t.Helper()
	var v string
	require.NoError(t, postgres.IDB(ctx, db).QueryRowContext(ctx, "SHOW lock_timeout").Scan(&v))
	return v
}

func TestTransactorBoundingLockWaitsSetsTheBoundForItsTransactionOnly(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	tx := postgres.NewTransactor(db)
	ctx := context.Background()

	err := tx.WithinTxBoundingLockWaits(ctx, 1500*time.Millisecond, func(ctx context.Context) error {
		assert.Equal(t, "1500ms", lockTimeoutIn(ctx, t, db))
		return nil
	})
	require.NoError(t, err)
	err = tx.WithinTx(ctx, func(ctx context.Context) error {
		assert.Equal(t, "0", lockTimeoutIn(ctx, t, db), "the next transaction on the connection has no bound")
		return nil
	})
	require.NoError(t, err)
	err = tx.WithinTx(ctx, func(ctx context.Context) error {
		return tx.WithinTxBoundingLockWaits(ctx, 0, func(ctx context.Context) error {
			assert.Equal(t, "1ms", lockTimeoutIn(ctx, t, db), "joined to the caller's transaction; never 0, which is no bound")
			return nil
		})
	})
	require.NoError(t, err)
}

func TestTransactorBoundingLockWaitsGivesUpOnAHeldRow(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	tx := postgres.NewTransactor(db)
	ctx := context.Background()
	id, err := postgres.NewMemberStore(db).Create(ctx, newMember(t, "alice@example.com", "alice"))
	require.NoError(t, err)
	holder, err := db.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = holder.Rollback() }()
	_, err = holder.ExecContext(ctx, "UPDATE members SET school = 'held' WHERE id = ?", id)
	require.NoError(t, err)

	start := time.Now()
	err = tx.WithinTxBoundingLockWaits(ctx, 100*time.Millisecond, func(ctx context.Context) error {
		_, err := postgres.IDB(ctx, db).ExecContext(ctx, "UPDATE members SET school = 'waiter' WHERE id = ?", id)
		return err
	})

	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	assert.Equal(t, "55P03", pgErr.Code, "lock_timeout")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestBoundedBeginSQL(t *testing.T) {
	assert.Equal(t, "BEGIN; SET LOCAL lock_timeout = '3000ms'", postgres.BoundedBeginSQL(3*time.Second))
	assert.Equal(t, "BEGIN; SET LOCAL lock_timeout = '1ms'", postgres.BoundedBeginSQL(time.Microsecond))
}
