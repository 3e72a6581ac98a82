package application_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/art"
)

func firstPage(t *testing.T) application.PageRequest {
	t.Helper()
	page, err := application.NewPageRequest(1, 20)
	require.NoError(t, err)
	return page
}

// listArtsQuery runs ListArts on req and returns the query the store was given.
func listArtsQuery(t *testing.T, req application.ListArtsRequest) application.ArtQuery {
	t.Helper()
	ctrl := gomock.NewController(t)
	arts := mock.NewMockArtStore(ctrl)
	var got application.ArtQuery
	arts.EXPECT().List(gomock.Any(), gomock.Any(), firstPage(t)).DoAndReturn(
		func(_ context.Context, q application.ArtQuery, _ application.PageRequest) (application.StoredPage[application.ArtSummary], error) {
			got = q
			return application.StoredPage[application.ArtSummary]{}, nil
		})

	_, err := application.NewListArts(arts, newFixedClock(ctrl)).Execute(context.Background(), req, firstPage(t))

	require.NoError(t, err)
	return got
}

func TestListArtsDefaults(t *testing.T) {
	q := listArtsQuery(t, application.ListArtsRequest{})

	assert.Equal(t, application.ArtQuery{Sort: application.SortNewest, Now: fixedTestNow}, q)
}

func TestListArtsAcceptsEverySort(t *testing.T) {
	sorts := []application.ArtSort{
		application.SortNewest, application.SortOldest, application.SortPriceAsc, application.SortPriceDesc,
		application.SortLikesDesc, application.SortLikesAsc, application.SortBidsDesc, application.SortBidsAsc,
		application.SortEndingSoon,
	}
	for _, s := range sorts {
		t.Run(string(s), func(t *testing.T) {
			q := listArtsQuery(t, application.ListArtsRequest{Sort: string(s)})

			assert.Equal(t, s, q.Sort)
		})
	}
}

func TestListArtsAcceptsEveryTypeAndStatus(t *testing.T) {
	for _, ty := range []art.Type{art.TypeAuction, art.TypeGeneral} {
		assert.Equal(t, ty, listArtsQuery(t, application.ListArtsRequest{Type: string(ty)}).Type)
	}
	statuses := []application.ArtStatusFilter{
		application.StatusOnSaleArt, application.StatusSoldArt, application.StatusUnsoldArt, application.StatusOpenAuction,
	}
	for _, s := range statuses {
		assert.Equal(t, s, listArtsQuery(t, application.ListArtsRequest{Status: string(s)}).Status)
	}
}

func TestListArtsRefusesUnknownValuesNamingTheField(t *testing.T) {
	tests := []struct {
		name       string
		req        application.ListArtsRequest
		wantFields []string
	}{
		{name: "an unknown sort", req: application.ListArtsRequest{Sort: "random"}, wantFields: []string{"sort"}},
		{name: "a sort in capitals", req: application.ListArtsRequest{Sort: "NEWEST"}, wantFields: []string{"sort"}},
		{name: "an unknown type", req: application.ListArtsRequest{Type: "lottery"}, wantFields: []string{"type"}},
		{name: "an unknown status", req: application.ListArtsRequest{Status: "deleted"}, wantFields: []string{"status"}},
		{name: "the auction status scheduled", req: application.ListArtsRequest{Status: "scheduled"}, wantFields: []string{"status"}},
		{name: "text over 100 characters", req: application.ListArtsRequest{Text: strings.Repeat("a", 101)}, wantFields: []string{"q"}},
		{name: "text with a NUL", req: application.ListArtsRequest{Text: "a\x00b"}, wantFields: []string{"q"}},
		{name: "text that is not UTF-8", req: application.ListArtsRequest{Text: "a\xffb"}, wantFields: []string{"q"}},
		{name: "a hashtag with a NUL", req: application.ListArtsRequest{Hashtag: "a\x00"}, wantFields: []string{"hashtag"}},
		{
			name:       "everything at once",
			req:        application.ListArtsRequest{Text: strings.Repeat("가", 101), Type: "x", Status: "y", Sort: "z"},
			wantFields: []string{"q", "type", "status", "sort"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctrl := gomock.NewController(t)
			arts := mock.NewMockArtStore(ctrl)

			p, err := application.NewListArts(arts, newFixedClock(ctrl)).Execute(context.Background(), tt.req, firstPage(t))

			assert.ElementsMatch(t, tt.wantFields, validationFieldNames(t, err))
			assert.Empty(t, p.Items)
		})
	}
}

func TestListArtsNormalizesTheHashtag(t *testing.T) {
	tests := map[string]string{
		"cat":       "cat",
		"#Cat":      "cat",
		"  ##CAT  ": "cat",
		"고양이":       "고양이",
	}
	for raw, want := range tests {
		t.Run(raw, func(t *testing.T) {
			assert.Equal(t, want, listArtsQuery(t, application.ListArtsRequest{Hashtag: raw}).Hashtag)
		})
	}
}

func TestListArtsTrimsTheText(t *testing.T) {
	tests := []struct {
		name string
		text string
		want string
	}{
		{name: "trimmed", text: "  sunset \t", want: "sunset"},
		{name: "100 characters", text: strings.Repeat("a", 100), want: strings.Repeat("a", 100)},
		{name: "100 Hangul characters", text: strings.Repeat("가", 100), want: strings.Repeat("가", 100)},
		{name: "100 characters once trimmed", text: "   " + strings.Repeat("a", 100) + "   ", want: strings.Repeat("a", 100)},
		{name: "blank means no text", text: "   ", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, listArtsQuery(t, application.ListArtsRequest{Text: tt.text}).Text)
		})
	}
}

func TestListArtsPassesEveryFilterThrough(t *testing.T) {
	q := listArtsQuery(t, application.ListArtsRequest{
		Text: "sea", Hashtag: "#Sea", Type: "auction", Status: "open_auction", Sort: "ending_soon", OwnerID: 7, LikedBy: 9,
	})

	assert.Equal(t, application.ArtQuery{
		Text: "sea", Hashtag: "sea", Type: art.TypeAuction, Status: application.StatusOpenAuction,
		Sort: application.SortEndingSoon, OwnerID: 7, LikedBy: 9, Now: fixedTestNow,
	}, q)
}

// A hashtag that normalizes to nothing ("#", "##", blanks) is a hashtag nobody
// uses: the OpenAPI document says it gives an empty page (or, at the least, a validation error),
// never the unfiltered list of every art.
func TestListArtsWithAHashtagOfOnlyHashesDoesNotListEverything(t *testing.T) {
	for _, raw := range []string{"#", "##", " # "} {
		t.Run(raw, func(t *testing.T) {
			ctrl := gomock.NewController(t)
			arts := mock.NewMockArtStore(ctrl)
			everything := []application.ArtSummary{{Art: storedArt()}}
			// A store that, like the real one, ignores an empty hashtag filter.
			arts.EXPECT().List(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
				func(_ context.Context, q application.ArtQuery, _ application.PageRequest) (application.StoredPage[application.ArtSummary], error) {
					if q.Hashtag == "" {
						return application.StoredPage[application.ArtSummary]{Items: everything, Total: application.Total{Count: len(everything)}}, nil
					}
					return application.StoredPage[application.ArtSummary]{}, nil
				}).AnyTimes()

			p, err := application.NewListArts(arts, newFixedClock(ctrl)).Execute(context.Background(),
				application.ListArtsRequest{Hashtag: raw}, firstPage(t))

			if err != nil {
				assert.Equal(t, []string{"hashtag"}, validationFieldNames(t, err))
				return
			}
			assert.Empty(t, p.Items)
			assert.Zero(t, p.TotalItems)
		})
	}
}

func TestListArtsReturnsThePageWithTotals(t *testing.T) {
	ctrl := gomock.NewController(t)
	arts := mock.NewMockArtStore(ctrl)
	page, err := application.NewPageRequest(2, 20)
	require.NoError(t, err)
	items := []application.ArtSummary{
		{Art: storedArt(), Owner: application.MemberRef{ID: 7, Nickname: "alice"}},
		{Art: storedArt(func(r *art.Record) { r.ID = 41 }), Owner: application.MemberRef{ID: 7, Nickname: "alice"}},
	}
	arts.EXPECT().List(gomock.Any(), gomock.Any(), page).Return(
		application.StoredPage[application.ArtSummary]{Items: items, Total: application.Total{Count: 57}}, nil)

	p, err := application.NewListArts(arts, newFixedClock(ctrl)).Execute(context.Background(), application.ListArtsRequest{}, page)

	require.NoError(t, err)
	assert.Equal(t, items, p.Items)
	assert.Equal(t, page, p.Request)
	assert.Equal(t, 57, p.TotalItems)
	assert.False(t, p.TotalCapped)
	assert.Equal(t, 3, p.TotalPages())
	assert.True(t, p.HasTotal())
	assert.Empty(t, p.NextCursor, "the store said nothing follows")
}

func TestListArtsWhenTheStoreFails(t *testing.T) {
	ctrl := gomock.NewController(t)
	arts := mock.NewMockArtStore(ctrl)
	errDB := errors.New("connection reset")
	arts.EXPECT().List(gomock.Any(), gomock.Any(), gomock.Any()).Return(application.StoredPage[application.ArtSummary]{}, errDB)

	_, err := application.NewListArts(arts, newFixedClock(ctrl)).Execute(context.Background(), application.ListArtsRequest{}, firstPage(t))

	assert.ErrorIs(t, err, errDB)
}

func TestListArtsPassesACappedTotalThrough(t *testing.T) {
	ctrl := gomock.NewController(t)
	arts := mock.NewMockArtStore(ctrl)
	arts.EXPECT().List(gomock.Any(), gomock.Any(), gomock.Any()).Return(application.StoredPage[application.ArtSummary]{
		Items: []application.ArtSummary{{Art: storedArt()}}, Total: application.CappedTotal(application.TotalCap + 1),
	}, nil)

	p, err := application.NewListArts(arts, newFixedClock(ctrl)).Execute(context.Background(), application.ListArtsRequest{}, firstPage(t))

	require.NoError(t, err)
	assert.Equal(t, 10_000, p.TotalItems)
	assert.True(t, p.TotalCapped)
	assert.Equal(t, 500, p.TotalPages())
}

// listArtsPages runs ListArts for req on page, with a store that answers
// stored and records the page request it was given.
func listArtsPage(t *testing.T, req application.ListArtsRequest, page application.PageRequest,
	stored application.StoredPage[application.ArtSummary]) (application.Page[application.ArtSummary], application.PageRequest, error) {
	t.Helper()
	ctrl := gomock.NewController(t)
	arts := mock.NewMockArtStore(ctrl)
	var given application.PageRequest
	arts.EXPECT().List(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(_ context.Context, _ application.ArtQuery, p application.PageRequest) (application.StoredPage[application.ArtSummary], error) {
			given = p
			return stored, nil
		}).MaxTimes(1)
	p, err := application.NewListArts(arts, newFixedClock(ctrl)).Execute(context.Background(), req, page)
	return p, given, err
}

func TestListArtsCursorGivesThePageAfterIt(t *testing.T) {
	req := application.ListArtsRequest{Hashtag: "sea", Sort: "price_desc"}
	page3, _, err := listArtsPage(t, req, mustPage(t, 3, 20), application.StoredPage[application.ArtSummary]{
		Items: []application.ArtSummary{{Art: storedArt()}}, Next: application.Keyset{5000, 41}, Total: application.Total{Count: 70},
	})
	require.NoError(t, err)
	require.NotEmpty(t, page3.NextCursor)

	page4, given, err := listArtsPage(t, req, mustCursorPage(t, page3.NextCursor, 10), application.StoredPage[application.ArtSummary]{
		Items: []application.ArtSummary{{Art: storedArt()}},
	})

	require.NoError(t, err)
	assert.Equal(t, application.Keyset{5000, 41}, given.After(), "the store starts after the keyset of page 3")
	assert.True(t, given.ByCursor())
	assert.Equal(t, 10, given.Size(), "the size of the cursor request")
	assert.Equal(t, 4, page4.Request.Number(), "the page after page 3")
	assert.False(t, page4.HasTotal(), "a cursor page is not counted")
	assert.Empty(t, page4.NextCursor)
}

func TestListArtsRefusesACursorOfAnotherList(t *testing.T) {
	made := application.ListArtsRequest{Hashtag: "sea", Sort: "price_desc"}
	page1, _, err := listArtsPage(t, made, firstPage(t), application.StoredPage[application.ArtSummary]{
		Items: []application.ArtSummary{{Art: storedArt()}}, Next: application.Keyset{5000, 41},
	})
	require.NoError(t, err)
	others := map[string]application.ListArtsRequest{
		"another sort":         {Hashtag: "sea", Sort: "price_asc"},
		"the default sort":     {Hashtag: "sea"},
		"another hashtag":      {Hashtag: "sky", Sort: "price_desc"},
		"one more filter":      {Hashtag: "sea", Sort: "price_desc", Type: "general"},
		"a text filter":        {Hashtag: "sea", Sort: "price_desc", Text: "boat"},
		"another owner":        {Hashtag: "sea", Sort: "price_desc", OwnerID: 3},
		"someone's likes":      {Hashtag: "sea", Sort: "price_desc", LikedBy: 3},
		"open auctions only":   {Hashtag: "sea", Sort: "price_desc", Status: "open_auction"},
		"a filter fewer":       {Sort: "price_desc"},
		"the same, normalized": {Hashtag: "#SEA", Sort: "price_desc"},
	}
	for name, req := range others {
		t.Run(name, func(t *testing.T) {
			_, given, err := listArtsPage(t, req, mustCursorPage(t, page1.NextCursor, 20), application.StoredPage[application.ArtSummary]{})

			if name == "the same, normalized" {
				require.NoError(t, err, "the hashtag normalizes to the one the cursor was made for")
				assert.Equal(t, application.Keyset{5000, 41}, given.After())
				return
			}
			assert.Equal(t, []string{"cursor"}, validationFieldNames(t, err))
			assert.Nil(t, given.After(), "the store is not asked")
		})
	}
}

func TestListArtsRefusesAGarbledCursor(t *testing.T) {
	page1, _, err := listArtsPage(t, application.ListArtsRequest{}, firstPage(t), application.StoredPage[application.ArtSummary]{
		Items: []application.ArtSummary{{Art: storedArt()}}, Next: application.Keyset{1_700_000_000_000_000, 41},
	})
	require.NoError(t, err)
	good := page1.NextCursor
	garbled := map[string]string{
		"cut short":           good[:8],
		"one character off":   good[:len(good)-3] + flip(good[len(good)-3]) + good[len(good)-2:],
		"another version":     "Ag" + good[2:],
		"no position":         good[:15],
		"base64 of nonsense":  "bm9uc2Vuc2U",
		"a single character":  "A",
		"standard base64 pad": good + "==",
		"too long":            strings.Repeat("A", 129),
	}
	for name, cursor := range garbled {
		t.Run(name, func(t *testing.T) {
			page, err := application.NewCursorPageRequest(cursor, 20)
			if err == nil {
				_, given, err2 := listArtsPage(t, application.ListArtsRequest{}, page, application.StoredPage[application.ArtSummary]{})
				err = err2
				if err == nil {
					// A flipped character may still decode to a position of
					// this list: then it is only another position.
					assert.Len(t, given.After(), 2, "a position of this list's shape")
					return
				}
			}
			assert.Equal(t, []string{"cursor"}, validationFieldNames(t, err))
		})
	}
}

// flip changes one base64url character into another.
func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
