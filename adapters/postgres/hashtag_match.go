package postgres

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"

	"github.com/artauction/artauction/application"
)

var _ application.HashtagMatcher = (*ArtStore)(nil)

// MatchHashtags lists a page of the arts carrying at least one of tags (exact
// names), ranked by how many distinct tags they carry, then by the best
// confidence among those, then newest first, then by id descending; and how
// many arts match in all. A name given twice counts once, with its highest
// confidence. No tags give an empty page without a query.
func (s *ArtStore) MatchHashtags(ctx context.Context, tags []application.WeightedHashtag, page application.PageRequest) ([]application.ArtSummary, int, error) {
	names, confidences := bestConfidences(tags)
	if len(names) == 0 {
		return []application.ArtSummary{}, 0, nil
	}
	db := idb(ctx, s.db)
	var rows []artListRow
	if err := matchQuery(db, names, confidences, page, &rows).Scan(ctx); err != nil {
		return nil, 0, fmt.Errorf("select arts matching hashtags: %w", err)
	}
	var total int
	err := db.NewSelect().
		TableExpr("art_hashtags AS h").
		ColumnExpr("count(DISTINCT h.art_id)").
		// art_hashtags_name_idx (name, art_id) serves the lookup.
		Where("h.name = ANY(?::text[])", pgdialect.Array(names)).
		Scan(ctx, &total)
	if err != nil {
		return nil, 0, fmt.Errorf("count arts matching hashtags: %w", err)
	}
	items, err := summariesOf(ctx, db, rows)
	if err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// bestConfidences lists the distinct names of tags, in their first order, with
// the highest confidence each was given.
func bestConfidences(tags []application.WeightedHashtag) ([]string, []float64) {
	index := make(map[string]int, len(tags))
	names := make([]string, 0, len(tags))
	confidences := make([]float64, 0, len(tags))
	for _, t := range tags {
		i, seen := index[t.Name]
		if !seen {
			index[t.Name] = len(names)
			names = append(names, t.Name)
			confidences = append(confidences, t.Confidence)
			continue
		}
		confidences[i] = max(confidences[i], t.Confidence)
	}
	return names, confidences
}

// matchQuery builds the page query of MatchHashtags, scanning into dest.
// matched counts, for each art carrying one of the searched names, how many it
// carries (names are distinct and (art_id, name) is art_hashtags' key) and the
// best of their confidences. It filters art_hashtags with name = ANY, which
// art_hashtags_name_idx serves and the planner estimates from each name's
// frequency, and finds a row's confidence at its name's position in names
// rather than joining a list of names it could not estimate. ranked is the
// page of them; only the page's arts are then read with their owner and
// auction end, as List reads them.
func matchQuery(db bun.IDB, names []string, confidences []float64, page application.PageRequest, dest *[]artListRow) *bun.SelectQuery {
	nameArray := pgdialect.Array(names)
	matched := db.NewSelect().
		TableExpr("art_hashtags AS h").
		ColumnExpr("h.art_id").
		ColumnExpr("count(*) AS matches").
		ColumnExpr("max((?::float8[])[array_position(?::text[], h.name)]) AS best", pgdialect.Array(confidences), nameArray).
		Where("h.name = ANY(?::text[])", nameArray).
		GroupExpr("h.art_id")
	ranked := db.NewSelect().
		TableExpr("matched AS hm").
		Join("JOIN arts AS a ON a.id = hm.art_id").
		ColumnExpr("hm.art_id, hm.matches, hm.best").
		OrderExpr(matchOrder).
		Limit(int64(page.Size())).
		Offset(int64(page.Offset()))
	return summaryColumns(db.NewSelect().With("matched", matched).With("ranked", ranked).Model(dest)).
		Join("JOIN ranked AS hm ON hm.art_id = a.id").
		Join("JOIN members AS m ON m.id = a.owner_id").
		Join("LEFT JOIN auctions AS au ON au.art_id = a.id").
		OrderExpr(matchOrder)
}

// matchOrder ranks matched AS hm joined to arts AS a.
const matchOrder = "hm.matches DESC, hm.best DESC, a.created_at DESC, a.id DESC"
