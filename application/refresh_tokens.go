package application

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auth"
)

// RefreshTokens swaps a refresh token for a new pair (rotation). A token presented
// twice revokes its whole session: one of the two holders stole it.
type RefreshTokens struct {
	sessions  SessionStore
	blacklist TokenBlacklist
	clock     Clock
	tx        Transactor
	tokens    sessionTokens
}

// NewRefreshTokens builds the use case; refreshTTL is how long a refresh token lives.
func NewRefreshTokens(sessions SessionStore, blacklist TokenBlacklist, access AccessTokens, secrets Secrets,
	clock Clock, tx Transactor, refreshTTL time.Duration) *RefreshTokens {
	return &RefreshTokens{
		sessions: sessions, blacklist: blacklist, clock: clock, tx: tx,
		tokens: sessionTokens{access: access, sessions: sessions, secrets: secrets, refreshTTL: refreshTTL},
	}
}

// Execute returns the new pair; the presented token stops working.
func (uc *RefreshTokens) Execute(ctx context.Context, refreshToken string) (TokenPair, error) {
	if refreshToken == "" {
		return TokenPair{}, auth.ErrUnauthenticated
	}
	current, err := uc.sessions.RefreshToken(ctx, refreshToken)
	if err != nil {
		return TokenPair{}, fmt.Errorf("find refresh token: %w", err)
	}
	now := uc.clock.Now()
	if err := current.CheckUsable(now); err != nil {
		if errors.Is(err, auth.ErrRefreshTokenReused) {
			return TokenPair{}, uc.revokeStolen(ctx, current.SessionID(), now)
		}
		return TokenPair{}, err
	}
	var pair TokenPair
	err = uc.tx.WithinTx(ctx, func(ctx context.Context) error {
		used, err := uc.sessions.MarkRefreshTokenUsed(ctx, refreshToken, now)
		if err != nil {
			return fmt.Errorf("use up refresh token: %w", err)
		}
		if !used {
			return auth.ErrRefreshTokenReused
		}
		pair, err = uc.tokens.issue(ctx, current.MemberID(), current.SessionID(), now)
		return err
	})
	if errors.Is(err, auth.ErrRefreshTokenReused) {
		// Another request used the same token a moment earlier.
		return TokenPair{}, uc.revokeStolen(ctx, current.SessionID(), now)
	}
	if err != nil {
		return TokenPair{}, err
	}
	return pair, nil
}

func (uc *RefreshTokens) revokeStolen(ctx context.Context, sessionID string, now time.Time) error {
	if err := uc.sessions.RevokeSession(ctx, sessionID, now); err != nil {
		return fmt.Errorf("revoke session of reused refresh token: %w", err)
	}
	if err := revokeSessions(ctx, uc.blacklist, []string{sessionID}, now, uc.tokens.access.TTL()); err != nil {
		return err
	}
	return auth.ErrRefreshTokenReused
}
