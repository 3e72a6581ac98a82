package redis

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/artauction/artauction/application"
)

var (
	_ application.RateLimiter = (*RateLimiter)(nil)
	_ application.RateLimiter = DisabledRateLimiter{}
)

// RateLimiter is an exact sliding-window log: a sorted set per rule and key holds
// the time of every counted event within the window.
type RateLimiter struct {
	client *redis.Client
	prefix string
}

// NewRateLimiter keeps its keys under prefix.
func NewRateLimiter(client *redis.Client, prefix string) *RateLimiter {
	return &RateLimiter{client: client, prefix: prefix}
}

// Modes of slidingWindow.
const (
	modeTake   = "take"
	modeCheck  = "check"
	modeRecord = "record"
)

// slidingWindow drops the events that left the window, then checks and counts
// one event as mode says, all atomically. Time is the Redis server's, so every
// instance of the service agrees on it.
// KEYS[1] the log; ARGV[1] limit, ARGV[2] window in ms, ARGV[3] mode, ARGV[4] a
// random suffix that keeps events of the same millisecond apart.
// Returns {1, 0} when allowed, else {0, ms until the next event is allowed}.
var slidingWindow = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if ARGV[3] ~= 'record' then
  local count = redis.call('ZCARD', KEYS[1])
  if count >= limit then
    -- Record may have pushed the count past the limit: the event that must
    -- leave before one more fits is the (count - limit + 1)th oldest.
    local entry = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
    return {0, tonumber(entry[2]) + window - now}
  end
  if ARGV[3] == 'check' then
    return {1, 0}
  end
end
redis.call('ZADD', KEYS[1], now, now .. ':' .. ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return {1, 0}
`)

// Take counts one event unless the rule is used up.
func (l *RateLimiter) Take(ctx context.Context, rule application.RateRule, key string) error {
	return l.run(ctx, rule, key, modeTake)
}

// Check tells whether one more event would be allowed, counting nothing.
func (l *RateLimiter) Check(ctx context.Context, rule application.RateRule, key string) error {
	return l.run(ctx, rule, key, modeCheck)
}

// Record counts one event even past the limit (e.g. a failed login).
func (l *RateLimiter) Record(ctx context.Context, rule application.RateRule, key string) error {
	return l.run(ctx, rule, key, modeRecord)
}

func (l *RateLimiter) run(ctx context.Context, rule application.RateRule, key, mode string) error {
	if rule.Limit < 1 || rule.Window < time.Millisecond {
		return fmt.Errorf("rate limit %s: invalid rule (limit %d, window %s)", rule.Name, rule.Limit, rule.Window)
	}
	res, err := slidingWindow.Run(ctx, l.client, []string{l.prefix + "rate:" + rule.Name + ":" + key},
		rule.Limit, rule.Window.Milliseconds(), mode, strconv.FormatUint(rand.Uint64(), 36)).Int64Slice()
	if err != nil {
		return fmt.Errorf("rate limit %s: %w", rule.Name, err)
	}
	if res[0] == 1 {
		return nil
	}
	return &application.RateLimitedError{Rule: rule.Name, RetryAfter: retryAfter(time.Duration(res[1]) * time.Millisecond)}
}

// retryAfter rounds up to whole seconds, at least one: Retry-After is in seconds,
// and a client that came back a fraction early would be refused again.
func retryAfter(wait time.Duration) time.Duration {
	return max((wait + time.Second - 1).Truncate(time.Second), time.Second)
}

// DisabledRateLimiter allows everything and counts nothing (RATE_LIMIT_ENABLED=false).
type DisabledRateLimiter struct{}

func (DisabledRateLimiter) Take(context.Context, application.RateRule, string) error   { return nil }
func (DisabledRateLimiter) Check(context.Context, application.RateRule, string) error  { return nil }
func (DisabledRateLimiter) Record(context.Context, application.RateRule, string) error { return nil }
