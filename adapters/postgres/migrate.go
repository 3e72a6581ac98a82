package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql/driver"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/migrate"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrate applies the embedded migrations not yet applied. Processes starting
// together take turns: each waits for a Postgres advisory lock, so a migration
// runs once and the others find it applied. The lock holds one connection
// while the migrations run on another, so the pool must allow two.
func Migrate(ctx context.Context, db *bun.DB) error {
	if limit := db.Stats().MaxOpenConnections; limit == 1 {
		return errors.New("migrate: the pool allows one connection and the migration lock needs it: allow two")
	}
	migrations := migrate.NewMigrations()
	if err := migrations.Discover(migrationFiles); err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect for migration lock: %w", err)
	}
	defer endSession(conn)
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock(hashtext('artauction'), hashtext('migrate'))"); err != nil {
		return fmt.Errorf("take migration lock: %w", err)
	}
	// Marking a migration applied only once it succeeded lets a failed one run again next time.
	migrator := migrate.NewMigrator(db, migrations, migrate.WithMarkAppliedOnSuccess(true))
	if err := migrator.Init(ctx); err != nil {
		return fmt.Errorf("create migration tables: %w", err)
	}
	if _, err := migrator.Migrate(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}

// endSession closes the connection instead of returning it to the pool:
// Postgres frees a session's advisory locks when the session ends, so the
// migration lock cannot outlive Migrate on a pooled connection, not even when
// the context is already canceled.
func endSession(conn bun.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn })
}

// MigrationsChecksum identifies the schema the embedded migrations build: it
// changes whenever a migration file is added or edited.
func MigrationsChecksum() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrationFiles, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		content, err := fs.ReadFile(migrationFiles, path)
		if err != nil {
			return err
		}
		// Path, separator, fixed-size digest: no two file sets hash the same input.
		digest := sha256.Sum256(content)
		h.Write([]byte(path + "\x00"))
		h.Write(digest[:])
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("read migrations: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
