package redis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/artauction/artauction/application"
)

var _ application.TokenBlacklist = (*TokenBlacklist)(nil)

// errNoExpiry refuses a zero time, which would blacklist forever.
var errNoExpiry = errors.New("revoke token: no expiry time")

// TokenBlacklist marks revoked token ids and session ids with keys that expire
// when the last access token they cover would have expired anyway.
type TokenBlacklist struct {
	client *redis.Client
	prefix string
}

// NewTokenBlacklist keeps its keys under prefix.
func NewTokenBlacklist(client *redis.Client, prefix string) *TokenBlacklist {
	return &TokenBlacklist{client: client, prefix: prefix}
}

// RevokeAccessToken blacklists one access token until until.
func (b *TokenBlacklist) RevokeAccessToken(ctx context.Context, tokenID string, until time.Time) error {
	if until.IsZero() {
		return errNoExpiry
	}
	if err := b.revoke(ctx, b.client, b.tokenKey(tokenID), until).Err(); err != nil {
		return fmt.Errorf("revoke access token: %w", err)
	}
	return nil
}

// RevokeSessions blacklists every access token of the sessions until until.
func (b *TokenBlacklist) RevokeSessions(ctx context.Context, sessionIDs []string, until time.Time) error {
	if len(sessionIDs) == 0 {
		return nil
	}
	if until.IsZero() {
		return errNoExpiry
	}
	_, err := b.client.Pipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range sessionIDs {
			b.revoke(ctx, p, b.sessionKey(id), until)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("revoke sessions: %w", err)
	}
	return nil
}

// IsRevoked asks about the token and its session in one round trip.
func (b *TokenBlacklist) IsRevoked(ctx context.Context, tokenID, sessionID string) (bool, error) {
	n, err := b.client.Exists(ctx, b.tokenKey(tokenID), b.sessionKey(sessionID)).Result()
	if err != nil {
		return false, fmt.Errorf("check revoked token: %w", err)
	}
	return n > 0, nil
}

// revoke sets key to expire at until, an absolute time (EXAT/PXAT), so no local
// clock is read. A time already past stores nothing: Redis drops such a key at once.
func (b *TokenBlacklist) revoke(ctx context.Context, c redis.Cmdable, key string, until time.Time) *redis.StatusCmd {
	return c.SetArgs(ctx, key, 1, redis.SetArgs{ExpireAt: until})
}

func (b *TokenBlacklist) tokenKey(id string) string   { return b.prefix + "revoked:jti:" + id }
func (b *TokenBlacklist) sessionKey(id string) string { return b.prefix + "revoked:sid:" + id }
