// Package redis keeps the short-lived shared state of the service in Redis:
// verification codes, the access-token blacklist and rate limits.
package redis

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Bounds of one command, for those the URL leaves unset. go-redis waits 5s to
// dial and 3s to read, retries three times and dials five times per retry:
// seconds of hanging per request when Redis is gone. These give a quick 503
// (or the Postgres fallback of the token check) instead.
const (
	dialTimeout = 2 * time.Second
	ioTimeout   = 2 * time.Second
	poolTimeout = 2 * time.Second
	maxRetries  = 1
	dialRetries = 1
)

// Open connects to the Redis at url (redis://[user:password@]host:port/db) and
// checks that it answers. Connection failures of every command it sends are
// marked application.ErrUnavailable.
func Open(ctx context.Context, url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password: leave it out of the message.
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	boundWaits(opts)
	client := redis.NewClient(opts)
	client.AddHook(unavailableHook{})
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("ping redis at %s: %w", opts.Addr, err)
	}
	return client, nil
}

// boundWaits sets the bounds the URL did not set (ParseURL leaves them zero).
func boundWaits(opts *redis.Options) {
	if opts.DialTimeout == 0 {
		opts.DialTimeout = dialTimeout
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = ioTimeout
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = ioTimeout
	}
	if opts.PoolTimeout == 0 {
		opts.PoolTimeout = poolTimeout
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = maxRetries
	}
	opts.DialerRetries = dialRetries
}
