package main

import (
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
)

// Request shapes of the read benchmark, in the order they run.
const (
	shapeArtAnon        = "art_anon"
	shapeArtAuth        = "art_auth"
	shapeListHashtag    = "list_hashtag"
	shapeListQ          = "list_q"
	shapeListType       = "list_type"
	shapeListOpenEnding = "list_open_ending_soon"
	shapeListOwner      = "list_owner"
	shapePageFirst      = "page_first"
	shapePageDeepOffset = "page_deep_offset"
	shapePageDeepCursor = "page_deep_cursor"
	shapeAuction        = "auction"
	shapeAuctionBids    = "auction_bids"
	shapeMember         = "member"
	shapeMyLikes        = "me_likes"
	shapeListSortPrefix = "list_"
	baselineShape       = "hello"
	// readPageSize is the size of every page the shapes ask for.
	readPageSize          = 20
	deepPageSpread        = 10
	artsPath              = "/api/v1/arts"
	helloPath             = "/hello"
	authenticatedKeyStart = "member "
)

// listSorts are every sort of the art list, each a shape of its own.
var listSorts = []string{"newest", "oldest", "price_asc", "price_desc", "likes_desc", "likes_asc", "bids_desc", "bids_asc", "ending_soon"}

// deepSorts are the orders the paging shapes walk.
var deepSorts = []string{"newest", "price_desc", "likes_desc"}

var allReadShapes = slices.Concat(
	[]string{shapeArtAnon, shapeArtAuth},
	sortShapes(),
	[]string{
		shapeListHashtag, shapeListQ, shapeListType, shapeListOpenEnding, shapeListOwner,
		shapePageFirst, shapePageDeepOffset, shapePageDeepCursor,
		shapeAuction, shapeAuctionBids, shapeMember, shapeMyLikes,
	})

func sortShapes() []string {
	names := make([]string, len(listSorts))
	for i, s := range listSorts {
		names[i] = shapeListSortPrefix + s
	}
	return names
}

func isDeepShape(name string) bool {
	return name == shapePageDeepOffset || name == shapePageDeepCursor
}

// readRequest is one GET: its path and query, the token it is sent with
// ("" for none), and its cache key: what a cache of anonymous answers
// could serve it from (the member's too for an authenticated one).
type readRequest struct {
	path  string
	token string
	key   string
}

// readTargets is what the shapes draw from: the catalog ranked most
// popular first, the logged-in members, and the cursors of the deep pages.
type readTargets struct {
	law zipfLaw
	// arts by like count, auctions by bid count, members (and owners) by
	// how many arts they list, hashtags by how many arts carry them, words
	// by how often the catalog uses them.
	arts     []int64
	auctions []int64
	members  []int64
	hashtags []string
	words    []string
	// sessions are the logged-in members.
	sessions []bidder
	// deepPage is the last page of the deep shapes; cursors[sort][p] gives
	// page p of that sort.
	deepPage int
	cursors  map[string]map[int]string
}

// requestSource makes one client's requests of a shape; each client has
// its own, drawing from its own generator.
type requestSource func() readRequest

// describe says what a shape requests, for the report.
func describeShape(name string) string {
	switch name {
	case baselineShape:
		return "GET /hello on an echo hello-world process"
	case shapeArtAnon:
		return "GET /api/v1/arts/{id}, id by popularity"
	case shapeArtAuth:
		return "GET /api/v1/arts/{id} with a member's token"
	case shapeListHashtag:
		return "GET /api/v1/arts?hashtag=, tag by popularity"
	case shapeListQ:
		return "GET /api/v1/arts?q=, word by frequency"
	case shapeListType:
		return "GET /api/v1/arts?type=, auction or general"
	case shapeListOpenEnding:
		return "GET /api/v1/arts?status=open_auction&sort=ending_soon"
	case shapeListOwner:
		return "GET /api/v1/arts?owner_id=, owner by art count"
	case shapePageFirst:
		return "GET /api/v1/arts?sort=, newest, price_desc or likes_desc"
	case shapePageDeepOffset:
		return "the same, one of the 10 pages up to --deep-page, by offset"
	case shapePageDeepCursor:
		return "the same pages by cursor"
	case shapeAuction:
		return "GET /api/v1/auctions/{id}, id by bid count"
	case shapeAuctionBids:
		return "GET /api/v1/auctions/{id}/bids"
	case shapeMember:
		return "GET /api/v1/members/{id}, id by art count"
	case shapeMyLikes:
		return "GET /api/v1/me/likes, each member its token"
	}
	return "GET /api/v1/arts?sort=" + name[len(shapeListSortPrefix):]
}

// newSource builds shape's requests for one client. Every draw is the
// client's own: ids, hashtags, words and owners by t.law over their
// ranking, browsed pages by pageDrawer, the rest uniformly.
func (t *readTargets) newSource(shape string, rng *rand.Rand) requestSource {
	if source := t.singleSource(shape, rng); source != nil {
		return source
	}
	return t.listSource(shape, rng)
}

// singleSource builds the requests of a shape that reads one thing (an art,
// an auction, a member, one's likes, the baseline); nil for a list shape.
func (t *readTargets) singleSource(shape string, rng *rand.Rand) requestSource {
	session := func() bidder { return t.sessions[rng.IntN(len(t.sessions))] }
	ofID := func(prefix string, ids []int64, draw func() int, suffix string) requestSource {
		return func() readRequest { return anonymous(prefix + strconv.FormatInt(pick(ids, draw), 10) + suffix) }
	}
	switch shape {
	case baselineShape:
		return func() readRequest { return anonymous(helloPath) }
	case shapeArtAnon:
		return ofID(artsPath+"/", t.arts, rankDrawer(rng, t.law, len(t.arts)), "")
	case shapeArtAuth:
		art := rankDrawer(rng, t.law, len(t.arts))
		return func() readRequest {
			return authenticated(artsPath+"/"+strconv.FormatInt(pick(t.arts, art), 10), session())
		}
	case shapeAuction:
		return ofID("/api/v1/auctions/", t.auctions, rankDrawer(rng, t.law, len(t.auctions)), "")
	case shapeAuctionBids:
		return ofID("/api/v1/auctions/", t.auctions, rankDrawer(rng, t.law, len(t.auctions)), "/bids")
	case shapeMember:
		return ofID("/api/v1/members/", t.members, rankDrawer(rng, t.law, len(t.members)), "")
	case shapeMyLikes:
		page := pageDrawer(rng)
		return func() readRequest {
			path := "/api/v1/me/likes"
			if p := page(); p > 1 {
				path += "?page=" + strconv.Itoa(p)
			}
			return authenticated(path, session())
		}
	}
	return nil
}

// listSource builds the requests of a shape that reads a page of the art list.
func (t *readTargets) listSource(shape string, rng *rand.Rand) requestSource {
	page := pageDrawer(rng)
	list := func(query url.Values) readRequest { return anonymous(artsPath + "?" + browsed(query, page())) }
	switch shape {
	case shapeListHashtag:
		tag := rankDrawer(rng, t.law, len(t.hashtags))
		return func() readRequest { return list(url.Values{"hashtag": {pick(t.hashtags, tag)}}) }
	case shapeListQ:
		word := rankDrawer(rng, t.law, len(t.words))
		return func() readRequest { return list(url.Values{"q": {pick(t.words, word)}}) }
	case shapeListType:
		return func() readRequest { return list(url.Values{"type": {[]string{"auction", "general"}[rng.IntN(2)]}}) }
	case shapeListOpenEnding:
		return func() readRequest {
			return list(url.Values{"status": {"open_auction"}, "sort": {"ending_soon"}})
		}
	case shapeListOwner:
		owner := rankDrawer(rng, t.law, len(t.members))
		return func() readRequest {
			return list(url.Values{"owner_id": {strconv.FormatInt(pick(t.members, owner), 10)}})
		}
	case shapePageFirst:
		return func() readRequest {
			return anonymous(artsPath + "?" + browsed(deepQuery(deepSorts[rng.IntN(len(deepSorts))]), 1))
		}
	case shapePageDeepOffset:
		return func() readRequest {
			return anonymous(artsPath + "?" + browsed(deepQuery(deepSorts[rng.IntN(len(deepSorts))]), t.deepPageDraw(rng)))
		}
	case shapePageDeepCursor:
		return func() readRequest {
			sort := deepSorts[rng.IntN(len(deepSorts))]
			query := deepQuery(sort)
			query.Set("cursor", t.cursors[sort][t.deepPageDraw(rng)])
			return anonymous(artsPath + "?" + browsed(query, 1))
		}
	}
	sort := shape[len(shapeListSortPrefix):]
	return func() readRequest { return list(url.Values{"sort": {sort}}) }
}

// anonymous is a request without a token, cached by its path.
func anonymous(path string) readRequest { return readRequest{path: path, key: path} }

// deepPageDraw draws one of the deepPageSpread pages ending at deepPage.
func (t *readTargets) deepPageDraw(rng *rand.Rand) int {
	return t.deepPage - deepPageSpread + 1 + rng.IntN(deepPageSpread)
}

func authenticated(path string, who bidder) readRequest {
	return readRequest{path: path, token: who.token, key: authenticatedKeyStart + strconv.FormatInt(who.id, 10) + " " + path}
}

// browsed is a list query at page p, with the size every list shape uses;
// page 1 names no page, as a first visit does.
func browsed(query url.Values, p int) string {
	query.Set("size", strconv.Itoa(readPageSize))
	if p > 1 {
		query.Set("page", strconv.Itoa(p))
	}
	return query.Encode()
}

func deepQuery(sort string) url.Values { return url.Values{"sort": {sort}} }
