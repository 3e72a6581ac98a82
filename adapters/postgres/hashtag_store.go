package postgres

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
)

var _ application.HashtagStore = (*HashtagStore)(nil)

// HashtagStore answers hashtag autocompletion from the hashtags' counters.
type HashtagStore struct {
	db *bun.DB
}

// NewHashtagStore builds a HashtagStore over db.
func NewHashtagStore(db *bun.DB) *HashtagStore {
	return &HashtagStore{db: db}
}

// Popular lists at most limit hashtags starting with prefix (taken literally),
// most used first, then by name.
func (s *HashtagStore) Popular(ctx context.Context, prefix string, limit int) ([]application.HashtagCount, error) {
	if limit <= 0 {
		return []application.HashtagCount{}, nil
	}
	var rows []struct {
		Name     string `bun:"name"`
		ArtCount int    `bun:"art_count"`
	}
	err := idb(ctx, s.db).NewSelect().
		TableExpr("hashtag_counts AS c").
		ColumnExpr("c.name").
		ColumnExpr("sum(c.art_count) AS art_count").
		// A literal pattern with text_pattern_ops lets hashtag_counts_prefix_idx serve the prefix.
		Where(`c.name LIKE ? ESCAPE '\'`, escapeLike(prefix)+"%").
		GroupExpr("c.name").
		// A hashtag whose last art went keeps its counter rows at zero.
		Having("sum(c.art_count) > 0").
		OrderExpr("art_count DESC, c.name ASC").
		Limit(int64(limit)).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("select popular hashtags: %w", err)
	}
	out := make([]application.HashtagCount, len(rows))
	for i, r := range rows {
		out[i] = application.HashtagCount{Name: r.Name, ArtCount: r.ArtCount}
	}
	return out, nil
}
