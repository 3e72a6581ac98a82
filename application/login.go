package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
)

// Rate limits of the OpenAPI document for logins.
var (
	LoginsPerIPMinute       = RateRule{Name: "login_ip_minute", Limit: 60, Window: time.Minute}
	FailedLoginsPerEmail15m = RateRule{Name: "login_failed_email", Limit: 10, Window: 15 * time.Minute}
)

// LoginCommand carries credentials and where they came from.
type LoginCommand struct {
	Email    string
	Password string
	ClientIP string
}

// Login starts a session and issues its first tokens.
type Login struct {
	members MemberStore
	hasher  PasswordHasher
	limiter RateLimiter
	clock   Clock
	tx      Transactor
	tokens  sessionTokens
}

// NewLogin builds the use case; refreshTTL is how long a refresh token lives.
func NewLogin(members MemberStore, hasher PasswordHasher, sessions SessionStore, access AccessTokens,
	secrets Secrets, limiter RateLimiter, clock Clock, tx Transactor, refreshTTL time.Duration) *Login {
	return &Login{
		members: members, hasher: hasher, limiter: limiter, clock: clock, tx: tx,
		tokens: sessionTokens{access: access, sessions: sessions, secrets: secrets, refreshTTL: refreshTTL},
	}
}

// Execute answers auth.ErrInvalidCredentials alike for an unknown email and a
// wrong password.
func (uc *Login) Execute(ctx context.Context, cmd LoginCommand) (TokenPair, error) {
	if err := uc.limiter.Take(ctx, LoginsPerIPMinute, cmd.ClientIP); err != nil {
		return TokenPair{}, fmt.Errorf("login rate limit: %w", err)
	}
	email, err := member.NewEmail(cmd.Email)
	if err != nil {
		// A malformed email cannot belong to anyone: the same answer as a wrong one.
		uc.hasher.Matches("", cmd.Password)
		return TokenPair{}, auth.ErrInvalidCredentials
	}
	if err := uc.limiter.Check(ctx, FailedLoginsPerEmail15m, email.String()); err != nil {
		return TokenPair{}, fmt.Errorf("failed login limit: %w", err)
	}
	m, err := uc.members.ByEmail(ctx, email)
	if err != nil && !errors.Is(err, member.ErrNotFound) {
		return TokenPair{}, fmt.Errorf("find member: %w", err)
	}
	hash := ""
	if m != nil {
		hash = m.PasswordHash()
	}
	if !uc.hasher.Matches(hash, cmd.Password) || m == nil {
		if err := uc.limiter.Record(ctx, FailedLoginsPerEmail15m, email.String()); err != nil {
			return TokenPair{}, fmt.Errorf("count failed login: %w", err)
		}
		return TokenPair{}, auth.ErrInvalidCredentials
	}
	sessionID, err := uc.tokens.secrets.SessionID()
	if err != nil {
		return TokenPair{}, fmt.Errorf("make session id: %w", err)
	}
	now := uc.clock.Now()
	var pair TokenPair
	err = uc.tx.WithinTx(ctx, func(ctx context.Context) error {
		if err := uc.tokens.sessions.CreateSession(ctx, sessionID, m.ID(), now); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		pair, err = uc.tokens.issue(ctx, m.ID(), sessionID, now)
		return err
	})
	if err != nil {
		return TokenPair{}, err
	}
	return pair, nil
}
