package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// wordRanks are the vocabulary ranks whose match share the report gives:
// the most frequent word, two in between, the rarest.
func wordRanks() []int { return []int{1, 10, 100, len(vocabulary)} }

// summarizeCatalog counts what the fixture holds.
func summarizeCatalog(ctx context.Context, conn *pgx.Conn) (catalogSummary, error) {
	var c catalogSummary
	err := conn.QueryRow(ctx, `
SELECT (SELECT count(*) FROM arts), (SELECT count(*) FROM bids), (SELECT count(*) FROM art_likes),
       (SELECT count(DISTINCT art_id) FROM art_likes), (SELECT COALESCE(max(like_count), 0) FROM arts),
       (SELECT count(*) FROM members),
       (SELECT COALESCE(max(n), 0) FROM (SELECT count(*) AS n FROM arts GROUP BY owner_id) o),
       (SELECT count(DISTINCT name) FROM art_hashtags),
       (SELECT COALESCE(max(n), 0) FROM (SELECT count(*) AS n FROM art_hashtags GROUP BY name) t)`).
		Scan(&c.Arts, &c.Bids, &c.Likes, &c.LikedArts, &c.MaxLikeCount, &c.Members, &c.MaxOwnerArts, &c.Hashtags, &c.MaxTagArts)
	if err != nil {
		return catalogSummary{}, fmt.Errorf("summarize catalog: %w", err)
	}
	if c.Auctions, err = countBy(ctx, conn, "SELECT status, count(*) FROM auctions GROUP BY 1"); err != nil {
		return catalogSummary{}, err
	}
	if c.ArtsByStatus, err = countBy(ctx, conn, "SELECT status, count(*) FROM arts GROUP BY 1"); err != nil {
		return catalogSummary{}, err
	}
	for _, rank := range wordRanks() {
		word := vocabulary[rank-1]
		var n int
		if err := conn.QueryRow(ctx, `SELECT count(*) FROM arts WHERE (name || ' ' || description) ILIKE '%' || $1 || '%'`, word).Scan(&n); err != nil {
			return catalogSummary{}, fmt.Errorf("count arts matching %q: %w", word, err)
		}
		c.WordMatches = append(c.WordMatches, wordMatch{Rank: rank, Word: word, Share: float64(n) / float64(max(c.Arts, 1))})
	}
	return c, nil
}

func countBy(ctx context.Context, conn *pgx.Conn, query string) (map[string]int, error) {
	rows, err := conn.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	out := map[string]int{}
	var key string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&key, &n}, func() error {
		out[key] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	return out, nil
}

// rankCatalog reads what the shapes draw from, most popular first: arts by
// likes, auctions by bids, members by the arts they list, hashtags by use.
// Words keep the vocabulary's order, which is their frequency by construction.
func rankCatalog(ctx context.Context, conn *pgx.Conn) (readTargets, error) {
	var t readTargets
	var err error
	if t.arts, err = collect[int64](ctx, conn, "SELECT id FROM arts ORDER BY like_count DESC, id DESC"); err != nil {
		return readTargets{}, err
	}
	if t.auctions, err = collect[int64](ctx, conn, "SELECT id FROM auctions ORDER BY bid_count DESC, id DESC"); err != nil {
		return readTargets{}, err
	}
	if t.members, err = collect[int64](ctx, conn, `
SELECT m.id FROM members m LEFT JOIN arts a ON a.owner_id = m.id GROUP BY m.id ORDER BY count(a.id) DESC, m.id`); err != nil {
		return readTargets{}, err
	}
	if t.hashtags, err = collect[string](ctx, conn, "SELECT name FROM art_hashtags GROUP BY name ORDER BY count(*) DESC, name"); err != nil {
		return readTargets{}, err
	}
	t.words = vocabulary
	for name, list := range map[string]int{"arts": len(t.arts), "auctions": len(t.auctions), "members": len(t.members), "hashtags": len(t.hashtags)} {
		if list == 0 {
			return readTargets{}, fmt.Errorf("the catalog has no %s", name)
		}
	}
	return t, nil
}

func collect[T any](ctx context.Context, conn *pgx.Conn, query string) ([]T, error) {
	rows, err := conn.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[T])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", query, err)
	}
	return out, nil
}

// sessionMembers are the ids of the members who log in: n spread evenly
// over 1..members, so their likes and listings vary.
func sessionMembers(members, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = 1 + int64(i*members/n)
	}
	return ids
}
