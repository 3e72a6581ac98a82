package postgres

import (
	"context"
	"database/sql"
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

type likeRow struct {
	bun.BaseModel `bun:"table:art_likes,alias:l"`

	MemberID  int64     `bun:"member_id,pk"`
	ArtID     int64     `bun:"art_id,pk"`
	CreatedAt time.Time `bun:"created_at"`
}

// LikeStore keeps likes in art_likes and the art's like_count in step with
// them: the count changes only in the transaction that adds or removes a row,
// so concurrent calls keep it exact.
type LikeStore struct {
	db *bun.DB
}

// NewLikeStore builds a LikeStore over db.
func NewLikeStore(db *bun.DB) *LikeStore {
	return &LikeStore{db: db}
}

// Like records that the member likes the art; liking again changes nothing.
func (s *LikeStore) Like(ctx context.Context, memberID, artID int64, now time.Time) error {
	return NewTransactor(s.db).WithinTx(ctx, func(ctx context.Context) error {
		db := idb(ctx, s.db)
		row := likeRow{MemberID: memberID, ArtID: artID, CreatedAt: now.UTC()}
		res, err := db.NewInsert().Model(&row).On("CONFLICT DO NOTHING").Exec(ctx)
		if err != nil {
			switch constraint, _ := violatedConstraint(err, foreignKeyViolation); constraint {
			case artLikesArtFKey:
				return art.ErrNotFound
			case artLikesMemberFKey:
				return member.ErrNotFound
			}
			return fmt.Errorf("insert like: %w", err)
		}
		return s.addToCount(ctx, db, res, artID, +1)
	})
}

// Unlike removes the member's like of the art, if any.
func (s *LikeStore) Unlike(ctx context.Context, memberID, artID int64) error {
	return NewTransactor(s.db).WithinTx(ctx, func(ctx context.Context) error {
		db := idb(ctx, s.db)
		res, err := db.NewDelete().Model((*likeRow)(nil)).
			Where("member_id = ?", memberID).
			Where("art_id = ?", artID).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("delete like: %w", err)
		}
		n, err := rowsAffected(res)
		if err != nil {
			return err
		}
		if n == 0 {
			found, err := db.NewSelect().Model((*artRow)(nil)).Where("id = ?", artID).Exists(ctx)
			if err != nil {
				return fmt.Errorf("look for unliked art: %w", err)
			}
			if !found {
				return art.ErrNotFound
			}
			return nil
		}
		return s.addToCount(ctx, db, res, artID, -1)
	})
}

// addToCount moves the art's like count by delta when res changed a like.
func (s *LikeStore) addToCount(ctx context.Context, db bun.IDB, res sql.Result, artID, delta int64) error {
	n, err := rowsAffected(res)
	if err != nil || n == 0 {
		return err
	}
	_, err = db.NewUpdate().Model((*artRow)(nil)).
		Set("like_count = like_count + ?", delta).
		Where("id = ?", artID).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("update like count: %w", err)
	}
	return nil
}
