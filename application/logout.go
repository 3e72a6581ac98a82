package application

import (
	"context"
	"fmt"
)

// Logout ends the session of the presented access token: the token and the
// session's refresh token stop working at once.
type Logout struct {
	sessions  SessionStore
	blacklist TokenBlacklist
	access    AccessTokens
	clock     Clock
}

// NewLogout builds the use case.
func NewLogout(sessions SessionStore, blacklist TokenBlacklist, access AccessTokens, clock Clock) *Logout {
	return &Logout{sessions: sessions, blacklist: blacklist, access: access, clock: clock}
}

// Execute revokes the access token until it expires and the whole session, whose
// newest access token may outlive the presented one by up to a TTL.
func (uc *Logout) Execute(ctx context.Context, p Principal) error {
	now := uc.clock.Now()
	if err := uc.blacklist.RevokeAccessToken(ctx, p.TokenID, p.ExpiresAt); err != nil {
		return fmt.Errorf("blacklist access token: %w", err)
	}
	if err := revokeSessions(ctx, uc.blacklist, []string{p.SessionID}, now, uc.access.TTL()); err != nil {
		return err
	}
	if err := uc.sessions.RevokeSession(ctx, p.SessionID, now); err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}
