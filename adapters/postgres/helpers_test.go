package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/domain/member"
)

// testNow is the time the tests pass where a store wants the current time.
var testNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

// newMember builds an unsaved member with the given email and nickname.
func newMember(t *testing.T, email, nickname string) *member.Member {
	t.Helper()
	reg, err := member.NewRegistration(email, "s3cret!pass", nickname, "Alice Kim", "Seoul Arts", "010-1234-5678")
	require.NoError(t, err)
	m, err := member.New(reg, "hash-of-"+nickname, testNow)
	require.NoError(t, err)
	return m
}

// createMember saves a new member and returns its id.
func createMember(t *testing.T, db *bun.DB, nickname string) int64 {
	t.Helper()
	id, err := postgres.NewMemberStore(db).Create(context.Background(), newMember(t, nickname+"@example.com", nickname))
	require.NoError(t, err)
	return id
}

// countRows counts the rows of table matching where.
func countRows(t *testing.T, db *bun.DB, table, where string, args ...any) int {
	t.Helper()
	n, err := db.NewSelect().TableExpr(table).Where(where, args...).Count(context.Background())
	require.NoError(t, err)
	return int(n)
}
