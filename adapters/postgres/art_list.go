package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

// countCap is how far a list's total is counted when no counter holds it.
const countCap = application.TotalCap + 1

// rowQuerier is what Prepared and perCallPlanner share.
type rowQuerier interface {
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *sql.Row
}

// perCallPlanner runs statements whose best plan depends on their arguments:
// how many arts a text or a hashtag matches, how many works an owner has. A
// generic plan, made once for any argument, would serve some of them badly.
// pgx caches their description, so they still take one round trip, but sends
// them unnamed, so Postgres plans each call for its own arguments.
type perCallPlanner struct {
	runner sqlRunner
}

func plannedPerCall(ctx context.Context, db *bun.DB) perCallPlanner {
	return perCallPlanner{runner: prepared(ctx, db).runner}
}

func (p perCallPlanner) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.runner.QueryContext(ctx, query, append([]any{pgx.QueryExecModeCacheDescribe}, args...)...)
}

func (p perCallPlanner) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return p.runner.QueryRowContext(ctx, query, append([]any{pgx.QueryExecModeCacheDescribe}, args...)...)
}

// statementArgs numbers a statement's arguments as they are added.
type statementArgs []any

func (s *statementArgs) add(v any) string {
	*s = append(*s, v)
	return "$" + strconv.Itoa(len(*s))
}

// keysetOrder is one index order: by a value, then by an id descending. An
// ascending order's index is on (value, -id), so that both run one way and
// "after (value, id)" is a row comparison the index scan starts from.
type keysetOrder struct {
	value, id  string
	descending bool
	byTime     bool
}

func (o keysetOrder) orderBy() string {
	if o.descending {
		return o.value + " DESC, " + o.id + " DESC"
	}
	return o.value + ", -" + o.id
}

// after is the condition of the rows that come after (value, id).
func (o keysetOrder) after(args *statementArgs, value any, id int64) string {
	if o.descending {
		return fmt.Sprintf("(%s, %s) < (%s, %s)", o.value, o.id, args.add(value), args.add(id))
	}
	return fmt.Sprintf("(%s, -%s) > (%s, %s)", o.value, o.id, args.add(value), args.add(-id))
}

// orderByKey orders rows of a subquery (alias) by its k and id columns as the
// index did (so the planner sees they already are).
func (o keysetOrder) orderByKey(alias string) string {
	if o.descending {
		return alias + ".k DESC, " + alias + ".id DESC"
	}
	return alias + ".k, -" + alias + ".id"
}

// artOrders are the sorts of the art list; each has an index of the
// migrations. No sort is newest first.
var artOrders = map[application.ArtSort]keysetOrder{
	"":                        {value: "a.created_at", id: "a.id", descending: true, byTime: true},
	application.SortNewest:    {value: "a.created_at", id: "a.id", descending: true, byTime: true},
	application.SortOldest:    {value: "a.created_at", id: "a.id", byTime: true},
	application.SortPriceAsc:  {value: "a.current_price", id: "a.id"},
	application.SortPriceDesc: {value: "a.current_price", id: "a.id", descending: true},
	application.SortLikesDesc: {value: "a.like_count", id: "a.id", descending: true},
	application.SortLikesAsc:  {value: "a.like_count", id: "a.id"},
	application.SortBidsDesc:  {value: "a.bid_count", id: "a.id", descending: true},
	application.SortBidsAsc:   {value: "a.bid_count", id: "a.id"},
}

var (
	// likedOrder is a member's likes, most recently liked first.
	likedOrder = keysetOrder{value: "l.created_at", id: "l.art_id", descending: true, byTime: true}
	// openEndingOrder is ending_soon's first part: open auctions, soonest end first.
	openEndingOrder = keysetOrder{value: "au.end_at", id: "au.art_id", byTime: true}
	// restNewestOrder is ending_soon's second part: every other art, newest first.
	restNewestOrder = artOrders[application.SortNewest]
	// taggedNewestOrder and taggedOldestOrder are a hashtag's rows by their
	// art's listing time, the same keys as arts newest and oldest first.
	taggedNewestOrder = keysetOrder{value: "h.art_created_at", id: "h.art_id", descending: true, byTime: true}
	taggedOldestOrder = keysetOrder{value: "h.art_created_at", id: "h.art_id", byTime: true}
)

// Parts of ending_soon, as keysets and the statement's p.part tell them.
const (
	openPart = 0
	restPart = 1
)

// artPosition is a decoded keyset of the art list: [now] [part] value id,
// now for lists that depend on which auctions are open, part for ending_soon.
type artPosition struct {
	now   time.Time
	part  int64
	value any
	id    int64
}

// keysetTime reads a time a keyset holds as Unix microseconds, the precision
// Postgres keeps; a value outside years 1..9999 is no time a list holds.
func keysetTime(v int64) (time.Time, bool) {
	t := time.UnixMicro(v).UTC()
	return t, t.Year() >= 1 && t.Year() <= 9999
}

// artListShape is what decides the statement's text: the same shape always
// gives the same text, so pgx prepares it once per connection.
type artListShape struct {
	q          application.ArtQuery
	size       int
	endingSoon bool
	// openOnly, restOnly: ending_soon with only one part that can hold rows.
	openOnly, restOnly bool
	order              keysetOrder
	byCursor           bool
	// offset is a numbered page's; 0 for the first page and cursor pages.
	offset int
	// tagGated: a hashtag list read one of two ways, picked by how many arts
	// carry the hashtag (see taggedSingleOrder).
	tagGated bool
	// tagOrdered: a hashtag list by listing time, read off the hashtag's own
	// rows in order.
	tagOrdered bool
}

func newArtListShape(q application.ArtQuery, page application.PageRequest) (artListShape, error) {
	s := artListShape{q: q, size: page.Size(), byCursor: page.ByCursor(), offset: page.Offset()}
	switch {
	case q.LikedBy != 0:
		s.order = likedOrder
	case q.Sort == application.SortEndingSoon:
		s.endingSoon = true
		// Only auction arts have auctions, and an art is on sale while its auction is open.
		s.restOnly = q.Type == art.TypeGeneral || q.Status == application.StatusSoldArt || q.Status == application.StatusUnsoldArt
		s.openOnly = q.Status == application.StatusOpenAuction
	default:
		order, ok := artOrders[q.Sort]
		if !ok {
			return artListShape{}, fmt.Errorf("list arts: unknown sort %q", q.Sort)
		}
		s.order = order
		switch {
		case q.Hashtag == "" || q.Text != "":
		case q.Sort == application.SortOldest:
			s.order, s.tagOrdered = taggedOldestOrder, true
		case order == artOrders[application.SortNewest]:
			s.order, s.tagOrdered = taggedNewestOrder, true
		default:
			s.tagGated = true
		}
	}
	return s, nil
}

// planPerCall tells whether the best plan of this shape's statements depends
// on their arguments: how many arts a text, a hashtag (but in a gated or
// hashtag-ordered statement) or an owner (but newest first, which always
// walks arts_owner_idx) matches, or how deep an offset goes (a generic plan
// expects an OFFSET $n to skip a tenth of the table).
func (s artListShape) planPerCall() bool {
	ownerNewest := s.q.OwnerID != 0 && !s.endingSoon && s.order == artOrders[application.SortNewest]
	return s.q.Text != "" || s.q.Hashtag != "" && !s.tagGated && !s.tagOrdered || s.q.OwnerID != 0 && !ownerNewest || s.offset > 0
}

// runner runs this shape's statements: prepared once per connection, or
// planned for each call.
func (s artListShape) runner(ctx context.Context, db *bun.DB) rowQuerier {
	if s.planPerCall() {
		return plannedPerCall(ctx, db)
	}
	return prepared(ctx, db)
}

// needsNow tells whether the list depends on which auctions are open.
func (s artListShape) needsNow() bool {
	return s.endingSoon || s.q.Status == application.StatusOpenAuction
}

// decode reads a keyset this shape's lists make.
func (s artListShape) decode(keyset application.Keyset) (artPosition, error) {
	var pos artPosition
	want := 2
	if s.needsNow() {
		want++
	}
	if s.endingSoon {
		want++
	}
	if len(keyset) != want {
		return pos, fmt.Errorf("art list keyset of %d values: %w", len(keyset), application.ErrInvalidCursor)
	}
	rest := keyset
	if s.needsNow() {
		now, ok := keysetTime(rest[0])
		if !ok {
			return pos, fmt.Errorf("art list keyset time: %w", application.ErrInvalidCursor)
		}
		pos.now, rest = now, rest[1:]
	}
	byTime := s.order.byTime
	if s.endingSoon {
		pos.part, rest, byTime = rest[0], rest[1:], true
		if pos.part != openPart && pos.part != restPart || s.openOnly && pos.part != openPart || s.restOnly && pos.part != restPart {
			return pos, fmt.Errorf("art list keyset part %d: %w", pos.part, application.ErrInvalidCursor)
		}
	}
	pos.value, pos.id = rest[0], rest[1]
	if byTime {
		t, ok := keysetTime(rest[0])
		if !ok {
			return pos, fmt.Errorf("art list keyset time: %w", application.ErrInvalidCursor)
		}
		pos.value = t
	}
	return pos, nil
}

// artListStatement is one statement of the art list with its arguments.
type artListStatement struct {
	text string
	args []any
}

// artListBuilder writes one statement; filter arguments are added once and
// their placeholders used wherever the filters appear.
type artListBuilder struct {
	shape artListShape
	args  statementArgs
	// Placeholders of the filters ("" when unused).
	text, hashtag, typ, status, owner, liked string
	// nowTime is the time auctions are open at; its placeholder is added
	// where the statement first needs it (openAuction), as some never do.
	nowTime        time.Time
	nowPlaceholder string
}

func newArtListBuilder(shape artListShape, now time.Time) *artListBuilder {
	b := &artListBuilder{shape: shape}
	q := shape.q
	if q.Text != "" {
		b.text = b.args.add("%" + escapeLike(q.Text) + "%")
	}
	if q.Hashtag != "" {
		b.hashtag = b.args.add(q.Hashtag)
	}
	if q.Type != "" {
		b.typ = b.args.add(string(q.Type))
	}
	switch q.Status {
	case application.StatusAnyArt, application.StatusOpenAuction:
	default:
		b.status = b.args.add(string(q.Status))
	}
	if q.OwnerID != 0 {
		b.owner = b.args.add(q.OwnerID)
	}
	if q.LikedBy != 0 {
		b.liked = b.args.add(q.LikedBy)
	}
	b.nowTime = now.UTC()
	return b
}

// openAuction is the condition on auctions AS au of an auction open at now.
func (b *artListBuilder) openAuction() string {
	if b.nowPlaceholder == "" {
		b.nowPlaceholder = b.args.add(b.nowTime)
	}
	return "au.status = 'open' AND au.start_at <= " + b.nowPlaceholder + " AND au.end_at > " + b.nowPlaceholder
}

// conditions are the filters on arts AS a; the open-auction filter is left
// out when the caller reads open auctions anyway.
func (b *artListBuilder) conditions(openImplied bool) []string {
	conds := b.conditionsButTag(openImplied)
	if b.hashtag != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM art_hashtags AS h WHERE h.art_id = a.id AND h.name = "+b.hashtag+")")
	}
	return conds
}

// conditionsButTag are conditions without the hashtag filter.
func (b *artListBuilder) conditionsButTag(openImplied bool) []string {
	var conds []string
	if b.text != "" {
		// ILIKE's meaning, on the lowered column arts_text_trgm_idx serves.
		conds = append(conds, `a.search_text LIKE lower(`+b.text+`) ESCAPE '\'`)
	}
	if b.typ != "" {
		conds = append(conds, "a.type = "+b.typ)
	}
	if b.status != "" {
		conds = append(conds, "a.status = "+b.status)
	}
	if b.shape.q.Status == application.StatusOpenAuction && !openImplied {
		conds = append(conds, "EXISTS (SELECT 1 FROM auctions AS au WHERE au.art_id = a.id AND "+b.openAuction()+")")
	}
	if b.owner != "" {
		conds = append(conds, "a.owner_id = "+b.owner)
	}
	return conds
}

func where(conds []string) string {
	if len(conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(conds, " AND ")
}

// pageTail is what ends each part's query: LIMIT written into the text (a
// generic plan with LIMIT $n would expect a tenth of the table) and, for a
// numbered page after the first, OFFSET as an argument.
func (b *artListBuilder) pageTail(offset string) string {
	tail := " LIMIT " + strconv.Itoa(b.shape.size+1)
	if offset != "" {
		tail += " OFFSET " + offset
	}
	return tail
}

// fewTagged is how many arts a hashtag may carry for its list to be read from
// the hashtag's arts, sorted; past it, the list walks the sort's index.
const fewTagged = 1000

// taggedSingleOrder is the page of a hashtag list in one sort. Read from the
// hashtag's arts, a page sorts all of them; walking the sort's index, it reads
// about a page for each share of arts carrying the hashtag: the first is
// cheap for a rare hashtag (or one nobody uses), the second for a common one.
// Both readings are in the statement, each behind the hashtag's counter;
// Postgres runs only the one whose gate passes, so the statement's one
// generic plan serves every hashtag.
func (b *artListBuilder) taggedSingleOrder(pos *artPosition, offset string) string {
	order := b.shape.order
	conds := b.conditionsButTag(false)
	if pos != nil {
		conds = append(conds, order.after(&b.args, pos.value, pos.id))
	}
	tagged := b.taggedCount()
	few := "SELECT t.id, t.k, 0 AS part FROM art_hashtags AS h CROSS JOIN LATERAL (SELECT a.id, " + order.value +
		" AS k FROM arts AS a" + where(append([]string{"a.id = h.art_id"}, conds...)) +
		// OFFSET 0 keeps each tagged art a lookup by id.
		" OFFSET 0) AS t WHERE h.name = " + b.hashtag + " AND " + tagged + " <= " + strconv.Itoa(fewTagged) +
		" ORDER BY " + order.orderByKey("t") + b.pageTail(offset)
	// A scalar subquery, unlike EXISTS, stays a check of each walked art.
	many := "SELECT a.id, " + order.value + " AS k, 0 AS part FROM arts AS a" + where(append([]string{
		tagged + " > " + strconv.Itoa(fewTagged),
		"(SELECT true FROM art_hashtags AS h WHERE h.art_id = a.id AND h.name = " + b.hashtag + ")",
	}, conds...)) + " ORDER BY " + order.orderBy() + b.pageTail(offset)
	return "SELECT * FROM ((" + few + ") UNION ALL (" + many + ")) AS gated"
}

// singleOrder is the page of a list read in one index order: a sort of arts,
// a hashtag's arts by listing time, or a member's likes. It yields p(id, k, part).
func (b *artListBuilder) singleOrder(pos *artPosition, offset string) string {
	if b.shape.tagGated {
		return b.taggedSingleOrder(pos, offset)
	}
	conds := b.conditions(false)
	var from string
	switch {
	case b.shape.tagOrdered:
		conds = b.conditionsButTag(false)
		from = "SELECT h.art_id AS id, h.art_created_at AS k, 0 AS part FROM art_hashtags AS h"
		if len(conds) > 0 {
			from += " JOIN arts AS a ON a.id = h.art_id"
		}
		conds = append([]string{"h.name = " + b.hashtag}, conds...)
	case b.liked != "" && len(conds) == 0:
		from = "SELECT l.art_id AS id, l.created_at AS k, 0 AS part FROM art_likes AS l"
		conds = []string{"l.member_id = " + b.liked}
	case b.liked != "":
		from = "SELECT a.id, l.created_at AS k, 0 AS part FROM art_likes AS l JOIN arts AS a ON a.id = l.art_id"
		conds = append([]string{"l.member_id = " + b.liked}, conds...)
	default:
		from = "SELECT a.id, " + b.shape.order.value + " AS k, 0 AS part FROM arts AS a"
	}
	if pos != nil {
		conds = append(conds, b.shape.order.after(&b.args, pos.value, pos.id))
	}
	return from + where(conds) + " ORDER BY " + b.shape.order.orderBy() + b.pageTail(offset)
}

// openPart is ending_soon's first part: auctions open at now, read off
// auctions_open_ending_idx.
func (b *artListBuilder) openPart(pos *artPosition, offset string) string {
	conds := b.conditions(true)
	from := "SELECT au.art_id AS id, au.end_at AS k, 0 AS part FROM auctions AS au"
	if len(conds) > 0 {
		from += " JOIN arts AS a ON a.id = au.art_id"
	}
	conds = append([]string{b.openAuction()}, conds...)
	if pos != nil {
		conds = append(conds, openEndingOrder.after(&b.args, pos.value, pos.id))
	}
	return from + where(conds) + " ORDER BY " + openEndingOrder.orderBy() + b.pageTail(offset)
}

// restPart is ending_soon's second part: every other art, newest first.
func (b *artListBuilder) restPart(pos *artPosition, offset string) string {
	conds := b.conditions(false)
	if !b.shape.restOnly {
		conds = append(conds, "NOT EXISTS (SELECT 1 FROM auctions AS au WHERE au.art_id = a.id AND "+b.openAuction()+")")
	}
	if pos != nil {
		conds = append(conds, restNewestOrder.after(&b.args, pos.value, pos.id))
	}
	return "SELECT a.id, a.created_at AS k, 1 AS part FROM arts AS a" + where(conds) +
		" ORDER BY " + restNewestOrder.orderBy() + b.pageTail(offset)
}

// endingSoonOrder orders p: the open part by end, then the rest newest first.
const endingSoonOrder = "p.part, CASE WHEN p.part = 0 THEN p.k END, p.k DESC, p.id DESC"

// endingSoon is the page of ending_soon: each part read in its own index
// order, at most a page of each, then the two ordered (at most twice a page).
func (b *artListBuilder) endingSoon(pos *artPosition, offset string) string {
	var parts []string
	switch {
	case b.shape.openOnly:
		parts = []string{b.openPart(pos, offset)}
	case b.shape.restOnly:
		parts = []string{b.restPart(pos, offset)}
	case pos != nil && pos.part == restPart:
		parts = []string{b.restPart(pos, "")}
	case pos != nil:
		parts = []string{b.openPart(pos, ""), b.restPart(nil, "")}
	case offset == "":
		parts = []string{b.openPart(nil, ""), b.restPart(nil, "")}
	default:
		// A numbered page skips offset rows of the open part, and what
		// remains of the offset in the rest.
		openSkipped := "(SELECT count(*) FROM (SELECT 1 FROM auctions AS au" + b.openJoin() +
			where(append([]string{b.openAuction()}, b.conditions(true)...)) + " LIMIT " + offset + ") AS skipped)"
		parts = []string{b.openPart(nil, offset), b.restPart(nil, "greatest("+offset+" - "+openSkipped+", 0)")}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "SELECT * FROM ((" + strings.Join(parts, ") UNION ALL (") + ")) AS p ORDER BY " + endingSoonOrder +
		" LIMIT " + strconv.Itoa(b.shape.size+1)
}

func (b *artListBuilder) openJoin() string {
	if len(b.conditions(true)) > 0 {
		return " JOIN arts AS a ON a.id = au.art_id"
	}
	return ""
}

// taggedCount is how many arts carry the list's hashtag, from its counter
// rows (hashtag_counts, kept by triggers on art_hashtags).
func (b *artListBuilder) taggedCount() string {
	return "(SELECT COALESCE(sum(c.art_count), 0) FROM hashtag_counts AS c WHERE c.name = " + b.hashtag + ")"
}

// countedByCounters tells whether the list's filters are only type and
// status, whose total counter rows hold exactly.
func (s artListShape) countedByCounters() bool {
	q := s.q
	return q.Text == "" && q.Hashtag == "" && q.OwnerID == 0 && q.LikedBy == 0 && q.Status != application.StatusOpenAuction
}

// total is the expression of the list's total on a numbered page: a sum of
// counters, exact however large, when the filters are only type and status,
// only a hashtag, only an owner or only a member's likes; else a count that
// stops past the cap.
func (b *artListBuilder) total() string {
	q := b.shape.q
	if b.liked != "" && len(b.conditions(false)) == 0 {
		// Only the member's likes: their counter holds the total exactly.
		return "(SELECT COALESCE((SELECT t.art_count FROM member_like_totals AS t WHERE t.member_id = " + b.liked + "), 0))"
	}
	if b.owner != "" && b.liked == "" && len(b.conditions(false)) == 1 {
		// Only the owner: the member's counters hold the number of their works.
		return "(SELECT COALESCE((SELECT s.art_count FROM member_stats AS s WHERE s.member_id = " + b.owner + "), 0))"
	}
	if b.hashtag != "" && b.liked == "" && len(b.conditionsButTag(false)) == 0 {
		// Only the hashtag filters: its counter holds the total exactly.
		return b.taggedCount()
	}
	if b.shape.countedByCounters() {
		var conds []string
		if b.typ != "" {
			conds = append(conds, "t.type = "+b.typ)
		}
		if b.status != "" {
			conds = append(conds, "t.status = "+b.status)
		}
		return "(SELECT COALESCE(sum(t.art_count), 0) FROM art_totals AS t" + where(conds) + ")"
	}
	limit := " LIMIT " + strconv.Itoa(countCap)
	conds := b.conditions(false)
	var counted string
	switch {
	case b.liked != "":
		// Each of the member's likes checks its art by id: OFFSET 0 keeps the
		// planner from joining the whole arts table instead.
		counted = "SELECT 1 FROM art_likes AS l CROSS JOIN LATERAL (SELECT 1 FROM arts AS a" +
			where(append([]string{"a.id = l.art_id"}, conds...)) + " OFFSET 0) AS kept WHERE l.member_id = " + b.liked
	case q.Status == application.StatusOpenAuction:
		// Open auctions are found through auctions_open_ending_idx.
		counted = "SELECT 1 FROM auctions AS au" + b.openJoin() +
			where(append([]string{b.openAuction()}, b.conditions(true)...))
	default:
		counted = "SELECT 1 FROM arts AS a" + where(conds)
	}
	return "(SELECT count(*) FROM (" + counted + limit + ") AS counted)"
}

// summarySelectList are an art summary's columns from p (the page's ids and
// keys), arts AS a, members AS m and auctions AS au, hashtags in order.
const summarySelectList = `a.id, a.owner_id, a.name, a.description, a.type, a.price, a.current_price, a.status,
	a.like_count, a.bid_count, a.image_key, a.image_format, a.image_width, a.image_height, a.image_size,
	a.image_etag, a.created_at, m.nickname, m.school, au.end_at,
	ARRAY(SELECT h.name FROM art_hashtags AS h WHERE h.art_id = a.id ORDER BY h.position)`

// build writes the statement of one page: the page's ids and keys (p), then
// what the page shows of each, and the total for a numbered page, in one
// round trip. The ids are found first so that a deep offset walks an index
// only, and only the page's rows are joined.
func (b *artListBuilder) build(pos *artPosition) artListStatement {
	offsetArg := ""
	if b.shape.offset > 0 {
		offsetArg = b.args.add(b.shape.offset)
	}
	var inner, order string
	if b.shape.endingSoon {
		inner, order = b.endingSoon(pos, offsetArg), endingSoonOrder
	} else {
		inner, order = b.singleOrder(pos, offsetArg), b.shape.order.orderByKey("p")
	}
	total := "NULL::bigint"
	if !b.shape.byCursor {
		total = b.total()
	}
	text := "SELECT " + summarySelectList + ", p.part, p.k, " + total + " AS total FROM (" + inner + ") AS p" +
		" JOIN arts AS a ON a.id = p.id JOIN members AS m ON m.id = a.owner_id" +
		" LEFT JOIN auctions AS au ON au.art_id = a.id ORDER BY " + order
	return artListStatement{text: text, args: b.args}
}

// artListStatementFor is the statement of one page of q.
func artListStatementFor(q application.ArtQuery, page application.PageRequest) (artListStatement, artListShape, error) {
	shape, err := newArtListShape(q, page)
	if err != nil {
		return artListStatement{}, shape, err
	}
	now := q.Now
	var pos *artPosition
	if after := page.After(); after != nil {
		decoded, err := shape.decode(after)
		if err != nil {
			return artListStatement{}, shape, err
		}
		pos = &decoded
		if shape.needsNow() {
			now = decoded.now
		}
	}
	shape.q.Now = now
	return newArtListBuilder(shape, now).build(pos), shape, nil
}

// List answers a page of arts matching q, in one round trip.
func (s *ArtStore) List(ctx context.Context, q application.ArtQuery, page application.PageRequest) (application.StoredPage[application.ArtSummary], error) {
	var none application.StoredPage[application.ArtSummary]
	st, shape, err := artListStatementFor(q, page)
	if err != nil {
		return none, err
	}
	rows, err := shape.runner(ctx, s.db).Query(ctx, st.text, st.args...)
	if err != nil {
		return none, fmt.Errorf("select arts: %w", err)
	}
	defer rows.Close()
	var result application.StoredPage[application.ArtSummary]
	var counted sql.NullInt64
	var last artListKey
	types := pgtype.NewMap()
	for rows.Next() {
		var row artListRow
		var tags []string
		var key artListKey
		targets := append(row.summaryTargets(types, &tags), &key.part, &key.value, &counted)
		if err := rows.Scan(targets...); err != nil {
			return none, fmt.Errorf("scan art: %w", err)
		}
		if len(result.Items) == page.Size() {
			result.Next = shape.keyset(last)
			break
		}
		item, err := summaryFromRow(row, tags)
		if err != nil {
			return none, err
		}
		key.id = row.ID
		result.Items, last = append(result.Items, item), key
	}
	if err := rows.Err(); err != nil {
		return none, fmt.Errorf("read arts: %w", err)
	}
	if result.Items == nil {
		result.Items = []application.ArtSummary{}
	}
	if !page.ByCursor() {
		n, err := countOf(ctx, shape.runner(ctx, s.db), page, len(result.Items), counted, func() (string, []any) {
			b := newArtListBuilder(shape, shape.q.Now)
			return b.total(), b.args
		})
		if err != nil {
			return none, fmt.Errorf("count arts: %w", err)
		}
		result.Total = application.CappedTotal(n)
		if shape.countedByCounters() {
			result.Total = application.Total{Count: n}
		}
	}
	return result, nil
}

// countOf is what a numbered page counted: counted, the statement's, unless
// the page came back empty and so carried none; then the count expression
// and arguments count gives, run alone, unless the page was the first (an
// empty list).
func countOf(ctx context.Context, runner rowQuerier, page application.PageRequest, items int, counted sql.NullInt64,
	count func() (string, []any)) (int, error) {
	if counted.Valid {
		return int(counted.Int64), nil
	}
	if page.Offset() == 0 || items > 0 {
		return page.Offset() + items, nil
	}
	expr, args := count()
	var n int64
	if err := runner.QueryRow(ctx, "SELECT "+expr, args...).Scan(&n); err != nil {
		return 0, err
	}
	return int(n), nil
}

// countWith is a count expression with fixed arguments.
func countWith(expr string, args ...any) func() (string, []any) {
	return func() (string, []any) { return expr, args }
}

// artListKey is where a listed art stands: p.part, p.k and its id.
type artListKey struct {
	part  int64
	value any
	id    int64
}

// keyset is the keyset of key in this shape's lists (see decode).
func (s artListShape) keyset(key artListKey) application.Keyset {
	var ks application.Keyset
	if s.needsNow() {
		ks = append(ks, s.q.Now.UnixMicro())
	}
	if s.endingSoon {
		ks = append(ks, key.part)
	}
	switch v := key.value.(type) {
	case time.Time:
		ks = append(ks, v.UnixMicro())
	case int64:
		ks = append(ks, v)
	}
	return append(ks, key.id)
}

// summaryTargets are where summarySelectList scan to.
func (r *artListRow) summaryTargets(types *pgtype.Map, tags *[]string) []any {
	return []any{&r.ID, &r.OwnerID, &r.Name, &r.Description, &r.Type, &r.Price, &r.CurrentPrice, &r.Status,
		&r.LikeCount, &r.BidCount, &r.ImageKey, &r.ImageFormat, &r.ImageWidth, &r.ImageHeight, &r.ImageSize,
		&r.ImageETag, &r.CreatedAt, &r.OwnerNickname, &r.OwnerSchool, &r.AuctionEndAt, types.SQLScanner(tags)}
}
