package bootstrap

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/application"
)

func newRedisClient(lc fx.Lifecycle, cfg Config) (*goredis.Client, error) {
	client, err := redis.Open(context.Background(), cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	lc.Append(fx.StopHook(client.Close))
	return client, nil
}

func newVerificationCodes(client *goredis.Client, cfg Config) (*redis.VerificationCodes, error) {
	// Codes are keyed with the JWT secret so a Redis dump does not reveal them.
	return redis.NewVerificationCodes(client, cfg.RedisKeyPrefix, []byte(cfg.JWTSecret))
}

func newRateLimiter(client *goredis.Client, cfg Config) application.RateLimiter {
	if !cfg.RateLimitEnabled {
		return redis.DisabledRateLimiter{}
	}
	return redis.NewRateLimiter(client, cfg.RedisKeyPrefix)
}

var redisModule = fx.Module("redis",
	fx.Provide(
		newRedisClient,
		fx.Annotate(newVerificationCodes, fx.As(new(application.VerificationCodes))),
		fx.Annotate(func(c *goredis.Client, cfg Config) *redis.TokenBlacklist {
			return redis.NewTokenBlacklist(c, cfg.RedisKeyPrefix)
		}, fx.As(new(application.TokenBlacklist))),
		newRateLimiter,
	),
)
