package security

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"golang.org/x/crypto/bcrypt"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
)

var _ application.PasswordHasher = (*BcryptHasher)(nil)

// MinBcryptCost is the lowest cost accepted; below it hashes are too cheap to brute-force.
const MinBcryptCost = 10

// BcryptHasher hashes passwords with bcrypt.
//
// bcrypt reads at most 72 bytes and x/crypto refuses longer input, while the
// password policy allows 64 characters of up to 4 bytes each. Every password is
// therefore first reduced to its base64 SHA-256 digest (44 bytes, no NUL), so
// that every byte of a long password counts.
type BcryptHasher struct {
	cost int
	// dummy is compared against when there is no hash, so that an unknown
	// account costs the same time as a wrong password.
	dummy []byte
}

// NewBcryptHasher returns a hasher of the given cost (MinBcryptCost to bcrypt.MaxCost).
func NewBcryptHasher(cost int) (*BcryptHasher, error) {
	if cost < MinBcryptCost || cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("bcrypt cost %d out of range %d..%d", cost, MinBcryptCost, bcrypt.MaxCost)
	}
	dummy, err := bcrypt.GenerateFromPassword(digest("dummy password"), cost)
	if err != nil {
		return nil, fmt.Errorf("make dummy bcrypt hash: %w", err)
	}
	return &BcryptHasher{cost: cost, dummy: dummy}, nil
}

// Hash returns the bcrypt hash of password.
func (h *BcryptHasher) Hash(password member.Password) (string, error) {
	hash, err := bcrypt.GenerateFromPassword(digest(password.String()), h.cost)
	if err != nil {
		return "", fmt.Errorf("bcrypt hash: %w", err)
	}
	return string(hash), nil
}

// Matches reports whether plain is the password behind hash. An empty hash is
// never matched but still costs one comparison.
func (h *BcryptHasher) Matches(hash, plain string) bool {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(h.dummy, digest(plain))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), digest(plain)) == nil
}

func digest(plain string) []byte {
	sum := sha256.Sum256([]byte(plain))
	return []byte(base64.StdEncoding.EncodeToString(sum[:]))
}
