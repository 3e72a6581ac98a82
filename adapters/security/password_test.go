package security_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/bcrypt"

	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/domain/member"
)

func TestNewBcryptHasherValidatesCost(t *testing.T) {
	for _, cost := range []int{0, 4, security.MinBcryptCost - 1, bcrypt.MaxCost + 1} {
		_, err := security.NewBcryptHasher(cost)
		require.Error(t, err, "cost %d", cost)
	}
}

func TestBcryptHasher(t *testing.T) {
	h, err := security.NewBcryptHasher(security.MinBcryptCost)
	require.NoError(t, err)

	hash, err := h.Hash(member.Password("s3cret!pass"))
	require.NoError(t, err)
	cost, err := bcrypt.Cost([]byte(hash))
	require.NoError(t, err)
	assert.Equal(t, security.MinBcryptCost, cost)

	assert.True(t, h.Matches(hash, "s3cret!pass"))
	assert.False(t, h.Matches(hash, "s3cret!pasS"))
	assert.False(t, h.Matches(hash, ""))
	assert.False(t, h.Matches("", "s3cret!pass"), "no hash never matches")
	assert.False(t, h.Matches("not a bcrypt hash", "s3cret!pass"))

	again, err := h.Hash(member.Password("s3cret!pass"))
	require.NoError(t, err)
	assert.NotEqual(t, hash, again, "salted")
}

func TestBcryptHasherLongPasswords(t *testing.T) {
	h, err := security.NewBcryptHasher(security.MinBcryptCost)
	require.NoError(t, err)
	// 64 Hangul characters are 192 bytes, beyond bcrypt's 72; the tail must still count.
	long := strings.Repeat("가", 63) + "1"
	hash, err := h.Hash(member.Password(long))
	require.NoError(t, err)
	assert.True(t, h.Matches(hash, long))
	assert.False(t, h.Matches(hash, strings.Repeat("가", 63)+"2"))
}
