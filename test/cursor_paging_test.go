package test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cursorPage is a page answer with its paging fields as sent: a field left
// out stays nil.
type cursorPage struct {
	Items            []artBody `json:"items"`
	Page             int       `json:"page"`
	Size             int       `json:"size"`
	TotalItems       *int      `json:"total_items"`
	TotalPages       *int      `json:"total_pages"`
	TotalItemsCapped *bool     `json:"total_items_capped"`
	NextCursor       *string   `json:"next_cursor"`
}

func (c *client) artPage(path string) cursorPage {
	t := c.app.t
	t.Helper()
	res := c.do(http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var p cursorPage
	res.decode(t, &p)
	return p
}

func artIDs(items []artBody) []int64 {
	ids := make([]int64, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.ID)
	}
	return ids
}

// walk follows next_cursor from the first page of list (a path with a query)
// to the last, calling between after each page, and returns every id in order.
func (c *client) walk(list string, between func()) []int64 {
	t := c.app.t
	t.Helper()
	page := c.artPage(list)
	ids := artIDs(page.Items)
	for n := 2; page.NextCursor != nil; n++ {
		if between != nil {
			between()
		}
		page = c.artPage(list + "&cursor=" + url.QueryEscape(*page.NextCursor))
		assert.Equal(t, n, page.Page, "a cursor page is numbered after the page it follows")
		assert.Nil(t, page.TotalItems, "a cursor page is not counted")
		assert.Nil(t, page.TotalPages)
		ids = append(ids, artIDs(page.Items)...)
	}
	return ids
}

func TestCursorPagingOverHTTP(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	artist := a.newClient()
	artist.signUp("cursor@example.com", "cursor")
	artist.login("cursor@example.com", goodPassword)
	// Prices repeat, so that the order's ties are broken by id.
	for i := range 7 {
		artist.createArt(generalFields(fmt.Sprintf("Work %d", i), 1000+(i%3)*1000, "cursor"))
	}
	visitor := a.newClient()

	for _, sort := range []string{"newest", "oldest", "price_desc", "price_asc", "likes_desc", "bids_asc", "ending_soon"} {
		list := "/api/v1/arts?hashtag=cursor&size=3&sort=" + sort
		var byNumber []int64
		for n := 1; n <= 3; n++ {
			page := visitor.artPage(fmt.Sprintf("%s&page=%d", list, n))
			require.NotNil(t, page.TotalItems, "a numbered page is counted")
			assert.Equal(t, 7, *page.TotalItems)
			assert.Equal(t, 3, *page.TotalPages)
			assert.False(t, *page.TotalItemsCapped)
			assert.Equal(t, n == 3, page.NextCursor == nil, "%s page %d: next_cursor null only on the last page", sort, n)
			byNumber = append(byNumber, artIDs(page.Items)...)
		}

		byCursor := visitor.walk(list, nil)

		assert.Len(t, byNumber, 7)
		assert.Equal(t, byNumber, byCursor, "%s: the cursor pages hold the numbered pages' arts in their order", sort)
	}

	t.Run("arts listed between pages neither repeat nor hide others", func(t *testing.T) {
		before := visitor.walk("/api/v1/arts?hashtag=cursor&size=2", nil)
		added := 0
		during := visitor.walk("/api/v1/arts?hashtag=cursor&size=2", func() {
			artist.createArt(generalFields(fmt.Sprintf("Late %d", added), 1500, "cursor"))
			added++
		})

		assert.Equal(t, before, during, "newest first: the new arts come before the walk's first page")
		// A member's read, which no anonymous cache answers, counts them.
		assert.Equal(t, 7+added, *artist.artPage("/api/v1/arts?hashtag=cursor&size=2").TotalItems)
	})

	t.Run("a cursor of other filters or another sort is refused", func(t *testing.T) {
		page := visitor.artPage("/api/v1/arts?hashtag=cursor&size=2&sort=price_desc")
		require.NotNil(t, page.NextCursor)
		cursor := url.QueryEscape(*page.NextCursor)

		for _, other := range []string{
			"/api/v1/arts?hashtag=cursor&size=2&sort=price_asc&cursor=",
			"/api/v1/arts?size=2&sort=price_desc&cursor=",
			"/api/v1/arts?hashtag=cursor&type=general&sort=price_desc&cursor=",
			"/api/v1/me/likes?cursor=",
		} {
			res := artist.do(http.MethodGet, other+cursor, nil)
			assertFieldErrors(t, res, "cursor")
		}
		res := visitor.do(http.MethodGet, "/api/v1/arts?hashtag=cursor&sort=price_desc&cursor=garbled", nil)
		assertFieldErrors(t, res, "cursor")
		res = visitor.do(http.MethodGet, "/api/v1/arts?cursor=%25%25", nil)
		assertFieldErrors(t, res, "cursor")

		// The cursor still works where it belongs, and page is ignored beside it.
		next := visitor.artPage("/api/v1/arts?hashtag=cursor&size=2&sort=price_desc&page=99&cursor=" + cursor)
		assert.Len(t, next.Items, 2)
		assert.Equal(t, 2, next.Page)
	})

	t.Run("my likes by cursor", func(t *testing.T) {
		fan := a.newClient()
		fan.signUp("fan@example.com", "fan")
		fan.login("fan@example.com", goodPassword)
		all := visitor.walk("/api/v1/arts?hashtag=cursor&size=20", nil)
		var liked []int64
		for _, id := range all[:5] {
			res := fan.do(http.MethodPut, "/api/v1/arts/"+itoa(id)+"/like", nil)
			require.Equal(t, http.StatusNoContent, res.status)
			liked = append([]int64{id}, liked...) // most recently liked first
		}

		assert.Equal(t, liked, fan.walk("/api/v1/me/likes?size=2", nil))
	})
}
