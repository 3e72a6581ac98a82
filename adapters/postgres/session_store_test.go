package postgres_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
)

func TestSessionStoreRefreshTokenLookup(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewSessionStore(db)
	ctx := context.Background()
	memberID := createMember(t, db, "alice")
	expires := testNow.Add(14 * 24 * time.Hour)
	require.NoError(t, store.CreateSession(ctx, "session-1", memberID, testNow))
	require.NoError(t, store.AddRefreshToken(ctx, "plain-token", "session-1", expires))

	got, err := store.RefreshToken(ctx, "plain-token")

	require.NoError(t, err)
	assert.Equal(t, auth.RestoreRefreshToken("session-1", memberID, expires, false, false), got)
	assert.NoError(t, got.CheckUsable(testNow))
}

func TestSessionStoreKeepsOnlyTheHashOfAToken(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewSessionStore(db)
	ctx := context.Background()
	require.NoError(t, store.CreateSession(ctx, "session-1", createMember(t, db, "alice"), testNow))
	require.NoError(t, store.AddRefreshToken(ctx, "plain-token", "session-1", testNow.Add(time.Hour)))

	var stored string
	require.NoError(t, db.NewSelect().TableExpr("refresh_tokens").Column("token_hash").Scan(ctx, &stored))

	sum := sha256.Sum256([]byte("plain-token"))
	assert.Equal(t, hex.EncodeToString(sum[:]), stored)
}

func TestSessionStoreUnknownRefreshToken(t *testing.T) {
	t.Parallel()
	store := postgres.NewSessionStore(pgtest.NewDB(t))

	_, err := store.RefreshToken(context.Background(), "never-issued")

	assert.ErrorIs(t, err, auth.ErrUnauthenticated)
}

func TestSessionStoreSessionOfAMissingMember(t *testing.T) {
	t.Parallel()
	store := postgres.NewSessionStore(pgtest.NewDB(t))

	err := store.CreateSession(context.Background(), "session-1", 404, testNow)

	assert.ErrorIs(t, err, member.ErrNotFound)
}

func TestSessionStoreMarkRefreshTokenUsedOnlyOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewSessionStore(db)
	ctx := context.Background()
	require.NoError(t, store.CreateSession(ctx, "session-1", createMember(t, db, "alice"), testNow))
	require.NoError(t, store.AddRefreshToken(ctx, "first", "session-1", testNow.Add(time.Hour)))

	used, err := store.MarkRefreshTokenUsed(ctx, "first", testNow)
	require.NoError(t, err)
	assert.True(t, used)

	again, err := store.MarkRefreshTokenUsed(ctx, "first", testNow.Add(time.Minute))
	require.NoError(t, err)
	assert.False(t, again)

	token, err := store.RefreshToken(ctx, "first")
	require.NoError(t, err)
	assert.ErrorIs(t, token.CheckUsable(testNow), auth.ErrRefreshTokenReused)
}

func TestSessionStoreMarkUnknownRefreshTokenUsed(t *testing.T) {
	t.Parallel()
	store := postgres.NewSessionStore(pgtest.NewDB(t))

	used, err := store.MarkRefreshTokenUsed(context.Background(), "never-issued", testNow)

	require.NoError(t, err)
	assert.False(t, used)
}

func TestSessionStoreConcurrentRotationsUseATokenOnce(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewSessionStore(db)
	ctx := context.Background()
	require.NoError(t, store.CreateSession(ctx, "session-1", createMember(t, db, "alice"), testNow))
	require.NoError(t, store.AddRefreshToken(ctx, "contested", "session-1", testNow.Add(time.Hour)))

	var winners atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			used, err := store.MarkRefreshTokenUsed(ctx, "contested", testNow)
			assert.NoError(t, err)
			if used {
				winners.Add(1)
			}
		})
	}
	wg.Wait()

	assert.Equal(t, int32(1), winners.Load())
}

func TestSessionStoreRevokeSession(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewSessionStore(db)
	ctx := context.Background()
	require.NoError(t, store.CreateSession(ctx, "session-1", createMember(t, db, "alice"), testNow))
	require.NoError(t, store.AddRefreshToken(ctx, "token", "session-1", testNow.Add(time.Hour)))

	require.NoError(t, store.RevokeSession(ctx, "session-1", testNow))
	require.NoError(t, store.RevokeSession(ctx, "session-1", testNow.Add(time.Hour)), "revoking twice is harmless")

	token, err := store.RefreshToken(ctx, "token")
	require.NoError(t, err)
	assert.ErrorIs(t, token.CheckUsable(testNow), auth.ErrTokenRevoked)
	assert.Equal(t, 1, countRows(t, db, "auth_sessions", "revoked_at = ?", testNow), "the first revocation time stays")
}

func TestSessionStoreRevokeMemberSessions(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewSessionStore(db)
	ctx := context.Background()
	alice := createMember(t, db, "alice")
	bob := createMember(t, db, "bob")
	for _, id := range []string{"alice-1", "alice-2", "alice-old"} {
		require.NoError(t, store.CreateSession(ctx, id, alice, testNow))
	}
	require.NoError(t, store.CreateSession(ctx, "bob-1", bob, testNow))
	require.NoError(t, store.AddRefreshToken(ctx, "bob-token", "bob-1", testNow.Add(time.Hour)))
	require.NoError(t, store.RevokeSession(ctx, "alice-old", testNow))

	revoked, err := store.RevokeMemberSessions(ctx, alice, testNow.Add(time.Minute))

	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"alice-1", "alice-2"}, revoked)
	bobToken, err := store.RefreshToken(ctx, "bob-token")
	require.NoError(t, err)
	assert.NoError(t, bobToken.CheckUsable(testNow), "other members keep their sessions")

	again, err := store.RevokeMemberSessions(ctx, alice, testNow.Add(2*time.Minute))
	require.NoError(t, err)
	assert.Empty(t, again)
}

func TestSessionStoreIsSessionRevoked(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewSessionStore(db)
	ctx := context.Background()
	require.NoError(t, store.CreateSession(ctx, "session-1", createMember(t, db, "alice"), testNow))

	revoked, err := store.IsSessionRevoked(ctx, "session-1")
	require.NoError(t, err)
	assert.False(t, revoked, "an open session")

	require.NoError(t, store.RevokeSession(ctx, "session-1", testNow))
	revoked, err = store.IsSessionRevoked(ctx, "session-1")
	require.NoError(t, err)
	assert.True(t, revoked, "a revoked session")

	revoked, err = store.IsSessionRevoked(ctx, "never-created")
	require.NoError(t, err)
	assert.True(t, revoked, "an unknown session")
}
