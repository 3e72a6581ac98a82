package application

import (
	"context"
	"fmt"
	"time"
)

// TokenPair is what a client receives after logging in or refreshing.
type TokenPair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    time.Duration
}

// sessionTokens issues the access and refresh tokens of one login session; login
// and refresh share it so both hand out tokens the same way.
type sessionTokens struct {
	access     AccessTokens
	sessions   SessionStore
	secrets    Secrets
	refreshTTL time.Duration
}

func (s sessionTokens) issue(ctx context.Context, memberID int64, sessionID string, now time.Time) (TokenPair, error) {
	refresh, err := s.secrets.RefreshToken()
	if err != nil {
		return TokenPair{}, fmt.Errorf("make refresh token: %w", err)
	}
	if err := s.sessions.AddRefreshToken(ctx, refresh, sessionID, now.Add(s.refreshTTL)); err != nil {
		return TokenPair{}, fmt.Errorf("store refresh token: %w", err)
	}
	access, _, err := s.access.Issue(memberID, sessionID, now)
	if err != nil {
		return TokenPair{}, fmt.Errorf("issue access token: %w", err)
	}
	return TokenPair{AccessToken: access, RefreshToken: refresh, ExpiresIn: s.access.TTL()}, nil
}

// revokeSessions ends sessions in storage and blacklists their access tokens
// until the longest they could still live.
func revokeSessions(ctx context.Context, blacklist TokenBlacklist, ids []string, now time.Time, accessTTL time.Duration) error {
	if len(ids) == 0 {
		return nil
	}
	if err := blacklist.RevokeSessions(ctx, ids, now.Add(accessTTL)); err != nil {
		return fmt.Errorf("blacklist sessions: %w", err)
	}
	return nil
}
