package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

// planArts is how many arts the query-plan test lists.
const planArts = 100_000

// seedManyArts bulk-inserts planArts arts by five owners, each with two
// hashtags and, for auction arts, an auction. One art in 1000 mentions a
// sunset, the others are quiet; each tagNNN hashtag is on 200 arts, each
// commonN on a third of them. An art is listed every minute from April 1st
// 2026, and an auction art's auction runs 60 days from its listing.
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
		`INSERT INTO art_hashtags (art_id, position, name, art_created_at)
		SELECT id, 0, 'tag' || (id % 500), created_at FROM arts
		UNION ALL
		SELECT id, 1, 'common' || (id % 3), created_at FROM arts`,
		`INSERT INTO auctions (art_id, start_at, end_at, start_price, bid_increment, status, highest_amount, bid_count)
		SELECT id, created_at, created_at + interval '60 days', price, 100, 'open',
			CASE WHEN bid_count > 0 THEN current_price ELSE 0 END, bid_count
		FROM arts WHERE type = 'auction'`,
		// Index-only scans skip the heap once the visibility map is set, as
		// autovacuum keeps it on a live database.
		`VACUUM (ANALYZE) arts, art_hashtags, auctions`,
	}
	for _, stmt := range statements {
		_, err := db.ExecContext(ctx, stmt)
		require.NoError(t, err)
	}
}

// planNode is one node of EXPLAIN (ANALYZE, FORMAT JSON).
type planNode struct {
	NodeType     string     `json:"Node Type"`
	RelationName string     `json:"Relation Name"`
	IndexName    string     `json:"Index Name"`
	Alias        string     `json:"Alias"`
	ActualRows   float64    `json:"Actual Rows"`
	ActualLoops  float64    `json:"Actual Loops"`
	Plans        []planNode `json:"Plans"`
}

func (n planNode) walk(visit func(planNode)) {
	n.walkUnder(planNode{}, func(node, _ planNode) { visit(node) })
}

// walkUnder visits every node with its parent (the zero node for the root).
func (n planNode) walkUnder(parent planNode, visit func(node, parent planNode)) {
	visit(n, parent)
	for _, child := range n.Plans {
		child.walkUnder(n, visit)
	}
}

// planNow is the time the plan test lists at: the auctions of the arts listed
// after May 26th (about 10,400) are open.
var planNow = time.Date(2026, 7, 25, 0, 0, 0, 0, time.UTC)

// planShape is one list the plan test explains.
type planShape struct {
	name  string
	query application.ArtQuery
	// page is "first", "deep" (page 200) or "cursor" (after the 1000th art).
	page string
	// walks are the indexes one of which must lead the page.
	walks []string
	// sortsFew marks a filter whose own index may find its few matches,
	// which are then sorted: a hashtag or a text that few arts carry.
	sortsFew bool
}

// planShapes are every sort unfiltered, first page and after a cursor, every
// filter with a few sorts, and deep numbered pages.
func planShapes(owner, fan int64) []planShape {
	sortIndexes := map[application.ArtSort]string{
		application.SortNewest: "arts_newest_idx", application.SortOldest: "arts_oldest_idx",
		application.SortPriceAsc: "arts_price_asc_idx", application.SortPriceDesc: "arts_price_desc_idx",
		application.SortLikesDesc: "arts_likes_desc_idx", application.SortLikesAsc: "arts_likes_asc_idx",
		application.SortBidsDesc: "arts_bids_desc_idx", application.SortBidsAsc: "arts_bids_asc_idx",
		application.SortEndingSoon: "auctions_open_ending_idx",
	}
	var shapes []planShape
	for _, sort := range []application.ArtSort{application.SortNewest, application.SortOldest, application.SortPriceAsc,
		application.SortPriceDesc, application.SortLikesDesc, application.SortLikesAsc, application.SortBidsDesc,
		application.SortBidsAsc, application.SortEndingSoon} {
		for _, page := range []string{"first", "cursor"} {
			shapes = append(shapes, planShape{name: string(sort) + " " + page, query: application.ArtQuery{Sort: sort},
				page: page, walks: []string{sortIndexes[sort]}})
		}
	}
	return append(shapes,
		planShape{name: "ending_soon after the open auctions", query: application.ArtQuery{Sort: application.SortEndingSoon},
			page: "rest cursor", walks: []string{"arts_newest_idx"}},
		planShape{name: "newest page 200", query: application.ArtQuery{}, page: "deep", walks: []string{"arts_newest_idx"}},
		planShape{name: "likes_asc page 200", query: application.ArtQuery{Sort: application.SortLikesAsc}, page: "deep",
			walks: []string{"arts_likes_asc_idx"}},
		planShape{name: "ending_soon page 200", query: application.ArtQuery{Sort: application.SortEndingSoon}, page: "deep",
			walks: []string{"auctions_open_ending_idx"}},
		planShape{name: "q=sunset (rare)", query: application.ArtQuery{Text: "sunset"}, page: "first",
			walks: []string{"arts_text_trgm_idx", "arts_newest_idx"}, sortsFew: true},
		planShape{name: "q=quiet (common) likes_desc", query: application.ArtQuery{Text: "quiet", Sort: application.SortLikesDesc},
			page: "first", walks: []string{"arts_likes_desc_idx"}},
		planShape{name: "hashtag=tag42 (rare) price_desc", query: application.ArtQuery{Hashtag: "tag42", Sort: application.SortPriceDesc},
			page: "first", walks: []string{"art_hashtags_name_idx", "arts_price_desc_idx"}, sortsFew: true},
		planShape{name: "hashtag=common1 bids_desc", query: application.ArtQuery{Hashtag: "common1", Sort: application.SortBidsDesc},
			page: "first", walks: []string{"arts_bids_desc_idx"}},
		planShape{name: "hashtag=common1 bids_desc cursor", query: application.ArtQuery{Hashtag: "common1", Sort: application.SortBidsDesc},
			page: "cursor", walks: []string{"arts_bids_desc_idx"}},
		planShape{name: "hashtag=common1 newest", query: application.ArtQuery{Hashtag: "common1"}, page: "first",
			walks: []string{"art_hashtags_newest_idx"}},
		planShape{name: "hashtag=common1 newest page 200", query: application.ArtQuery{Hashtag: "common1"}, page: "deep",
			walks: []string{"art_hashtags_newest_idx"}},
		planShape{name: "hashtag=common2 oldest cursor", query: application.ArtQuery{Hashtag: "common2", Sort: application.SortOldest},
			page: "cursor", walks: []string{"art_hashtags_oldest_idx"}},
		planShape{name: "hashtag=common1 type=auction newest", query: application.ArtQuery{Hashtag: "common1", Type: art.TypeAuction},
			page: "first", walks: []string{"art_hashtags_newest_idx"}},
		planShape{name: "type=auction price_asc", query: application.ArtQuery{Type: art.TypeAuction, Sort: application.SortPriceAsc},
			page: "first", walks: []string{"arts_price_asc_idx"}},
		planShape{name: "status=sold newest", query: application.ArtQuery{Status: application.StatusSoldArt}, page: "first",
			walks: []string{"arts_newest_idx"}},
		planShape{name: "status=sold ending_soon", query: application.ArtQuery{Status: application.StatusSoldArt, Sort: application.SortEndingSoon},
			page: "first", walks: []string{"arts_newest_idx"}},
		planShape{name: "type=general ending_soon", query: application.ArtQuery{Type: art.TypeGeneral, Sort: application.SortEndingSoon},
			page: "first", walks: []string{"arts_newest_idx"}},
		planShape{name: "status=open_auction newest", query: application.ArtQuery{Status: application.StatusOpenAuction},
			page: "first", walks: []string{"arts_newest_idx"}},
		planShape{name: "status=open_auction price_desc", query: application.ArtQuery{Status: application.StatusOpenAuction, Sort: application.SortPriceDesc},
			page: "first", walks: []string{"arts_price_desc_idx"}},
		planShape{name: "status=open_auction ending_soon", query: application.ArtQuery{Status: application.StatusOpenAuction, Sort: application.SortEndingSoon},
			page: "first", walks: []string{"auctions_open_ending_idx"}},
		planShape{name: "status=open_auction ending_soon cursor", query: application.ArtQuery{Status: application.StatusOpenAuction, Sort: application.SortEndingSoon},
			page: "cursor", walks: []string{"auctions_open_ending_idx"}},
		planShape{name: "owner newest", query: application.ArtQuery{OwnerID: owner}, page: "first", walks: []string{"arts_owner_idx"}},
		planShape{name: "owner newest cursor", query: application.ArtQuery{OwnerID: owner}, page: "cursor", walks: []string{"arts_owner_idx"}},
		planShape{name: "owner likes_desc", query: application.ArtQuery{OwnerID: owner, Sort: application.SortLikesDesc}, page: "first",
			walks: []string{"arts_likes_desc_idx"}},
		planShape{name: "liked by a member", query: application.ArtQuery{LikedBy: fan}, page: "first",
			walks: []string{"art_likes_member_recent_idx"}},
		planShape{name: "liked by a member cursor", query: application.ArtQuery{LikedBy: fan}, page: "cursor",
			walks: []string{"art_likes_member_recent_idx"}},
		planShape{name: "liked by a member, auctions", query: application.ArtQuery{LikedBy: fan, Type: art.TypeAuction}, page: "first",
			walks: []string{"art_likes_member_recent_idx"}},
	)
}

// planPage is the page request of shape: for a cursor, the keyset List
// answers after its 1000th art.
func planPage(t *testing.T, store *postgres.ArtStore, shape planShape) application.PageRequest {
	t.Helper()
	switch shape.page {
	case "first":
		return mustPage(t, 1, 20)
	case "deep":
		return mustPage(t, 200, 20)
	}
	number := 50
	if shape.page == "rest cursor" {
		number = 600 // past the 10,400 open auctions
	}
	before, err := store.List(context.Background(), shape.query, mustPage(t, number, 20))
	require.NoError(t, err)
	require.NotNil(t, before.Next, "%s: page %d has a next page", shape.name, number)
	return afterPage(t, before.Next, 20)
}

// explainStatement explains a List statement the way the store runs it: as a
// generic plan when it is prepared once per connection, else planned for its
// arguments. It answers the JSON plan and the text one.
func explainStatement(t *testing.T, db *bun.DB, text string, args []any, perCall bool) (planNode, string) {
	t.Helper()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	defer conn.Close()
	mode := "force_generic_plan"
	if perCall {
		mode = "force_custom_plan"
	}
	_, err = conn.ExecContext(ctx, "SET plan_cache_mode = "+mode)
	require.NoError(t, err)
	defer func() {
		_, err := conn.ExecContext(ctx, "DEALLOCATE ALL; RESET plan_cache_mode")
		require.NoError(t, err)
	}()
	_, err = conn.ExecContext(ctx, "PREPARE listed AS "+text)
	require.NoError(t, err)
	execute := "EXECUTE listed"
	if len(args) > 0 {
		literals := make([]string, len(args))
		for i, arg := range args {
			literals[i] = sqlLiteral(t, arg)
		}
		execute += "(" + strings.Join(literals, ", ") + ")"
	}
	var raw string
	require.NoError(t, conn.QueryRowContext(ctx, "EXPLAIN (ANALYZE, FORMAT JSON) "+execute).Scan(&raw))
	var plans []struct {
		Plan planNode `json:"Plan"`
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &plans))
	require.Len(t, plans, 1)
	rows, err := conn.QueryContext(ctx, "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) "+execute)
	require.NoError(t, err)
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		plan.WriteString(line + "\n")
	}
	require.NoError(t, rows.Err())
	return plans[0].Plan, mode + "\n" + plan.String()
}

func sqlLiteral(t *testing.T, v any) string {
	t.Helper()
	switch x := v.(type) {
	case time.Time:
		return "'" + x.Format(time.RFC3339Nano) + "'::timestamptz"
	case string:
		return "'" + strings.ReplaceAll(x, "'", "''") + "'"
	case int, int64:
		return fmt.Sprint(x)
	}
	t.Fatalf("no literal for %T", v)
	return ""
}

// TestArtListQueryPlans checks at 100k arts that every sort, with or without
// filters, first page, cursor page or deep page, reads its page off an index
// in order: no sequential scan, no sort of more than the page (twice the page
// for ending_soon, whose two parts are read apart), except the few matches a
// rare hashtag or text finds through its own index. A cursor page starts at
// its position in the index; a deep page walks the index alone and joins only
// its own rows. It logs the plans docs/catalog-query-plans.md shows.
func TestArtListQueryPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk-loads 100k arts")
	}
	t.Parallel()
	db := pgtest.NewDB(t)
	seedManyArts(t, db)
	ctx := context.Background()
	var owner int64
	require.NoError(t, db.QueryRowContext(ctx, "SELECT owner_id FROM arts ORDER BY id LIMIT 1").Scan(&owner))
	fan := createMember(t, db, "fan")
	// The fan liked one art in 33 (about 3000), an hour after its listing;
	// 500 other members 40 arts each.
	_, err := db.ExecContext(ctx, `INSERT INTO members (email, password_hash, nickname, name, created_at)
		SELECT 'liker' || g || '@example.com', 'x', 'liker' || g, 'Liker', now() FROM generate_series(1, 500) AS g`)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, `INSERT INTO art_likes (member_id, art_id, created_at)
		SELECT ?, id, created_at + interval '1 hour' FROM arts WHERE id % 33 = 0
		UNION ALL
		SELECT m.id, a.id, a.created_at + interval '2 hours'
		FROM members AS m JOIN arts AS a ON a.id % 2500 = m.id % 2500
		WHERE m.nickname LIKE 'liker%'`, fan)
	require.NoError(t, err)
	_, err = db.ExecContext(ctx, "VACUUM (ANALYZE) art_likes")
	require.NoError(t, err)
	store := postgres.NewArtStore(db)
	const size = 20
	for _, shape := range planShapes(owner, fan) {
		t.Run(shape.name, func(t *testing.T) {
			shape.query.Now = planNow
			page := planPage(t, store, shape)
			text, args, perCall, err := postgres.ArtListStatement(shape.query, page)
			require.NoError(t, err)

			plan, logged := explainStatement(t, db, text, args, perCall)

			var indexes []string
			plan.walkUnder(planNode{}, func(n, parent planNode) {
				indexes = append(indexes, n.IndexName)
				// A count that stops at the cap may read the table from
				// its start: the common matches of a text are found that way.
				countsToTheCap := parent.NodeType == "Limit" && parent.ActualRows <= application.TotalCap+1
				assert.NotContains(t, []string{"Gather", "Gather Merge"}, n.NodeType, "a page needs no parallel workers")
				if n.NodeType == "Seq Scan" && !countsToTheCap {
					assert.NotContains(t, []string{"arts", "auctions", "art_hashtags", "art_likes"}, n.RelationName,
						"sequential scan of %s", n.RelationName)
				}
			})
			walked := slices.ContainsFunc(indexes, func(ix string) bool { return slices.Contains(shape.walks, ix) })
			assert.True(t, walked, "plan reads %v, want one of %v", indexes, shape.walks)
			findsFew := slices.Contains(indexes, "arts_text_trgm_idx") || slices.Contains(indexes, "art_hashtags_name_idx")
			plan.walk(func(n planNode) {
				if n.NodeType != "Sort" && n.NodeType != "Incremental Sort" {
					return
				}
				for _, input := range n.Plans {
					if input.ActualRows <= 2*(size+1) {
						continue
					}
					assert.True(t, shape.sortsFew && findsFew && input.ActualRows <= planArts/100,
						"a sort of %.0f rows", input.ActualRows)
				}
			})
			if shape.page != "first" && len(shape.walks) == 1 && shape.query.Text == "" && shape.query.Hashtag == "" &&
				shape.query.Type == "" && shape.query.Status == "" {
				walk := pageWalk(plan, shape.walks[0])
				if shape.page == "deep" {
					assert.LessOrEqual(t, walk, float64(200*size+1), "a deep page walks the index up to its offset")
				} else {
					assert.LessOrEqual(t, walk, float64(2*(size+1)), "a cursor page starts at its position")
				}
				plan.walk(func(n planNode) {
					if n.IndexName == "arts_pkey" {
						assert.LessOrEqual(t, n.ActualLoops, float64(size+1), "only the page's arts are read whole")
					}
				})
			}
			t.Logf("%s\n%s\n%s", shape.name, text, logged)
		})
	}

	t.Run("a hashtag's pages read either way", func(t *testing.T) {
		tests := []struct {
			tag   string
			sort  application.ArtSort
			order string
		}{
			{tag: "tag42", sort: application.SortPriceDesc, order: "a.current_price DESC, a.id DESC"},
			{tag: "tag42", sort: application.SortLikesAsc, order: "a.like_count, a.id DESC"},
			{tag: "common1", sort: application.SortBidsDesc, order: "a.bid_count DESC, a.id DESC"},
			{tag: "common1", sort: application.SortOldest, order: "a.created_at, a.id DESC"},
		}
		for _, tt := range tests {
			var want []int64
			err := db.NewRaw(`SELECT a.id FROM arts AS a JOIN art_hashtags AS h ON h.art_id = a.id AND h.name = ?
				ORDER BY `+tt.order+` LIMIT 60`, tt.tag).Scan(ctx, &want)
			require.NoError(t, err)
			q := application.ArtQuery{Hashtag: tt.tag, Sort: tt.sort, Now: planNow}
			first, err := store.List(ctx, q, mustPage(t, 1, size))
			require.NoError(t, err)
			second, err := store.List(ctx, q, afterPage(t, first.Next, size))
			require.NoError(t, err)
			third, err := store.List(ctx, q, mustPage(t, 3, size))
			require.NoError(t, err)

			got := append(append(summaryIDs(first.Items), summaryIDs(second.Items)...), summaryIDs(third.Items)...)
			assert.Equal(t, want, got, "%s by %s", tt.tag, tt.sort)
		}
	})

	t.Run("totals", func(t *testing.T) {
		tests := []struct {
			query application.ArtQuery
			want  application.Total
		}{
			// Counters know the exact total, however large.
			{query: application.ArtQuery{}, want: application.Total{Count: planArts}},
			{query: application.ArtQuery{Type: art.TypeAuction, Status: application.StatusSoldArt}, want: application.Total{Count: planArts / 10}},
			{query: application.ArtQuery{Text: "quiet"}, want: application.Total{Count: application.TotalCap, Capped: true}},
			{query: application.ArtQuery{Text: "sunset"}, want: application.Total{Count: planArts / 1000}},
			{query: application.ArtQuery{Hashtag: "common2"}, want: application.Total{Count: application.TotalCap, Capped: true}},
			{query: application.ArtQuery{Hashtag: "tag42", Type: art.TypeAuction}, want: application.Total{Count: 200}},
			{query: application.ArtQuery{Status: application.StatusOpenAuction}, want: application.Total{Count: application.TotalCap, Capped: true}},
			{query: application.ArtQuery{LikedBy: fan}, want: application.Total{Count: planArts / 33}},
		}
		for _, tt := range tests {
			tt.query.Now = planNow
			got, err := store.List(ctx, tt.query, mustPage(t, 1, size))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.Total, "%+v", tt.query)
		}
	})
}

// pageWalk is how many rows the plan read through index: a page's walk.
func pageWalk(plan planNode, index string) float64 {
	var most float64
	plan.walk(func(n planNode) {
		if n.IndexName == index {
			most = max(most, n.ActualRows*n.ActualLoops)
		}
	})
	return most
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
