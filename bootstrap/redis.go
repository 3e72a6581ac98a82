package bootstrap

import (
	"context"
	"fmt"

	goredis "github.com/redis/go-redis/v9"
	"go.uber.org/fx"

	"github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/application"
)

func newRedisClient(lc fx.Lifecycle, settings RedisSettings) (*goredis.Client, error) {
	client, err := redis.Open(context.Background(), settings.URL)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	lc.Append(fx.StopHook(client.Close))
	return client, nil
}

func newVerificationCodes(client *goredis.Client, settings RedisSettings, auth AuthSettings) (*redis.VerificationCodes, error) {
	// Codes are keyed with the JWT secret so a Redis dump does not reveal them.
	return redis.NewVerificationCodes(client, settings.KeyPrefix, []byte(auth.JWTSecret))
}

func newRateLimiter(client *goredis.Client, settings RedisSettings, limits RateLimitSettings) application.RateLimiter {
	if !limits.Enabled {
		return redis.DisabledRateLimiter{}
	}
	return redis.NewRateLimiter(client, settings.KeyPrefix)
}

var redisModule = fx.Module("redis",
	fx.Provide(
		newRedisClient,
		fx.Annotate(newVerificationCodes, fx.As(new(application.VerificationCodes))),
		fx.Annotate(func(c *goredis.Client, settings RedisSettings) *redis.TokenBlacklist {
			return redis.NewTokenBlacklist(c, settings.KeyPrefix)
		}, fx.As(new(application.TokenBlacklist))),
		newRateLimiter,
	),
)
