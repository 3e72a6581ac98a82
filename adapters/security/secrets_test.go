package security_test

import (
	"encoding/base64"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/security"
)

func TestVerificationCode(t *testing.T) {
	s := security.NewRandomSecrets()
	sixDigits := regexp.MustCompile(`^[0-9]{6}$`)
	const n = 20000
	var perPosition [6][10]int
	seen := map[string]bool{}
	for range n {
		code, err := s.VerificationCode()
		require.NoError(t, err)
		require.Regexp(t, sixDigits, code)
		seen[code] = true
		for i, c := range code {
			perPosition[i][c-'0']++
		}
	}
	// Each digit should appear about n/10 = 2000 times at each position; 1500..2500
	// is more than 11 standard deviations wide, so a fair source never fails it.
	for i, counts := range perPosition {
		for d, c := range counts {
			assert.InDelta(t, n/10, c, 500, "digit %d at position %d", d, i)
		}
	}
	// Leading zeros must appear: 20000 draws without one has probability 0.9^20000.
	assert.Positive(t, perPosition[0][0])
	assert.Greater(t, len(seen), n*9/10, "codes rarely repeat")
}

func TestRefreshToken(t *testing.T) {
	s := security.NewRandomSecrets()
	a, err := s.RefreshToken()
	require.NoError(t, err)
	b, err := s.RefreshToken()
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	raw, err := base64.RawURLEncoding.DecodeString(a)
	require.NoError(t, err)
	assert.Len(t, raw, 32)
}

func TestSessionID(t *testing.T) {
	s := security.NewRandomSecrets()
	a, err := s.SessionID()
	require.NoError(t, err)
	b, err := s.SessionID()
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.Regexp(t, `^[0-9a-f]{32}$`, a)
}

func TestStreamTicketIsURLSafeAnd256Bits(t *testing.T) {
	s := security.NewRandomSecrets()
	a, err := s.StreamTicket()
	require.NoError(t, err)
	b, err := s.StreamTicket()
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.Regexp(t, `^[A-Za-z0-9_-]{43}$`, a, "travels in a query string without escaping")
	raw, err := base64.RawURLEncoding.DecodeString(a)
	require.NoError(t, err)
	assert.Len(t, raw, 32)
}
