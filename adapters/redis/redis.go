// Package redis keeps the short-lived shared state of the service in Redis:
// verification codes, the access-token blacklist and rate limits.
package redis

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// Open connects to the Redis at url (redis://[user:password@]host:port/db) and
// checks that it answers.
func Open(ctx context.Context, url string) (*redis.Client, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// The URL may hold a password: leave it out of the message.
		return nil, fmt.Errorf("parse redis url: %w", err)
	}
	client := redis.NewClient(opts)
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		return nil, fmt.Errorf("ping redis at %s: %w", opts.Addr, err)
	}
	return client, nil
}
