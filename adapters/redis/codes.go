package redis

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
)

var _ application.VerificationCodes = (*VerificationCodes)(nil)

// VerificationCodes keeps each code as a hash holding the code's HMAC and the
// count of wrong tries, expiring with the code.
type VerificationCodes struct {
	client *redis.Client
	prefix string
	macKey []byte // derived from the secret given
}

// NewVerificationCodes stores codes under keys starting with prefix. secret keys
// the HMAC: a 6-digit code hashed without one is found by trying all a million.
// The key actually used is derived from secret for this purpose alone, so the
// same secret may also serve elsewhere (e.g. to sign tokens).
func NewVerificationCodes(client *redis.Client, prefix string, secret []byte) (*VerificationCodes, error) {
	if len(secret) == 0 {
		return nil, errors.New("verification code secret is empty")
	}
	derive := hmac.New(sha256.New, secret)
	derive.Write([]byte("artauction verification codes"))
	return &VerificationCodes{client: client, prefix: prefix, macKey: derive.Sum(nil)}, nil
}

// checkCode compares the code and counts a wrong one in a single step, so that
// concurrent guesses cannot get past MaxVerificationTries.
// KEYS[1] the code; ARGV[1] the HMAC tried, ARGV[2] MaxVerificationTries.
// Returns 1 when the code matches, 0 otherwise.
var checkCode = redis.NewScript(`
local stored = redis.call('HGET', KEYS[1], 'mac')
if not stored then
  return 0
end
if stored == ARGV[1] then
  return 1
end
local tries = redis.call('HINCRBY', KEYS[1], 'tries', 1)
if tries >= tonumber(ARGV[2]) then
  redis.call('DEL', KEYS[1])
end
return 0
`)

// Save stores code, replacing an earlier one and its tries.
func (c *VerificationCodes) Save(ctx context.Context, purpose auth.Purpose, email member.Email, code string, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("save verification code: ttl %s is not positive", ttl)
	}
	key := c.key(purpose, email)
	_, err := c.client.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Del(ctx, key)
		p.HSet(ctx, key, "mac", c.mac(purpose, email, code), "tries", 0)
		p.PExpire(ctx, key, ttl)
		return nil
	})
	if err != nil {
		return fmt.Errorf("save verification code: %w", err)
	}
	return nil
}

// Check accepts the right code without using it up; Delete does that.
func (c *VerificationCodes) Check(ctx context.Context, purpose auth.Purpose, email member.Email, code string) error {
	matched, err := checkCode.Run(ctx, c.client, []string{c.key(purpose, email)},
		c.mac(purpose, email, code), application.MaxVerificationTries).Int()
	if err != nil {
		return fmt.Errorf("check verification code: %w", err)
	}
	if matched != 1 {
		return auth.ErrInvalidVerificationCode
	}
	return nil
}

// Delete removes the code; deleting a missing code is not an error.
func (c *VerificationCodes) Delete(ctx context.Context, purpose auth.Purpose, email member.Email) error {
	if err := c.client.Del(ctx, c.key(purpose, email)).Err(); err != nil {
		return fmt.Errorf("delete verification code: %w", err)
	}
	return nil
}

func (c *VerificationCodes) key(purpose auth.Purpose, email member.Email) string {
	return c.prefix + "verification:" + string(purpose) + ":" + email.String()
}

// mac binds the code to its purpose and email, so equal codes stored for two
// addresses do not look alike.
func (c *VerificationCodes) mac(purpose auth.Purpose, email member.Email, code string) string {
	h := hmac.New(sha256.New, c.macKey)
	h.Write([]byte(string(purpose) + "\x00" + email.String() + "\x00" + code))
	return hex.EncodeToString(h.Sum(nil))
}
