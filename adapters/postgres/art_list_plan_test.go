package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"
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
