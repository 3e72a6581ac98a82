package redis_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	redisadapter "github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/adapters/redis/redistest"
)

func TestBlacklistAccessToken(t *testing.T) {
	client, prefix := redistest.New(t)
	b := redisadapter.NewTokenBlacklist(client, prefix)
	ctx := t.Context()

	revoked, err := b.IsRevoked(ctx, "jti-1", "sid-1")
	require.NoError(t, err)
	assert.False(t, revoked)

	require.NoError(t, b.RevokeAccessToken(ctx, "jti-1", time.Now().Add(time.Minute)))
	revoked, err = b.IsRevoked(ctx, "jti-1", "sid-1")
	require.NoError(t, err)
	assert.True(t, revoked)
	revoked, err = b.IsRevoked(ctx, "jti-2", "sid-1")
	require.NoError(t, err)
	assert.False(t, revoked, "another token of the same session stays valid")

	ttl, err := client.PTTL(ctx, prefix+"revoked:jti:jti-1").Result()
	require.NoError(t, err)
	assert.InDelta(t, time.Minute, ttl, float64(5*time.Second))
}

func TestBlacklistSessions(t *testing.T) {
	client, prefix := redistest.New(t)
	b := redisadapter.NewTokenBlacklist(client, prefix)
	ctx := t.Context()

	require.NoError(t, b.RevokeSessions(ctx, nil, time.Now().Add(time.Minute)))
	require.NoError(t, b.RevokeSessions(ctx, []string{"sid-1", "sid-2"}, time.Now().Add(time.Minute)))
	for sid, want := range map[string]bool{"sid-1": true, "sid-2": true, "sid-3": false} {
		revoked, err := b.IsRevoked(ctx, "any-jti", sid)
		require.NoError(t, err)
		assert.Equal(t, want, revoked, sid)
	}
}

func TestBlacklistExpires(t *testing.T) {
	client, prefix := redistest.New(t)
	b := redisadapter.NewTokenBlacklist(client, prefix)
	ctx := t.Context()

	require.NoError(t, b.RevokeSessions(ctx, []string{"sid-1"}, time.Now().Add(300*time.Millisecond)))
	revoked, err := b.IsRevoked(ctx, "jti-1", "sid-1")
	require.NoError(t, err)
	require.True(t, revoked)
	require.Eventually(t, func() bool {
		revoked, err := b.IsRevoked(ctx, "jti-1", "sid-1")
		return err == nil && !revoked
	}, 3*time.Second, 50*time.Millisecond)
}

func TestBlacklistPastUntilStoresNothing(t *testing.T) {
	client, prefix := redistest.New(t)
	b := redisadapter.NewTokenBlacklist(client, prefix)
	ctx := t.Context()

	require.NoError(t, b.RevokeAccessToken(ctx, "jti-1", time.Now().Add(-time.Second)))
	require.NoError(t, b.RevokeSessions(ctx, []string{"sid-1"}, time.Now().Add(-time.Second)))
	n, err := client.Exists(ctx, prefix+"revoked:jti:jti-1", prefix+"revoked:sid:sid-1").Result()
	require.NoError(t, err)
	assert.Zero(t, n)
}

func TestBlacklistRefusesZeroUntil(t *testing.T) {
	client, prefix := redistest.New(t)
	b := redisadapter.NewTokenBlacklist(client, prefix)
	require.Error(t, b.RevokeAccessToken(t.Context(), "jti-1", time.Time{}))
	require.Error(t, b.RevokeSessions(t.Context(), []string{"sid-1"}, time.Time{}))
}
