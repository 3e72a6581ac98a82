package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
)

// planArts is how many arts the query-plan test lists.
const planArts = 100_000

// seedManyArts bulk-inserts planArts arts by five owners, each with two
// hashtags and, for auction arts, an auction. One art in 1000 mentions a
// sunset; each tagNNN hashtag is on 200 arts.
func seedManyArts(t *testing.T, db *bun.DB) {
	t.Helper()
	ctx := context.Background()
	owners := make([]int64, 5)
	for i := range owners {
		owners[i] = createMember(t, db, fmt.Sprintf("owner%d", i))
	}
	statements := []string{
		fmt.Sprintf(`INSERT INTO arts (owner_id, name, description, type, price, current_price, status,
			like_count, bid_count, image_key, image_format, image_width, image_height, image_size, image_etag, created_at)
		SELECT (ARRAY[%d, %d, %d, %d, %d]::bigint[])[g %% 5 + 1],
			'Work ' || g,
			CASE WHEN g %% 1000 = 0 THEN 'golden sunset over the sea' ELSE 'a quiet piece, number ' || g END,
			CASE WHEN g %% 2 = 0 THEN 'auction' ELSE 'general' END,
			1000 + (g * 37) %% 100000,
			1000 + (g * 37) %% 100000 + CASE WHEN g %% 2 = 0 THEN (g * 7) %% 50 * 100 ELSE 0 END,
			CASE WHEN g %% 10 = 0 THEN 'sold' ELSE 'on_sale' END,
			(g * 13) %% 500,
			CASE WHEN g %% 2 = 0 THEN (g * 7) %% 50 ELSE 0 END,
			'images/' || g || '.png', 'png', 640, 480, 12345, 'etag-' || g,
			timestamptz '2026-04-01 00:00:00+00' + g * interval '1 minute'
		FROM generate_series(1, %d) AS g`, owners[0], owners[1], owners[2], owners[3], owners[4], planArts),
		`INSERT INTO art_hashtags (art_id, position, name)
		SELECT id, 0, 'tag' || (id % 500) FROM arts
		UNION ALL
		SELECT id, 1, 'common' || (id % 3) FROM arts`,
		`INSERT INTO auctions (art_id, start_at, end_at, start_price, bid_increment, status, highest_amount, bid_count)
		SELECT id, created_at, created_at + interval '60 days', price, 100, 'open',
			CASE WHEN bid_count > 0 THEN current_price ELSE 0 END, bid_count
		FROM arts WHERE type = 'auction'`,
		`ANALYZE`,
	}
	for _, stmt := range statements {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err)
	}
}

// planNode is one node of EXPLAIN (FORMAT JSON).
type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	IndexName    string     `json:"Index Name"`
	Alias        string     `json:"Alias"`
	Plans        []planNode `json:"Plans"`
}

func (n planNode) walk(visit func(planNode)) {
	visit(n)
	for _, child := range n.Plans {
		child.walk(visit)
	}
}

// TestArtListQueryPlans checks that at 100k arts each common list is read
// through an index on arts, never a sequential scan of it. It logs the plans
// docs/catalog-query-plans.md shows.
func TestArtListQueryPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk-loads 100k arts")
	}
	t.Parallel()
	db := pgtest.NewDB(t)
	seedManyArts(t, db)
	store := postgres.NewArtStore(db)
	ctx := context.Background()
	page := mustPage(t, 1, 20)
	tests := []struct {
		name  string
		query application.ArtQuery
		// wantIndexes are the indexes on arts any of which serves the query.
		wantIndexes []string
		// wantAlso, when set, are other indexes any of which the plan must use.
		wantAlso []string
	}{
		{name: "newest", query: application.ArtQuery{}, wantIndexes: []string{"arts_newest_idx"}},
		{name: "price_desc", query: application.ArtQuery{Sort: application.SortPriceDesc}, wantIndexes: []string{"arts_price_desc_idx"}},
		{name: "q=sunset", query: application.ArtQuery{Text: "sunset"}, wantIndexes: []string{"arts_text_trgm_idx"}},
		// Whether Postgres reads the 200 tagged arts by id (then sorts them) or
		// walks the newest-first index checking the tag depends on statistics;
		// both use an index on arts.
		{name: "hashtag=tag42", query: application.ArtQuery{Hashtag: "tag42"}, wantIndexes: []string{"arts_pkey", "arts_newest_idx"}, wantAlso: []string{"art_hashtags_name_idx", "art_hashtags_pkey"}},
		{name: "likes_asc", query: application.ArtQuery{Sort: application.SortLikesAsc}, wantIndexes: []string{"arts_likes_asc_idx"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			query, err := store.ListSQL(tt.query, page)
			require.NoError(t, err)

			var raw string
			require.NoError(t, db.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+query).Scan(&raw))
			var plans []struct {
				Plan planNode `json:"Plan"`
			}
			require.NoError(t, json.Unmarshal([]byte(raw), &plans))
			require.Len(t, plans, 1)

			var artIndexes, indexes []string
			plans[0].Plan.walk(func(n planNode) {
				indexes = append(indexes, n.IndexName)
				if n.RelationName == "arts" || strings.HasPrefix(n.IndexName, "arts_") {
					assert.NotEqual(t, "Seq Scan", n.NodeType, "sequential scan of arts")
					if n.IndexName != "" {
						artIndexes = append(artIndexes, n.IndexName)
					}
				}
			})
			assert.True(t, slices.ContainsFunc(artIndexes, func(ix string) bool { return slices.Contains(tt.wantIndexes, ix) }),
				"arts read through %v, want one of %v", artIndexes, tt.wantIndexes)
			if len(tt.wantAlso) > 0 {
				assert.True(t, slices.ContainsFunc(indexes, func(ix string) bool { return slices.Contains(tt.wantAlso, ix) }),
					"plan uses %v, want one of %v", indexes, tt.wantAlso)
			}

			// The page's total: logged for the docs, not asserted.
			count := store.CountSQL(tt.query)
			t.Logf("%s page\n%s\n%s\n%s count\n%s\n%s", tt.name, query, explainText(t, db, query),
				tt.name, count, explainText(t, db, count))
		})
	}
}

// explainText runs query under EXPLAIN ANALYZE and returns the plan as text.
func explainText(t *testing.T, db *bun.DB, query string) string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "+query)
	require.NoError(t, err)
	defer rows.Close()
	var text strings.Builder
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		text.WriteString(line + "\n")
	}
	require.NoError(t, rows.Err())
	return text.String()
}
