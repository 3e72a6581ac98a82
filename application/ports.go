// Package application holds the use cases, one file each, and the ports they need.
// Ports are declared here, on the consumer side; adapters implement them.
package application

//go:generate go tool mockgen -source=ports.go -destination=mock/ports.go -package=mock

import (
	"context"
	"time"

	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

// Clock tells the time; use cases never call time.Now themselves.
type Clock interface {
	Now() time.Time
}

// Transactor runs fn in one database transaction. The transaction travels in the
// context given to fn: stores called with that context take part in it. fn may
// run only once; side effects outside the database belong after it returns.
type Transactor interface {
	WithinTx(ctx context.Context, fn func(ctx context.Context) error) error
}

// MemberStore keeps members. Create and UpdateProfile turn unique violations into
// member.ErrEmailTaken and member.ErrNicknameTaken; lookups of a missing member
// return member.ErrNotFound.
type MemberStore interface {
	Create(ctx context.Context, m *member.Member) (id int64, err error)
	ByID(ctx context.Context, id int64) (*member.Member, error)
	ByEmail(ctx context.Context, email member.Email) (*member.Member, error)
	EmailExists(ctx context.Context, email member.Email) (bool, error)
	NicknameExists(ctx context.Context, nickname member.Nickname) (bool, error)
	UpdateProfile(ctx context.Context, m *member.Member) error
	UpdatePasswordHash(ctx context.Context, memberID int64, hash string) error
}

// PointStore changes balances with conditional writes and keeps the ledger.
type PointStore interface {
	// Charge adds amount to total and available and returns the new balance.
	Charge(ctx context.Context, memberID int64, amount point.Amount) (point.Balance, error)
	// Refund takes amount from total and available only when available >= amount,
	// else returns point.ErrInsufficientPoints and changes nothing.
	Refund(ctx context.Context, memberID int64, amount point.Amount) (point.Balance, error)
	AppendLedger(ctx context.Context, entry point.LedgerEntry) error
	// History lists a page of a member's ledger entries newest first.
	History(ctx context.Context, memberID int64, page PageRequest) (StoredPage[point.LedgerEntry], error)
}

// PasswordHasher hashes passwords with a slow, salted algorithm.
type PasswordHasher interface {
	Hash(password member.Password) (string, error)
	// Matches reports whether plain is the password behind hash. With an empty
	// hash it still spends the time of a comparison, so that an unknown email
	// cannot be told from a wrong password by timing.
	Matches(hash, plain string) bool
}

// AccessClaims is what a valid access token says.
type AccessClaims struct {
	MemberID  int64
	TokenID   string
	SessionID string
	IssuedAt  time.Time
	ExpiresAt time.Time
}

// AccessTokens issues and checks signed access tokens (JWT).
type AccessTokens interface {
	Issue(memberID int64, sessionID string, now time.Time) (token string, claims AccessClaims, err error)
	// Parse verifies signature, algorithm and times: auth.ErrTokenExpired for an
	// expired token, auth.ErrUnauthenticated for anything else wrong.
	Parse(token string, now time.Time) (AccessClaims, error)
	TTL() time.Duration
}

// Secrets makes the random values of authentication.
type Secrets interface {
	// VerificationCode returns 6 decimal digits from a cryptographic source.
	VerificationCode() (string, error)
	// RefreshToken returns an opaque token with at least 256 bits of entropy.
	RefreshToken() (string, error)
	// SessionID returns a new unique session identifier.
	SessionID() (string, error)
	// StreamTicket returns an opaque ticket with at least 256 bits of entropy.
	StreamTicket() (string, error)
}

// SessionStore keeps login sessions and their chain of refresh tokens. Tokens
// are given in plain and stored hashed.
type SessionStore interface {
	CreateSession(ctx context.Context, sessionID string, memberID int64, now time.Time) error
	AddRefreshToken(ctx context.Context, token, sessionID string, expiresAt time.Time) error
	// RefreshToken looks a token up; auth.ErrUnauthenticated when unknown.
	RefreshToken(ctx context.Context, token string) (auth.RefreshToken, error)
	// MarkRefreshTokenUsed uses the token up; false when it was already used.
	MarkRefreshTokenUsed(ctx context.Context, token string, now time.Time) (bool, error)
	RevokeSession(ctx context.Context, sessionID string, now time.Time) error
	// RevokeMemberSessions revokes every open session of a member and returns their ids.
	RevokeMemberSessions(ctx context.Context, memberID int64, now time.Time) ([]string, error)
	// IsSessionRevoked reports whether a session has ended (an unknown one has).
	IsSessionRevoked(ctx context.Context, sessionID string) (bool, error)
}

// TokenBlacklist remembers revoked access tokens and sessions until their access
// tokens would have expired anyway.
type TokenBlacklist interface {
	RevokeAccessToken(ctx context.Context, tokenID string, until time.Time) error
	RevokeSessions(ctx context.Context, sessionIDs []string, until time.Time) error
	IsRevoked(ctx context.Context, tokenID, sessionID string) (bool, error)
}

// VerificationCodes keeps verification codes hashed, each for one purpose and email.
type VerificationCodes interface {
	// Save stores a new code, replacing any earlier one, with a fresh try count.
	Save(ctx context.Context, purpose auth.Purpose, email member.Email, code string, ttl time.Duration) error
	// Check returns auth.ErrInvalidVerificationCode for a missing, expired or wrong
	// code; a wrong code uses up one of MaxVerificationTries, after which the code is void.
	Check(ctx context.Context, purpose auth.Purpose, email member.Email, code string) error
	Delete(ctx context.Context, purpose auth.Purpose, email member.Email) error
}

// MaxVerificationTries is how many wrong codes void a verification code.
const MaxVerificationTries = 5

// RateRule allows at most Limit events per key in any sliding Window.
type RateRule struct {
	Name   string
	Limit  int
	Window time.Duration
}

// RateLimiter counts events per rule and key, shared by every instance.
type RateLimiter interface {
	// Take counts one event, or returns *RateLimitedError when the rule is already used up.
	Take(ctx context.Context, rule RateRule, key string) error
	// Check returns *RateLimitedError when the rule is used up, without counting.
	Check(ctx context.Context, rule RateRule, key string) error
	// Record counts one event without checking.
	Record(ctx context.Context, rule RateRule, key string) error
}

// Mail is a plain-text message to one recipient.
type Mail struct {
	To      string
	Subject string
	Text    string
}

// Mailer sends a mail now.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// OutboxMail is a mail waiting in the outbox.
type OutboxMail struct {
	ID       int64
	Mail     Mail
	Attempts int
}

// MailOutbox is the transactional outbox: Enqueue joins the caller's transaction,
// and the delivery side leases due mails so that several instances never send
// the same one at once.
type MailOutbox interface {
	Enqueue(ctx context.Context, m Mail) error
	// ClaimDue leases up to limit due mails for lease; an unsent mail whose lease
	// ran out (its sender crashed) is due again.
	ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]OutboxMail, error)
	MarkSent(ctx context.Context, id int64, now time.Time) error
	// MarkFailed records a failed attempt; a zero retryAt gives the mail up.
	MarkFailed(ctx context.Context, id int64, attempts int, retryAt time.Time, reason string) error
	// Pending counts mails not yet sent nor given up (the backlog).
	Pending(ctx context.Context) (int, error)
}
