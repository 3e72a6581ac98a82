package redis_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	redisadapter "github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/adapters/redis/redistest"
)

func TestOpen(t *testing.T) {
	client, err := redisadapter.Open(t.Context(), redistest.URL())
	require.NoError(t, err)
	require.NoError(t, client.Close())
}

func TestOpenFails(t *testing.T) {
	_, err := redisadapter.Open(t.Context(), "http://127.0.0.1:6379")
	require.ErrorContains(t, err, "parse redis url")

	// Port 1 on localhost refuses at once.
	_, err = redisadapter.Open(t.Context(), "redis://127.0.0.1:1/0")
	require.ErrorContains(t, err, "ping redis at 127.0.0.1:1")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = redisadapter.Open(ctx, redistest.URL())
	require.ErrorIs(t, err, context.Canceled)
}
