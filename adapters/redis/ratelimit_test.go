package redis_test

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	redisadapter "github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/application"
)

func newLimiter(t *testing.T) *redisadapter.RateLimiter {
	t.Helper()
	client, prefix := redistest.New(t)
	return redisadapter.NewRateLimiter(client, prefix)
}

// requireLimited checks err is the rule's RateLimitedError and returns its RetryAfter.
func requireLimited(t *testing.T, err error, rule application.RateRule) time.Duration {
	t.Helper()
	var limited *application.RateLimitedError
	require.ErrorAs(t, err, &limited)
	assert.Equal(t, rule.Name, limited.Rule)
	assert.GreaterOrEqual(t, limited.RetryAfter, time.Second)
	assert.Zero(t, limited.RetryAfter%time.Second, "whole seconds")
	return limited.RetryAfter
}

func TestRateLimitTake(t *testing.T) {
	l := newLimiter(t)
	ctx := t.Context()
	rule := application.RateRule{Name: "hourly", Limit: 3, Window: time.Hour}

	for range rule.Limit {
		require.NoError(t, l.Take(ctx, rule, "k"))
	}
	retry := requireLimited(t, l.Take(ctx, rule, "k"), rule)
	assert.Equal(t, time.Hour, retry, "when the oldest event leaves the window, rounded up")

	require.NoError(t, l.Take(ctx, rule, "other key"))
	require.NoError(t, l.Take(ctx, application.RateRule{Name: "other", Limit: 1, Window: time.Hour}, "k"))
}

func TestRateLimitRetryAfterAtLeastOneSecond(t *testing.T) {
	l := newLimiter(t)
	rule := application.RateRule{Name: "short", Limit: 1, Window: 200 * time.Millisecond}
	require.NoError(t, l.Take(t.Context(), rule, "k"))
	assert.Equal(t, time.Second, requireLimited(t, l.Take(t.Context(), rule, "k"), rule))
}

func TestRateLimitWindowSlides(t *testing.T) {
	l := newLimiter(t)
	ctx := t.Context()
	rule := application.RateRule{Name: "sliding", Limit: 2, Window: time.Second}

	require.NoError(t, l.Take(ctx, rule, "k"))
	time.Sleep(600 * time.Millisecond)
	require.NoError(t, l.Take(ctx, rule, "k"))
	requireLimited(t, l.Take(ctx, rule, "k"), rule)

	// The first event leaves the window after 1s; the second one still counts,
	// so exactly one more fits (a fixed window would allow two).
	require.Eventually(t, func() bool { return l.Take(ctx, rule, "k") == nil }, 3*time.Second, 20*time.Millisecond)
	requireLimited(t, l.Take(ctx, rule, "k"), rule)
}

func TestRateLimitCheckDoesNotCount(t *testing.T) {
	l := newLimiter(t)
	ctx := t.Context()
	rule := application.RateRule{Name: "check", Limit: 1, Window: time.Hour}

	for range 5 {
		require.NoError(t, l.Check(ctx, rule, "k"))
	}
	require.NoError(t, l.Take(ctx, rule, "k"))
	requireLimited(t, l.Check(ctx, rule, "k"), rule)
}

func TestRateLimitRecordCounts(t *testing.T) {
	l := newLimiter(t)
	ctx := t.Context()
	rule := application.RateRule{Name: "record", Limit: 2, Window: 5 * time.Second}

	require.NoError(t, l.Record(ctx, rule, "k"))
	require.NoError(t, l.Check(ctx, rule, "k"))
	time.Sleep(1100 * time.Millisecond)
	for range 2 {
		require.NoError(t, l.Record(ctx, rule, "k"), "recording never refuses")
	}
	requireLimited(t, l.Check(ctx, rule, "k"), rule)
	retry := requireLimited(t, l.Take(ctx, rule, "k"), rule)
	// Three events against a limit of two: one more fits only after the first two
	// left, i.e. after the second one (recorded 1.1s after the first).
	assert.Equal(t, 5*time.Second, retry)
}

func TestRateLimitKeyExpires(t *testing.T) {
	client, prefix := redistest.New(t)
	l := redisadapter.NewRateLimiter(client, prefix)
	rule := application.RateRule{Name: "ttl", Limit: 5, Window: time.Minute}
	require.NoError(t, l.Take(t.Context(), rule, "k"))
	ttl, err := client.PTTL(t.Context(), prefix+"rate:ttl:k").Result()
	require.NoError(t, err)
	assert.InDelta(t, time.Minute, ttl, float64(5*time.Second))
}

func TestRateLimitConcurrentTakes(t *testing.T) {
	l := newLimiter(t)
	ctx := t.Context()
	rule := application.RateRule{Name: "burst", Limit: 10, Window: time.Minute}

	var allowed, limited atomic.Int32
	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			err := l.Take(ctx, rule, "k")
			var rl *application.RateLimitedError
			switch {
			case err == nil:
				allowed.Add(1)
			case errors.As(err, &rl):
				limited.Add(1)
			default:
				t.Errorf("take: %v", err)
			}
		})
	}
	wg.Wait()
	assert.EqualValues(t, 10, allowed.Load())
	assert.EqualValues(t, 40, limited.Load())
}

func TestRateLimitInvalidRule(t *testing.T) {
	l := newLimiter(t)
	for _, rule := range []application.RateRule{
		{Name: "zero limit", Limit: 0, Window: time.Minute},
		{Name: "no window", Limit: 1},
	} {
		err := l.Take(t.Context(), rule, "k")
		require.Error(t, err, rule.Name)
		var limited *application.RateLimitedError
		assert.NotErrorAs(t, err, &limited)
	}
}

func TestDisabledRateLimiter(t *testing.T) {
	var l redisadapter.DisabledRateLimiter
	rule := application.RateRule{Name: "any", Limit: 1, Window: time.Hour}
	for range 3 {
		require.NoError(t, l.Take(t.Context(), rule, "k"))
		require.NoError(t, l.Check(t.Context(), rule, "k"))
		require.NoError(t, l.Record(t.Context(), rule, "k"))
	}
}
