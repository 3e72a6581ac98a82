package application

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/validation"
)

// ListArtsRequest is a list request as a client sends it.
type ListArtsRequest struct {
	Text    string
	Hashtag string
	Type    string
	Status  string
	Sort    string
	// OwnerID and LikedBy narrow the list to a member's arts or likes.
	OwnerID int64
	LikedBy int64
}

// maxSearchText bounds the text search, which is matched inside every name and description.
const maxSearchText = 100

// ListArts pages through arts with filters and sorts.
type ListArts struct {
	arts  ArtStore
	clock Clock
}

// NewListArts builds the use case.
func NewListArts(arts ArtStore, clock Clock) *ListArts {
	return &ListArts{arts: arts, clock: clock}
}

// Execute validates the request: an unknown sort, type or status is a validation error.
func (uc *ListArts) Execute(ctx context.Context, req ListArtsRequest, page PageRequest) (Page[ArtSummary], error) {
	q, err := parseArtQuery(req)
	if err != nil {
		return Page[ArtSummary]{}, err
	}
	list := q.scope()
	if page, err = page.in(list); err != nil {
		return Page[ArtSummary]{}, err
	}
	q.Now = uc.clock.Now()
	stored, err := uc.arts.List(ctx, q, page)
	if err != nil {
		return Page[ArtSummary]{}, fmt.Errorf("list arts: %w", err)
	}
	return pageOf(stored, page, list), nil
}

// scope names the list q selects: every filter and the order, but not Now,
// which a cursor carries itself.
func (q ArtQuery) scope() listScope {
	return listScope(fmt.Sprintf("arts\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%d",
		q.Text, q.Hashtag, q.Type, q.Status, q.Sort, q.OwnerID, q.LikedBy))
}

func parseArtQuery(req ListArtsRequest) (ArtQuery, error) {
	var c validation.Collector
	q := ArtQuery{
		Text: strings.TrimSpace(req.Text), Hashtag: art.NormalizeHashtag(req.Hashtag),
		OwnerID: req.OwnerID, LikedBy: req.LikedBy,
	}
	c.Check(utf8.RuneCountInString(q.Text) <= maxSearchText, "q", "must be at most 100 characters")
	c.Check(validation.StorableText(q.Text), "q", "must be UTF-8 text without NUL characters")
	c.Check(req.Hashtag == "" || q.Hashtag != "" && validation.StorableText(q.Hashtag), "hashtag", "must name a hashtag")
	if req.Type != "" {
		t, ok := art.ParseType(req.Type)
		c.Check(ok, "type", "must be auction or general")
		q.Type = t
	}
	switch s := ArtStatusFilter(req.Status); s {
	case StatusAnyArt, StatusOnSaleArt, StatusSoldArt, StatusUnsoldArt, StatusOpenAuction:
		q.Status = s
	default:
		c.Add("status", "must be on_sale, sold, unsold or open_auction")
	}
	switch s := ArtSort(req.Sort); s {
	case "":
		q.Sort = SortNewest
	case SortNewest, SortOldest, SortPriceAsc, SortPriceDesc, SortLikesDesc, SortLikesAsc,
		SortBidsDesc, SortBidsAsc, SortEndingSoon:
		q.Sort = s
	default:
		c.Add("sort", "must be one of newest, oldest, price_asc, price_desc, likes_desc, likes_asc, bids_desc, bids_asc, ending_soon")
	}
	return q, c.Err()
}
