// Package redistest gives tests a connection to a real Redis and a key prefix
// of their own, cleaned up when the test ends.
package redistest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// DefaultURL is used when TEST_REDIS_URL is not set.
const DefaultURL = "redis://127.0.0.1:6379/0"

// URL returns the Redis URL of tests: TEST_REDIS_URL, else DefaultURL.
func URL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// unsafe matches what is kept out of prefixes: glob characters would make the
// cleanup's SCAN pattern match other tests' keys.
var unsafe = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// New connects to URL() and returns the client with a key prefix unique to this
// test. At cleanup the keys under the prefix are deleted and the client closed.
// An unreachable Redis fails the test: a missing service must not pass silently.
func New(t testing.TB) (*redis.Client, string) {
	t.Helper()
	url := URL()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("redistest: bad Redis URL (TEST_REDIS_URL): %v", err)
	}
	client := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		t.Fatalf("redistest: Redis at %s is unreachable: %v; start it (make test runs scripts/ to do so) or point TEST_REDIS_URL at one", opts.Addr, err)
	}
	prefix := "test:" + unsafe.ReplaceAllString(t.Name(), "_") + ":" + randomHex(t) + ":"
	t.Cleanup(func() {
		defer client.Close()
		// The test's context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		iter := client.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("redistest: list keys of %s: %v", prefix, err)
			return
		}
		if len(keys) > 0 {
			if err := client.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("redistest: delete keys of %s: %v", prefix, err)
			}
		}
	})
	return client, prefix
}

func randomHex(t testing.TB) string {
	t.Helper()
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("redistest: random prefix: %v", err)
	}
	return hex.EncodeToString(b)
}
