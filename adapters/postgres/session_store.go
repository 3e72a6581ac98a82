package postgres

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
)

var _ application.SessionStore = (*SessionStore)(nil)

type sessionRow struct {
	bun.BaseModel `bun:"table:auth_sessions"`

	ID        string    `bun:"id,pk"`
	MemberID  int64     `bun:"member_id"`
	CreatedAt time.Time `bun:"created_at"`
	RevokedAt time.Time `bun:"revoked_at,nullzero"`
}

type refreshTokenRow struct {
	bun.BaseModel `bun:"table:refresh_tokens"`

	TokenHash string    `bun:"token_hash,pk"`
	SessionID string    `bun:"session_id"`
	ExpiresAt time.Time `bun:"expires_at"`
	UsedAt    time.Time `bun:"used_at,nullzero"`
}

// refreshTokenView is a refresh token joined with its session.
type refreshTokenView struct {
	SessionID      string    `bun:"session_id"`
	MemberID       int64     `bun:"member_id"`
	ExpiresAt      time.Time `bun:"expires_at"`
	Used           bool      `bun:"used"`
	SessionRevoked bool      `bun:"session_revoked"`
}

func refreshTokenFromView(v refreshTokenView) auth.RefreshToken {
	return auth.RestoreRefreshToken(v.SessionID, v.MemberID, v.ExpiresAt.UTC(), v.Used, v.SessionRevoked)
}

// hashToken is how a refresh token is stored and looked up: the token has 256
// random bits, so a plain fast hash is enough to make a leaked table useless.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// SessionStore keeps login sessions and their refresh tokens.
type SessionStore struct {
	db *bun.DB
}

// NewSessionStore builds a SessionStore over db.
func NewSessionStore(db *bun.DB) *SessionStore {
	return &SessionStore{db: db}
}

// CreateSession opens a login session of the member.
func (s *SessionStore) CreateSession(ctx context.Context, sessionID string, memberID int64, now time.Time) error {
	row := sessionRow{ID: sessionID, MemberID: memberID, CreatedAt: now}
	if _, err := idb(ctx, s.db).NewInsert().Model(&row).Exec(ctx); err != nil {
		if _, ok := violatedConstraint(err, foreignKeyViolation); ok {
			return member.ErrNotFound
		}
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// AddRefreshToken stores the hash of a new refresh token of the session.
func (s *SessionStore) AddRefreshToken(ctx context.Context, token, sessionID string, expiresAt time.Time) error {
	row := refreshTokenRow{TokenHash: hashToken(token), SessionID: sessionID, ExpiresAt: expiresAt}
	if _, err := idb(ctx, s.db).NewInsert().Model(&row).Exec(ctx); err != nil {
		return fmt.Errorf("insert refresh token: %w", err)
	}
	return nil
}

// RefreshToken looks a token up with the state of its session.
func (s *SessionStore) RefreshToken(ctx context.Context, token string) (auth.RefreshToken, error) {
	var view refreshTokenView
	err := idb(ctx, s.db).NewSelect().
		TableExpr("refresh_tokens AS rt").
		Join("JOIN auth_sessions AS s ON s.id = rt.session_id").
		ColumnExpr("rt.session_id, s.member_id, rt.expires_at").
		ColumnExpr("rt.used_at IS NOT NULL AS used").
		ColumnExpr("s.revoked_at IS NOT NULL AS session_revoked").
		Where("rt.token_hash = ?", hashToken(token)).
		Scan(ctx, &view)
	if errors.Is(err, sql.ErrNoRows) {
		return auth.RefreshToken{}, auth.ErrUnauthenticated
	}
	if err != nil {
		return auth.RefreshToken{}, fmt.Errorf("select refresh token: %w", err)
	}
	return refreshTokenFromView(view), nil
}

// MarkRefreshTokenUsed uses the token up with a conditional write: of two
// requests presenting the same token at once, exactly one gets true.
func (s *SessionStore) MarkRefreshTokenUsed(ctx context.Context, token string, now time.Time) (bool, error) {
	res, err := idb(ctx, s.db).NewUpdate().Model((*refreshTokenRow)(nil)).
		Set("used_at = ?", now).
		Where("token_hash = ?", hashToken(token)).
		Where("used_at IS NULL").
		Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("mark refresh token used: %w", err)
	}
	n, err := rowsAffected(res)
	if err != nil {
		return false, err
	}
	return n == 1, nil
}

// RevokeSession ends a session; revoking it again keeps the first time.
func (s *SessionStore) RevokeSession(ctx context.Context, sessionID string, now time.Time) error {
	_, err := idb(ctx, s.db).NewUpdate().Model((*sessionRow)(nil)).
		Set("revoked_at = ?", now).
		Where("id = ?", sessionID).
		Where("revoked_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("revoke session: %w", err)
	}
	return nil
}

// RevokeMemberSessions ends every open session of the member and returns the
// ids of those it ended.
func (s *SessionStore) RevokeMemberSessions(ctx context.Context, memberID int64, now time.Time) ([]string, error) {
	var ids []string
	err := idb(ctx, s.db).NewUpdate().Model((*sessionRow)(nil)).
		Set("revoked_at = ?", now).
		Where("member_id = ?", memberID).
		Where("revoked_at IS NULL").
		Returning("id").
		Scan(ctx, &ids)
	if err != nil {
		return nil, fmt.Errorf("revoke sessions of member: %w", err)
	}
	return ids, nil
}

// IsSessionRevoked reports whether the session has ended; an unknown session has.
func (s *SessionStore) IsSessionRevoked(ctx context.Context, sessionID string) (bool, error) {
	var open bool
	err := idb(ctx, s.db).NewSelect().Model((*sessionRow)(nil)).
		ColumnExpr("revoked_at IS NULL").
		Where("id = ?", sessionID).
		Scan(ctx, &open)
	if errors.Is(err, sql.ErrNoRows) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read session: %w", err)
	}
	return !open, nil
}
