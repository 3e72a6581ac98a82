package security

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/big"

	"github.com/artauction/artauction/application"
)

var _ application.Secrets = RandomSecrets{}

var codeSpace = big.NewInt(1_000_000)

// RandomSecrets draws authentication secrets from crypto/rand.
type RandomSecrets struct{}

// NewRandomSecrets returns the secrets source.
func NewRandomSecrets() RandomSecrets { return RandomSecrets{} }

// VerificationCode returns 6 decimal digits, uniform over 000000..999999.
func (RandomSecrets) VerificationCode() (string, error) {
	n, err := rand.Int(rand.Reader, codeSpace)
	if err != nil {
		return "", fmt.Errorf("random verification code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// RefreshToken returns 256 random bits, base64url without padding.
func (RandomSecrets) RefreshToken() (string, error) {
	b, err := randomBytes(32)
	if err != nil {
		return "", fmt.Errorf("random refresh token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// StreamTicket returns 256 random bits, base64url without padding: it
// travels in a URL.
func (RandomSecrets) StreamTicket() (string, error) {
	b, err := randomBytes(32)
	if err != nil {
		return "", fmt.Errorf("random stream ticket: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SessionID returns 128 random bits in hex.
func (RandomSecrets) SessionID() (string, error) {
	id, err := randomHex128()
	if err != nil {
		return "", fmt.Errorf("random session id: %w", err)
	}
	return id, nil
}

// randomHex128 makes identifiers (session ids, token ids) that never collide in practice.
func randomHex128() (string, error) {
	b, err := randomBytes(16)
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func randomBytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return nil, fmt.Errorf("read crypto/rand: %w", err)
	}
	return b, nil
}
