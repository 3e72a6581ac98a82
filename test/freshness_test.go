package test

import (
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var maxAge = regexp.MustCompile(`max-age=(\d+)`)

// requireShortLived fails unless an anonymous answer allows at most a second of staleness.
func requireShortLived(t *testing.T, res response) {
	t.Helper()
	cc := res.header.Get("Cache-Control")
	m := maxAge.FindStringSubmatch(cc)
	require.NotNil(t, m, "Cache-Control %q names no max-age", cc)
	age, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	require.LessOrEqual(t, age, 1, "Cache-Control %q", cc)
	require.Contains(t, cc, "public")
}

// cacheHits reads an instance's count of anonymous catalog reads answered from its cache.
func (a *app) cacheHits() int {
	a.t.Helper()
	res, err := http.Get(a.base + "/metrics")
	require.NoError(a.t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(a.t, err)
	m := regexp.MustCompile(`http_catalog_reads_total\{result="hit"\} (\d+)`).FindSubmatch(body)
	if m == nil {
		return 0
	}
	n, err := strconv.Atoi(string(m[1]))
	require.NoError(a.t, err)
	return n
}

func TestFreshnessAMembersLikeShowsAtOnceOnAnotherInstance(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	b := startAppBeside(t, a)
	artist, _ := a.member("fresh-artist@example.com", "freshartist", 0)
	bob, _ := a.member("fresh-bob@example.com", "freshbob", 0)
	work := artist.createArt(generalFields("Tidal flats", 30000, "sea"))
	path := "/api/v1/arts/" + itoa(work.ID)

	bobOnB := bob.as(b)
	anonymousOnB := b.newClient()
	before := bobOnB.do(http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, before.status)
	var seen artBody
	before.decode(t, &seen)
	require.NotNil(t, seen.Liked)
	assert.False(t, *seen.Liked)
	require.Equal(t, http.StatusOK, anonymousOnB.do(http.MethodGet, path, nil).status, "the anonymous answer is now cached on B")

	require.Equal(t, http.StatusNoContent, bob.do(http.MethodPut, path+"/like", nil).status, "liked through A")

	after := bobOnB.do(http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, after.status)
	after.decode(t, &seen)
	require.NotNil(t, seen.Liked)
	assert.True(t, *seen.Liked, "bob's own like shows in his next request, on the other instance")
	assert.Equal(t, int64(1), seen.LikeCount)
	assert.Equal(t, "private, no-cache", after.header.Get("Cache-Control"))
	assert.Contains(t, after.header.Values("Vary"), "Authorization")
	etag := after.header.Get("ETag")
	require.NotEmpty(t, etag)
	assert.NotEqual(t, before.header.Get("ETag"), etag, "another body, another tag")

	// The same body from either instance has the same strong tag.
	for _, c := range []*client{bobOnB, bob} {
		res := c.do(http.MethodGet, path, nil, "If-None-Match", etag)
		assert.Equal(t, http.StatusNotModified, res.status)
		assert.Empty(t, res.body)
	}
	// Unliking shows at once as well.
	require.Equal(t, http.StatusNoContent, bob.do(http.MethodDelete, path+"/like", nil).status)
	bobOnB.do(http.MethodGet, path, nil).decode(t, &seen)
	assert.False(t, *seen.Liked)
	assert.Equal(t, int64(0), seen.LikeCount)
}

func TestFreshnessAnonymousReadsAreAtMostASecondStale(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	b := startAppBeside(t, a)
	artist, _ := a.member("stale-artist@example.com", "staleartist", 0)
	work := artist.createArt(generalFields("Old name", 30000, "sea"))
	path := "/api/v1/arts/" + itoa(work.ID)
	anonymousOnB := b.newClient()

	hitsBefore := b.cacheHits()
	primed := anonymousOnB.do(http.MethodGet, path, nil)
	require.Equal(t, http.StatusOK, primed.status)
	assert.Equal(t, "public, max-age=1", primed.header.Get("Cache-Control"), "read for this request")
	again := anonymousOnB.do(http.MethodGet, path, nil)
	assert.Equal(t, primed.header.Get("ETag"), again.header.Get("ETag"))
	assert.Equal(t, "public, max-age=0", again.header.Get("Cache-Control"), "served from B's cache")
	assert.Greater(t, b.cacheHits(), hitsBefore)

	res := artist.do(http.MethodPatch, path, map[string]string{"name": "New name"})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	edited := time.Now()

	var own artBody
	artist.as(b).do(http.MethodGet, path, nil).decode(t, &own)
	assert.Equal(t, "New name", own.Name, "the owner's edit shows in their next request on B at once")

	// Anonymous answers may lag, but never by more than a second: a request
	// sent a second after the edit gets the new name.
	var firstNew time.Duration
	for {
		sent := time.Since(edited)
		res := anonymousOnB.do(http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, res.status)
		requireShortLived(t, res)
		var seen artBody
		res.decode(t, &seen)
		if seen.Name == "New name" {
			firstNew = sent
			break
		}
		require.Less(t, sent, time.Second, "an anonymous answer sent %s after the edit still had the old name", sent)
		assert.Equal(t, "public, max-age=0", res.header.Get("Cache-Control"), "a stale answer says it must be revalidated")
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("the first anonymous read of B with the new name was sent %s after the edit", firstNew)
}

func TestFreshnessCatalogReadsAnswer304(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	artist, artistMember := a.member("etag-artist@example.com", "etagartist", 0)
	bidder, _ := a.member("etag-bidder@example.com", "etagbidder", 50000)
	lot := artist.listAuction("Tagged lot", 1000, time.Now().Add(time.Hour), nil)
	require.Equal(t, http.StatusCreated, bidder.bid(lot.Auction.ID, 1000).status)
	anonymous := a.newClient()

	for _, path := range []string{
		"/api/v1/arts/" + itoa(lot.ID),
		"/api/v1/arts?sort=newest&size=5",
		"/api/v1/hashtags?prefix=auc",
		"/api/v1/auctions/" + itoa(lot.Auction.ID),
		"/api/v1/auctions/" + itoa(lot.Auction.ID) + "/bids",
		"/api/v1/members/" + itoa(artistMember.ID),
		"/api/v1/members/" + itoa(artistMember.ID) + "/followers",
		"/api/v1/members/" + itoa(artistMember.ID) + "/following",
	} {
		for _, c := range []*client{anonymous, bidder} {
			first := c.do(http.MethodGet, path, nil)
			require.Equal(t, http.StatusOK, first.status, "%s: %s", path, first.body)
			etag := first.header.Get("ETag")
			assert.Regexp(t, `^"[A-Za-z0-9_-]{22}"$`, etag, path)
			for _, match := range []string{etag, `"elsewhere", ` + etag, "W/" + etag, "*"} {
				again := c.do(http.MethodGet, path, nil, "If-None-Match", match)
				assert.Equal(t, http.StatusNotModified, again.status, "%s with If-None-Match %s", path, match)
				assert.Empty(t, again.body)
				assert.Equal(t, etag, again.header.Get("ETag"))
			}
			other := c.do(http.MethodGet, path, nil, "If-None-Match", `"elsewhere"`)
			assert.Equal(t, http.StatusOK, other.status)
			assert.Equal(t, first.body, other.body)
		}
	}

	missing := anonymous.do(http.MethodGet, "/api/v1/arts/987654321", nil, "If-None-Match", "*")
	assert.Equal(t, http.StatusNotFound, missing.status, "a problem is never 304")
	assert.Empty(t, missing.header.Get("ETag"))
	assert.Equal(t, "no-store", missing.header.Get("Cache-Control"))
}

func TestFreshnessBidsAndPurchasesDecideOnTheDatabase(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	b := startAppBeside(t, a)
	seller, _ := a.member("cache-seller@example.com", "cacheseller", 0)
	bob, _ := a.member("cache-bob@example.com", "cachebob", 50000)
	carol, _ := a.member("cache-carol@example.com", "cachecarol", 50000)
	lot := seller.listAuction("Cached lot", 1000, time.Now().Add(time.Hour), map[string][]string{"bid_increment": {"100"}})
	auctionPath := "/api/v1/auctions/" + itoa(lot.Auction.ID)
	anonymousOnB := b.newClient()
	carolOnB := carol.as(b)

	var view auctionBody
	anonymousOnB.do(http.MethodGet, auctionPath, nil).decode(t, &view)
	require.Equal(t, int64(1000), view.MinNextBid)
	require.Equal(t, http.StatusCreated, bob.bid(lot.Auction.ID, 1000).status, "bob bids through A")

	// Within the second B may still show the auction without bob's bid to
	// anonymous readers; a bid through B is judged on the database all the same.
	tooLow := carolOnB.bid(lot.Auction.ID, 1000)
	require.Equal(t, http.StatusUnprocessableEntity, tooLow.status, "%s", tooLow.body)
	var problem struct {
		Code       string `json:"code"`
		MinNextBid int64  `json:"min_next_bid"`
	}
	tooLow.decode(t, &problem)
	assert.Equal(t, "BID_TOO_LOW", problem.Code)
	assert.Equal(t, int64(1100), problem.MinNextBid)
	placed := carolOnB.bid(lot.Auction.ID, 1100)
	require.Equal(t, http.StatusCreated, placed.status, "%s", placed.body)

	// Each bidder's own next read, on the other instance, shows where they stand.
	var carols auctionBody
	carolOnB.do(http.MethodGet, auctionPath, nil).decode(t, &carols)
	require.NotNil(t, carols.HighestBid)
	assert.Equal(t, int64(1100), carols.HighestBid.Amount)
	var bobs auctionBody
	bob.as(b).do(http.MethodGet, auctionPath, nil).decode(t, &bobs)
	assert.Equal(t, int64(1200), bobs.MinNextBid)

	// A purchase after a cached "on sale" is refused once the art is sold.
	general := seller.createArt(generalFields("Cached still life", 2000, "still"))
	artPath := "/api/v1/arts/" + itoa(general.ID)
	var onSale artBody
	anonymousOnB.do(http.MethodGet, artPath, nil).decode(t, &onSale)
	require.Equal(t, "on_sale", onSale.Status)
	require.Equal(t, http.StatusCreated, bob.do(http.MethodPost, artPath+"/purchase", nil).status, "bob buys through A")
	assert.Equal(t, "ART_SOLD", carolOnB.do(http.MethodPost, artPath+"/purchase", nil).problemCode(t),
		"carol's purchase through B is refused on the database, whatever B's cache says")
}
