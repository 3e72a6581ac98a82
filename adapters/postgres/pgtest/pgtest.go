// Package pgtest gives each test a fresh, migrated PostgreSQL database of its
// own, copied from a template database that is migrated once.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
)

// DefaultURL is the server the tests use when TEST_DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// setupTimeout bounds creating the template, which includes migrating it.
const setupTimeout = 2 * time.Minute

// objectInUse is the SQLSTATE of "source database is being accessed by other
// users": a session on the template, or on the database being renamed, has not
// ended yet.
const objectInUse = "55006"

var template struct {
	once sync.Once
	name string
	err  error
}

// NewDatabase creates a database for this test alone, with the schema already
// migrated, drops it when the test ends and returns its URL. The test fails
// when Postgres cannot be reached.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base, err := baseURL()
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	admin, err := openAdmin(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	defer closeQuietly(admin)
	templateName, err := migratedTemplate(ctx, base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	name := "artauction_test_" + randomHex(8)
	if err := createDatabase(ctx, admin, name, templateName); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := dropDatabase(ctx, base, name); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return databaseURL(base, name)
}

// NewDB is NewDatabase opened: the pool is closed when the test ends.
func NewDB(t testing.TB) *bun.DB {
	t.Helper()
	dsn := NewDatabase(t)
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("pgtest: open test database: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("pgtest: close test database: %v", err)
		}
	})
	return db
}

func baseURL() (*url.URL, error) {
	raw := os.Getenv("TEST_DATABASE_URL")
	if raw == "" {
		raw = DefaultURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("TEST_DATABASE_URL is not a URL: %w", err)
	}
	return u, nil
}

func databaseURL(base *url.URL, name string) string {
	u := *base
	u.Path = "/" + name
	return u.String()
}

// openAdmin connects to the database of the base URL, from where databases are
// created and dropped.
func openAdmin(ctx context.Context, base *url.URL) (*bun.DB, error) {
	db, err := postgres.Open(ctx, base.String(), postgres.WithMaxOpenConns(2))
	if err != nil {
		return nil, fmt.Errorf("postgres at %s is unreachable; start it with scripts/ensure-services.sh "+
			"(make test does) or point TEST_DATABASE_URL at one: %w", base.Redacted(), err)
	}
	return db, nil
}

// migratedTemplate returns the name of the template database of the current
// migrations, creating it on first use in this process.
func migratedTemplate(ctx context.Context, base *url.URL) (string, error) {
	template.once.Do(func() {
		template.name, template.err = ensureTemplate(ctx, base)
	})
	return template.name, template.err
}

// ensureTemplate creates the template unless another process already did. The
// name comes from the migrations, so a schema change makes a new template.
func ensureTemplate(ctx context.Context, base *url.URL) (string, error) {
	checksum, err := postgres.MigrationsChecksum()
	if err != nil {
		return "", err
	}
	name := "artauction_template_" + checksum[:16]
	admin, err := openAdmin(ctx, base)
	if err != nil {
		return "", err
	}
	defer closeQuietly(admin)
	// Test binaries of several packages start at once; the lock makes them
	// take turns. It goes with the session when admin is closed.
	conn, err := admin.Conn(ctx)
	if err != nil {
		return "", fmt.Errorf("connect for template lock: %w", err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext('artauction'), hashtext('pgtest template'))"); err != nil {
		return "", fmt.Errorf("take template lock: %w", err)
	}
	var exists bool
	if err := conn.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(&exists); err != nil {
		return "", fmt.Errorf("look for template %s: %w", name, err)
	}
	if exists {
		return name, nil
	}
	// Built under another name and renamed when complete, so that a build cut
	// short never passes for a template.
	building := name + "_building"
	if _, err := conn.ExecContext(ctx, "DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(building)); err != nil {
		return "", fmt.Errorf("drop unfinished template: %w", err)
	}
	if _, err := conn.ExecContext(ctx, "CREATE DATABASE ?", bun.Ident(building)); err != nil {
		return "", fmt.Errorf("create template: %w", err)
	}
	if err := migrateDatabase(ctx, databaseURL(base, building)); err != nil {
		return "", err
	}
	err = retryWhileInUse(ctx, func() error {
		_, err := conn.ExecContext(ctx, "ALTER DATABASE ? RENAME TO ?", bun.Ident(building), bun.Ident(name))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("rename template: %w", err)
	}
	return name, nil
}

func migrateDatabase(ctx context.Context, dsn string) error {
	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("open template: %w", err)
	}
	migrateErr := postgres.Migrate(ctx, db)
	if err := db.Close(); err != nil {
		return errors.Join(migrateErr, fmt.Errorf("close template: %w", err))
	}
	if migrateErr != nil {
		return fmt.Errorf("migrate template: %w", migrateErr)
	}
	return nil
}

func createDatabase(ctx context.Context, admin *bun.DB, name, templateName string) error {
	err := retryWhileInUse(ctx, func() error {
		_, err := admin.ExecContext(ctx, "CREATE DATABASE ? TEMPLATE ?", bun.Ident(name), bun.Ident(templateName))
		return err
	})
	if err != nil {
		return fmt.Errorf("create test database from %s: %w", templateName, err)
	}
	return nil
}

func dropDatabase(ctx context.Context, base *url.URL, name string) error {
	admin, err := openAdmin(ctx, base)
	if err != nil {
		return err
	}
	defer closeQuietly(admin)
	// FORCE ends sessions a test left open rather than failing the drop.
	if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(name)); err != nil {
		return fmt.Errorf("drop test database %s: %w", name, err)
	}
	return nil
}

// retryWhileInUse runs fn again while it fails because a session that is
// closing still uses the database: closing a pool does not wait for the server
// to end its sessions.
func retryWhileInUse(ctx context.Context, fn func() error) error {
	const attempts = 50
	var err error
	for range attempts {
		err = fn()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != objectInUse {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

// closeQuietly closes an admin pool whose work is done: an error closing it
// changes nothing for the test.
func closeQuietly(admin *bun.DB) { _ = admin.Close() }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
