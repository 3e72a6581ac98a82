package redis_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	redisadapter "github.com/artauction/artauction/adapters/redis"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
)

const alice = member.Email("alice@example.com")

func newCodes(t *testing.T) *redisadapter.VerificationCodes {
	t.Helper()
	client, prefix := redistest.New(t)
	codes, err := redisadapter.NewVerificationCodes(client, prefix, []byte("code secret"))
	require.NoError(t, err)
	return codes
}

func TestNewVerificationCodesNeedsSecret(t *testing.T) {
	client, prefix := redistest.New(t)
	_, err := redisadapter.NewVerificationCodes(client, prefix, nil)
	require.Error(t, err)
}

func TestVerificationCodeRightCode(t *testing.T) {
	codes := newCodes(t)
	ctx := t.Context()
	require.NoError(t, codes.Save(ctx, auth.PurposeSignup, alice, "123456", time.Minute))

	require.NoError(t, codes.Check(ctx, auth.PurposeSignup, alice, "123456"))
	require.NoError(t, codes.Check(ctx, auth.PurposeSignup, alice, "123456"), "checking does not use the code up")

	require.NoError(t, codes.Delete(ctx, auth.PurposeSignup, alice))
	require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "123456"), auth.ErrInvalidVerificationCode)
	require.NoError(t, codes.Delete(ctx, auth.PurposeSignup, alice), "deleting a missing code is fine")
}

func TestVerificationCodeMissing(t *testing.T) {
	codes := newCodes(t)
	require.ErrorIs(t, codes.Check(t.Context(), auth.PurposeSignup, alice, "123456"), auth.ErrInvalidVerificationCode)
}

func TestVerificationCodeWrongTries(t *testing.T) {
	codes := newCodes(t)
	ctx := t.Context()
	require.NoError(t, codes.Save(ctx, auth.PurposeSignup, alice, "123456", time.Minute))

	for range application.MaxVerificationTries - 1 {
		require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "654321"), auth.ErrInvalidVerificationCode)
	}
	require.NoError(t, codes.Check(ctx, auth.PurposeSignup, alice, "123456"), "fewer wrong tries than the maximum leave the code valid")

	require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "000000"), auth.ErrInvalidVerificationCode)
	require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "123456"), auth.ErrInvalidVerificationCode,
		"the last wrong try voids the code")
}

func TestVerificationCodeSaveResetsTries(t *testing.T) {
	codes := newCodes(t)
	ctx := t.Context()
	require.NoError(t, codes.Save(ctx, auth.PurposeSignup, alice, "111111", time.Minute))
	for range application.MaxVerificationTries - 1 {
		require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "999999"), auth.ErrInvalidVerificationCode)
	}
	require.NoError(t, codes.Save(ctx, auth.PurposeSignup, alice, "222222", time.Minute))

	require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "111111"), auth.ErrInvalidVerificationCode, "the earlier code is replaced")
	for range application.MaxVerificationTries - 2 {
		require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "999999"), auth.ErrInvalidVerificationCode)
	}
	require.NoError(t, codes.Check(ctx, auth.PurposeSignup, alice, "222222"))
}

func TestVerificationCodeConcurrentGuesses(t *testing.T) {
	codes := newCodes(t)
	ctx := t.Context()
	require.NoError(t, codes.Save(ctx, auth.PurposeSignup, alice, "123456", time.Minute))

	var wg sync.WaitGroup
	for range 3 * application.MaxVerificationTries {
		wg.Go(func() {
			assert.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "654321"), auth.ErrInvalidVerificationCode)
		})
	}
	wg.Wait()
	require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "123456"), auth.ErrInvalidVerificationCode)
}

func TestVerificationCodeExpires(t *testing.T) {
	codes := newCodes(t)
	ctx := t.Context()
	require.NoError(t, codes.Save(ctx, auth.PurposeSignup, alice, "123456", 200*time.Millisecond))
	require.NoError(t, codes.Check(ctx, auth.PurposeSignup, alice, "123456"))
	require.Eventually(t, func() bool {
		return codes.Check(ctx, auth.PurposeSignup, alice, "123456") != nil
	}, 3*time.Second, 50*time.Millisecond)
	require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "123456"), auth.ErrInvalidVerificationCode)
}

func TestVerificationCodeSaveRefusesNoTTL(t *testing.T) {
	codes := newCodes(t)
	require.Error(t, codes.Save(t.Context(), auth.PurposeSignup, alice, "123456", 0))
}

func TestVerificationCodesIsolated(t *testing.T) {
	codes := newCodes(t)
	ctx := t.Context()
	bob := member.Email("bob@example.com")
	require.NoError(t, codes.Save(ctx, auth.PurposeSignup, alice, "123456", time.Minute))
	require.NoError(t, codes.Save(ctx, auth.PurposePasswordReset, bob, "654321", time.Minute))

	require.ErrorIs(t, codes.Check(ctx, auth.PurposePasswordReset, alice, "123456"), auth.ErrInvalidVerificationCode)
	require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, bob, "123456"), auth.ErrInvalidVerificationCode)
	require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, bob, "654321"), auth.ErrInvalidVerificationCode)

	// Voiding alice's code leaves bob's alone.
	for range application.MaxVerificationTries {
		require.ErrorIs(t, codes.Check(ctx, auth.PurposeSignup, alice, "000000"), auth.ErrInvalidVerificationCode)
	}
	require.NoError(t, codes.Check(ctx, auth.PurposePasswordReset, bob, "654321"))
	require.NoError(t, codes.Delete(ctx, auth.PurposeSignup, alice))
	require.NoError(t, codes.Check(ctx, auth.PurposePasswordReset, bob, "654321"))
}

func TestVerificationCodeStoredHashed(t *testing.T) {
	client, prefix := redistest.New(t)
	ctx := t.Context()
	codes, err := redisadapter.NewVerificationCodes(client, prefix, []byte("code secret"))
	require.NoError(t, err)
	require.NoError(t, codes.Save(ctx, auth.PurposeSignup, alice, "123456", time.Minute))

	key := prefix + "verification:signup:alice@example.com"
	stored, err := client.HGetAll(ctx, key).Result()
	require.NoError(t, err)
	require.NotEmpty(t, stored)
	for field, value := range stored {
		assert.NotContains(t, value, "123456", field)
	}
	ttl, err := client.PTTL(ctx, key).Result()
	require.NoError(t, err)
	assert.InDelta(t, time.Minute, ttl, float64(5*time.Second))

	other, err := redisadapter.NewVerificationCodes(client, prefix, []byte("another secret"))
	require.NoError(t, err)
	require.ErrorIs(t, other.Check(ctx, auth.PurposeSignup, alice, "123456"), auth.ErrInvalidVerificationCode,
		"the hash depends on the secret")
}
