package security_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/domain/auth"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	now    = time.Date(2025, 3, 1, 12, 0, 0, 500_000_000, time.UTC)
)

func newTokens(t *testing.T) *security.JWTAccessTokens {
	t.Helper()
	tokens, err := security.NewJWTAccessTokens(secret, 15*time.Minute)
	require.NoError(t, err)
	return tokens
}

// validClaims are the claims of a well-formed token issued at now.
func validClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub": "42",
		"jti": "5f2b0c9e4d1a4b8f9a7e6c5d4b3a2f10",
		"sid": "session-1",
		"iat": now.Unix(),
		"exp": now.Add(time.Minute).Unix(),
	}
}

func sign(t *testing.T, method jwt.SigningMethod, claims jwt.MapClaims, key any) string {
	t.Helper()
	token, err := jwt.NewWithClaims(method, claims).SignedString(key)
	require.NoError(t, err)
	return token
}

func TestNewJWTAccessTokensValidates(t *testing.T) {
	_, err := security.NewJWTAccessTokens(nil, time.Minute)
	require.Error(t, err)
	_, err = security.NewJWTAccessTokens(secret, 0)
	require.Error(t, err)
	_, err = security.NewJWTAccessTokens(secret, -time.Second)
	require.Error(t, err)
}

func TestJWTRoundTrip(t *testing.T) {
	tokens := newTokens(t)
	assert.Equal(t, 15*time.Minute, tokens.TTL())

	token, issued, err := tokens.Issue(42, "session-1", now)
	require.NoError(t, err)
	assert.Equal(t, int64(42), issued.MemberID)
	assert.Equal(t, "session-1", issued.SessionID)
	assert.Len(t, issued.TokenID, 32)
	assert.True(t, issued.IssuedAt.Equal(now.Truncate(time.Second)))
	assert.True(t, issued.ExpiresAt.Equal(now.Add(15*time.Minute).Truncate(time.Second)))

	parsed, err := tokens.Parse(token, now.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, issued.MemberID, parsed.MemberID)
	assert.Equal(t, issued.TokenID, parsed.TokenID)
	assert.Equal(t, issued.SessionID, parsed.SessionID)
	assert.True(t, issued.IssuedAt.Equal(parsed.IssuedAt))
	assert.True(t, issued.ExpiresAt.Equal(parsed.ExpiresAt))

	other, second, err := tokens.Issue(42, "session-1", now)
	require.NoError(t, err)
	assert.NotEqual(t, token, other)
	assert.NotEqual(t, issued.TokenID, second.TokenID, "every token has its own jti")
}

func TestJWTExpired(t *testing.T) {
	tokens := newTokens(t)
	token, claims, err := tokens.Issue(42, "session-1", now)
	require.NoError(t, err)

	_, err = tokens.Parse(token, claims.ExpiresAt.Add(-time.Nanosecond))
	require.NoError(t, err)
	_, err = tokens.Parse(token, claims.ExpiresAt)
	require.ErrorIs(t, err, auth.ErrTokenExpired)
	_, err = tokens.Parse(token, claims.ExpiresAt.Add(time.Hour))
	require.ErrorIs(t, err, auth.ErrTokenExpired)
	assert.NotErrorIs(t, err, auth.ErrUnauthenticated)
}

func TestJWTIssuedInTheFutureRefused(t *testing.T) {
	tokens := newTokens(t)
	token, _, err := tokens.Issue(42, "session-1", now)
	require.NoError(t, err)
	_, err = tokens.Parse(token, now.Add(-time.Minute))
	require.ErrorIs(t, err, auth.ErrUnauthenticated)
}

func TestJWTRefused(t *testing.T) {
	tokens := newTokens(t)
	good, _, err := tokens.Issue(42, "session-1", now)
	require.NoError(t, err)
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	without := func(claim string) jwt.MapClaims {
		c := validClaims()
		delete(c, claim)
		return c
	}
	with := func(claim string, v any) jwt.MapClaims {
		c := validClaims()
		c[claim] = v
		return c
	}
	parts := strings.Split(good, ".")
	tampered := parts[0] + "." + parts[1] + "." + flipFirst(parts[2])
	otherBody := strings.Split(sign(t, jwt.SigningMethodHS256, with("sub", "43"), secret), ".")[1]

	cases := map[string]string{
		"empty":              "",
		"garbage":            "not.a.token",
		"tampered signature": tampered,
		"swapped body":       parts[0] + "." + otherBody + "." + parts[2],
		"alg none":           sign(t, jwt.SigningMethodNone, validClaims(), jwt.UnsafeAllowNoneSignatureType),
		"HS512":              sign(t, jwt.SigningMethodHS512, validClaims(), secret),
		"HS384":              sign(t, jwt.SigningMethodHS384, validClaims(), secret),
		"RS256":              sign(t, jwt.SigningMethodRS256, validClaims(), rsaKey),
		"ES256":              sign(t, jwt.SigningMethodES256, validClaims(), ecKey),
		"wrong secret":       sign(t, jwt.SigningMethodHS256, validClaims(), []byte("another secret of enough length!")),
		"missing jti":        sign(t, jwt.SigningMethodHS256, without("jti"), secret),
		"empty jti":          sign(t, jwt.SigningMethodHS256, with("jti", ""), secret),
		"missing sid":        sign(t, jwt.SigningMethodHS256, without("sid"), secret),
		"missing sub":        sign(t, jwt.SigningMethodHS256, without("sub"), secret),
		"non-numeric sub":    sign(t, jwt.SigningMethodHS256, with("sub", "alice"), secret),
		"zero sub":           sign(t, jwt.SigningMethodHS256, with("sub", "0"), secret),
		"missing exp":        sign(t, jwt.SigningMethodHS256, without("exp"), secret),
		"missing iat":        sign(t, jwt.SigningMethodHS256, without("iat"), secret),
		"sid not a string":   sign(t, jwt.SigningMethodHS256, with("sid", 7), secret),
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := tokens.Parse(token, now.Add(time.Second))
			require.ErrorIs(t, err, auth.ErrUnauthenticated)
		})
	}

	// The hand-made valid token is accepted, so the cases above fail for their own reason.
	claims, err := tokens.Parse(sign(t, jwt.SigningMethodHS256, validClaims(), secret), now.Add(time.Second))
	require.NoError(t, err)
	assert.Equal(t, int64(42), claims.MemberID)
}

// flipFirst changes the first character of a base64url segment.
func flipFirst(s string) string {
	if s[0] == 'A' {
		return "B" + s[1:]
	}
	return "A" + s[1:]
}

// Base64 leaves two bits of an HS256 signature's last character unused; a
// token that differs only there decodes to the same signature, but it is not
// the token that was issued, so strict decoding refuses it.
func TestJWTNonCanonicalSignatureRefused(t *testing.T) {
	tokens := newTokens(t)
	token, _, err := tokens.Issue(42, "session-1", now)
	require.NoError(t, err)
	header, body, signature := splitToken(t, token)

	_, err = tokens.Parse(header+"."+body+"."+withSlackBitSet(signature), now.Add(time.Second))

	require.ErrorIs(t, err, auth.ErrUnauthenticated)
	_, err = tokens.Parse(token, now.Add(time.Second))
	require.NoError(t, err, "the token as issued is accepted")
}
