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
		func(_ context.Context, q application.ArtQuery, _ application.PageRequest) ([]application.ArtSummary, int, error) {
			got = q
			return nil, 0, nil
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
// uses: API.md says it gives an empty page (or, at the least, a validation error),
// never the unfiltered list of every art.
func TestListArtsWithAHashtagOfOnlyHashesDoesNotListEverything(t *testing.T) {
	for _, raw := range []string{"#", "##", " # "} {
		t.Run(raw, func(t *testing.T) {
			ctrl := gomock.NewController(t)
			arts := mock.NewMockArtStore(ctrl)
			everything := []application.ArtSummary{{Art: storedArt()}}
			// A store that, like the real one, ignores an empty hashtag filter.
			arts.EXPECT().List(gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
				func(_ context.Context, q application.ArtQuery, _ application.PageRequest) ([]application.ArtSummary, int, error) {
					if q.Hashtag == "" {
						return everything, len(everything), nil
					}
					return nil, 0, nil
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
	arts.EXPECT().List(gomock.Any(), gomock.Any(), page).Return(items, 57, nil)

	p, err := application.NewListArts(arts, newFixedClock(ctrl)).Execute(context.Background(), application.ListArtsRequest{}, page)

	require.NoError(t, err)
	assert.Equal(t, items, p.Items)
	assert.Equal(t, page, p.Request)
	assert.Equal(t, 57, p.TotalItems)
	assert.Equal(t, 3, p.TotalPages())
}

func TestListArtsWhenTheStoreFails(t *testing.T) {
	ctrl := gomock.NewController(t)
	arts := mock.NewMockArtStore(ctrl)
	errDB := errors.New("connection reset")
	arts.EXPECT().List(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, 0, errDB)

	_, err := application.NewListArts(arts, newFixedClock(ctrl)).Execute(context.Background(), application.ListArtsRequest{}, firstPage(t))

	assert.ErrorIs(t, err, errDB)
}
