package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auth"
)

// Principal is the member behind a valid access token.
type Principal struct {
	MemberID  int64
	TokenID   string
	SessionID string
	ExpiresAt time.Time
}

// Authenticate turns a bearer token into a Principal.
type Authenticate struct {
	access  AccessTokens
	revoked revocations
	clock   Clock
}

// NewAuthenticate builds the use case.
func NewAuthenticate(access AccessTokens, blacklist TokenBlacklist, sessions SessionStore, clock Clock) *Authenticate {
	return &Authenticate{access: access, revoked: revocations{blacklist: blacklist, sessions: sessions}, clock: clock}
}

// Execute checks signature and times first, then revocation (logout, a stolen
// refresh token, or a password reset).
func (uc *Authenticate) Execute(ctx context.Context, token string) (Principal, error) {
	if token == "" {
		return Principal{}, auth.ErrUnauthenticated
	}
	claims, err := uc.access.Parse(token, uc.clock.Now())
	if err != nil {
		return Principal{}, err
	}
	if err := uc.revoked.check(ctx, claims.TokenID, claims.SessionID); err != nil {
		return Principal{}, err
	}
	return Principal{MemberID: claims.MemberID, TokenID: claims.TokenID, SessionID: claims.SessionID, ExpiresAt: claims.ExpiresAt}, nil
}

// revocations tell whether an access token was revoked (logout, a stolen
// refresh token, or a password reset).
type revocations struct {
	blacklist TokenBlacklist
	sessions  SessionStore
}

// check returns auth.ErrTokenRevoked for a revoked token or session.
func (r revocations) check(ctx context.Context, tokenID, sessionID string) error {
	revoked, err := r.blacklist.IsRevoked(ctx, tokenID, sessionID)
	if err != nil {
		// Every revocation also ends the session in the database, so bids go on
		// while the blacklist is unreachable, at the price of a database read.
		var dbErr error
		if revoked, dbErr = r.sessions.IsSessionRevoked(ctx, sessionID); dbErr != nil {
			return fmt.Errorf("check token revocation: %w", errors.Join(err, dbErr))
		}
	}
	if revoked {
		return auth.ErrTokenRevoked
	}
	return nil
}
