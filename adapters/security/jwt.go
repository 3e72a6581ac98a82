package security

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auth"
)

var _ application.AccessTokens = (*JWTAccessTokens)(nil)

// JWTAccessTokens issues and checks HS256-signed JWT access tokens.
type JWTAccessTokens struct {
	secret []byte
	ttl    time.Duration
}

// accessClaims is the token body: sub is the member id, sid the login session.
type accessClaims struct {
	jwt.RegisteredClaims
	SessionID string `json:"sid"`
}

// NewJWTAccessTokens returns tokens signed with secret and valid for ttl.
func NewJWTAccessTokens(secret []byte, ttl time.Duration) (*JWTAccessTokens, error) {
	if len(secret) == 0 {
		return nil, errors.New("jwt secret is empty")
	}
	if ttl <= 0 {
		return nil, fmt.Errorf("access token ttl %s is not positive", ttl)
	}
	return &JWTAccessTokens{secret: append([]byte(nil), secret...), ttl: ttl}, nil
}

// TTL is how long an access token lives.
func (t *JWTAccessTokens) TTL() time.Duration { return t.ttl }

// Issue signs a new token for a member's session. The returned claims carry the
// times as they are in the token (whole seconds).
func (t *JWTAccessTokens) Issue(memberID int64, sessionID string, now time.Time) (string, application.AccessClaims, error) {
	tokenID, err := randomHex128()
	if err != nil {
		return "", application.AccessClaims{}, fmt.Errorf("make token id: %w", err)
	}
	claims := accessClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(memberID, 10),
			ID:        tokenID,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.ttl)),
		},
		SessionID: sessionID,
	}
	signed, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(t.secret)
	if err != nil {
		return "", application.AccessClaims{}, fmt.Errorf("sign access token: %w", err)
	}
	return signed, application.AccessClaims{
		MemberID:  memberID,
		TokenID:   tokenID,
		SessionID: sessionID,
		IssuedAt:  claims.IssuedAt.Time,
		ExpiresAt: claims.ExpiresAt.Time,
	}, nil
}

// Parse verifies a token at time now. The algorithm is pinned to HS256 so that a
// token cannot choose "none" or another key type, and base64 is decoded
// strictly so that only the token as issued is accepted, not variants in the
// unused bits of its last character.
func (t *JWTAccessTokens) Parse(token string, now time.Time) (application.AccessClaims, error) {
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithStrictDecoding(),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	var claims accessClaims
	_, err := parser.ParseWithClaims(token, &claims, func(*jwt.Token) (any, error) { return t.secret, nil })
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return application.AccessClaims{}, auth.ErrTokenExpired
	case err != nil:
		return application.AccessClaims{}, fmt.Errorf("%w: %w", auth.ErrUnauthenticated, err)
	}
	memberID, err := strconv.ParseInt(claims.Subject, 10, 64)
	switch {
	// Only the canonical form: "+42" or "042" was never issued for member 42.
	case err != nil || memberID <= 0 || strconv.FormatInt(memberID, 10) != claims.Subject:
		return application.AccessClaims{}, fmt.Errorf("%w: bad subject %q", auth.ErrUnauthenticated, claims.Subject)
	case claims.ID == "":
		return application.AccessClaims{}, fmt.Errorf("%w: missing jti", auth.ErrUnauthenticated)
	case claims.SessionID == "":
		return application.AccessClaims{}, fmt.Errorf("%w: missing sid", auth.ErrUnauthenticated)
	case claims.IssuedAt == nil:
		return application.AccessClaims{}, fmt.Errorf("%w: missing iat", auth.ErrUnauthenticated)
	}
	return application.AccessClaims{
		MemberID:  memberID,
		TokenID:   claims.ID,
		SessionID: claims.SessionID,
		IssuedAt:  claims.IssuedAt.Time,
		ExpiresAt: claims.ExpiresAt.Time,
	}, nil
}
