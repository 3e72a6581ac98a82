package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/member"
)

var _ application.LikeStore = (*LikeStore)(nil)

// Foreign keys of art_likes, named by Postgres' default.
const (
	artLikesArtFKey    = "art_likes_art_id_fkey"
	artLikesMemberFKey = "art_likes_member_id_fkey"
)

// LikeStore keeps likes in art_likes and the art's like_count in step with
// them: the count changes only in the statement that adds or removes a row,
// so concurrent calls keep it exact.
type LikeStore struct {
	db *bun.DB
}

// NewLikeStore builds a LikeStore over db.
func NewLikeStore(db *bun.DB) *LikeStore {
	return &LikeStore{db: db}
}

// likeSQL adds a like and, only when it was not there, one to the art's count,
// in one statement: one round trip, and no transaction to hold open.
const likeSQL = `WITH added AS (
	INSERT INTO art_likes (member_id, art_id, created_at) VALUES ($1, $2, $3)
	ON CONFLICT DO NOTHING RETURNING art_id
)
UPDATE arts SET like_count = like_count + 1 WHERE id IN (SELECT art_id FROM added)`

// Like records that the member likes the art; liking again changes nothing.
func (s *LikeStore) Like(ctx context.Context, memberID, artID int64, now time.Time) error {
	if _, err := prepared(ctx, s.db).Exec(ctx, likeSQL, memberID, artID, now.UTC()); err != nil {
		switch constraint, _ := violatedConstraint(err, foreignKeyViolation); constraint {
		case artLikesArtFKey:
			return art.ErrNotFound
		case artLikesMemberFKey:
			return member.ErrNotFound
		}
		return fmt.Errorf("insert like: %w", err)
	}
	return nil
}

// unlikeSQL removes a like and, only when it was there, one from the art's
// count, in one statement; it tells whether the art exists.
const unlikeSQL = `WITH removed AS (
	DELETE FROM art_likes WHERE member_id = $1 AND art_id = $2 RETURNING art_id
), counted AS (
	UPDATE arts SET like_count = like_count - 1 WHERE id IN (SELECT art_id FROM removed) RETURNING id
)
SELECT EXISTS (SELECT 1 FROM counted) OR EXISTS (SELECT 1 FROM arts WHERE id = $2)`

// Unlike removes the member's like of the art, if any.
func (s *LikeStore) Unlike(ctx context.Context, memberID, artID int64) error {
	var found bool
	if err := prepared(ctx, s.db).QueryRow(ctx, unlikeSQL, memberID, artID).Scan(&found); err != nil {
		return fmt.Errorf("delete like: %w", err)
	}
	if !found {
		return art.ErrNotFound
	}
	return nil
}
