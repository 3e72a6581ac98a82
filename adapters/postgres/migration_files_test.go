package postgres_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// migrationFiles counts the up migrations in migrations/: how many rows
// bun_migrations holds once all are applied.
func migrationFiles(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("migrations", "*.up.sql"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	return len(files)
}
