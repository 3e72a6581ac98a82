package redis_test

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	redisadapter "github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/application"
)

func TestAnUnreachableRedisIsUnavailable(t *testing.T) {
	t.Parallel()
	// Port 1 on localhost refuses at once.
	_, err := redisadapter.Open(t.Context(), "redis://127.0.0.1:1/0")
	assert.ErrorIs(t, err, application.ErrUnavailable)
}

func TestARedisThatWentAwayIsUnavailable(t *testing.T) {
	t.Parallel()
	target, err := url.Parse(redistest.URL())
	require.NoError(t, err)
	relay := startRelay(t, target.Host)
	target.Host = relay.addr()
	client, err := redisadapter.Open(t.Context(), target.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	_, prefix := redistest.New(t)
	require.NoError(t, client.Set(t.Context(), prefix+"k", "v", time.Minute).Err())

	relay.stop()

	assert.ErrorIs(t, client.Get(t.Context(), prefix+"k").Err(), application.ErrUnavailable)
	pipe := client.Pipeline()
	get := pipe.Get(t.Context(), prefix+"k")
	_, err = pipe.Exec(t.Context())
	assert.ErrorIs(t, err, application.ErrUnavailable)
	assert.ErrorIs(t, get.Err(), application.ErrUnavailable)
}

func TestRedisAnswersAreNotUnavailable(t *testing.T) {
	t.Parallel()
	client, err := redisadapter.Open(t.Context(), redistest.URL())
	require.NoError(t, err)
	t.Cleanup(func() { _ = client.Close() })
	_, prefix := redistest.New(t)

	missing := client.Get(t.Context(), prefix+"missing").Err()
	unknown := client.Do(t.Context(), "NOSUCHCOMMAND").Err()

	assert.ErrorIs(t, missing, goredis.Nil)
	assert.NotErrorIs(t, missing, application.ErrUnavailable)
	require.Error(t, unknown)
	assert.NotErrorIs(t, unknown, application.ErrUnavailable)
}

// relay forwards TCP connections to a target until it is stopped, when it
// closes them all and listens no more: a Redis that went away.
type relay struct {
	listener net.Listener
	mu       sync.Mutex
	conns    []net.Conn
}

func startRelay(t *testing.T, target string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	r := &relay{listener: ln}
	t.Cleanup(r.stop)
	go func() {
		for {
			client, err := ln.Accept()
			if err != nil {
				return
			}
			server, err := net.Dial("tcp", target)
			if err != nil {
				_ = client.Close()
				continue
			}
			r.mu.Lock()
			r.conns = append(r.conns, client, server)
			r.mu.Unlock()
			go func() { _, _ = io.Copy(server, client) }()
			go func() { _, _ = io.Copy(client, server) }()
		}
	}()
	return r
}

func (r *relay) addr() string { return r.listener.Addr().String() }

func (r *relay) stop() {
	_ = r.listener.Close()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.conns {
		_ = c.Close()
	}
	r.conns = nil
}
