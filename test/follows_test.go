package test

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/security"
)

// quickMember adds a member straight into the database, with a session and
// an access token from the app's own issuer, and charges points over HTTP, as
// the concurrency tests do: sign-up and login are walked elsewhere, and here
// they would cost two bcrypt hashes a member. Mail goes to nickname@example.com.
func (a *app) quickMember(nickname string, points int64) (*client, int64) {
	t := a.t
	t.Helper()
	hash, err := traderHash()
	require.NoError(t, err)
	db := openTestDB(t, a.vars["DATABASE_URL"])
	var id int64
	require.NoError(t, db.QueryRow(`INSERT INTO members (email, password_hash, nickname, name, created_at)
VALUES ($1, $2, $3, $4, now()) RETURNING id`, nickname+"@example.com", hash, nickname, "Member "+nickname).Scan(&id))
	session := make([]byte, 16)
	_, err = rand.Read(session)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO auth_sessions (id, member_id, created_at) VALUES ($1, $2, now())`, hex.EncodeToString(session), id)
	require.NoError(t, err)
	issuer, err := security.NewJWTAccessTokens([]byte(a.vars["JWT_SECRET"]), 15*time.Minute)
	require.NoError(t, err)
	c := a.newClient()
	c.token, _, err = issuer.Issue(id, hex.EncodeToString(session), time.Now())
	require.NoError(t, err)
	if points > 0 {
		res := c.do(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": points})
		require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	}
	return c, id
}

// memberPageBody is an artist's page as sent: followed stays nil when left out.
type memberPageBody struct {
	ID             int64   `json:"id"`
	Nickname       string  `json:"nickname"`
	ArtCount       int64   `json:"art_count"`
	SoldCount      int64   `json:"sold_count"`
	FollowerCount  int64   `json:"follower_count"`
	FollowingCount int64   `json:"following_count"`
	Followed       *bool   `json:"followed"`
	Email          *string `json:"email"`
}

func (c *client) memberPage(id int64) memberPageBody {
	t := c.app.t
	t.Helper()
	res := c.do(http.MethodGet, "/api/v1/members/"+itoa(id), nil)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var p memberPageBody
	res.decode(t, &p)
	return p
}

// counts are the four counts of a page, to compare at once.
func (p memberPageBody) counts() [4]int64 {
	return [4]int64{p.ArtCount, p.SoldCount, p.FollowerCount, p.FollowingCount}
}

func (c *client) follow(id int64) response {
	return c.do(http.MethodPut, "/api/v1/members/"+itoa(id)+"/follow", nil)
}

func (c *client) unfollow(id int64) response {
	return c.do(http.MethodDelete, "/api/v1/members/"+itoa(id)+"/follow", nil)
}

// memberListPage is a page of {id, nickname, school}.
type memberListPage struct {
	Items []struct {
		ID       int64   `json:"id"`
		Nickname string  `json:"nickname"`
		School   *string `json:"school"`
	} `json:"items"`
	Page       int     `json:"page"`
	TotalItems *int    `json:"total_items"`
	NextCursor *string `json:"next_cursor"`
}

// walkMembers follows next_cursor through a member list from its first page
// of size and returns the nicknames in order.
func (c *client) walkMembers(list string, size int) (nicknames []string, total int) {
	t := c.app.t
	t.Helper()
	path := list + "?size=" + itoa(int64(size))
	for n := 1; ; n++ {
		res := c.do(http.MethodGet, path, nil)
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		var page memberListPage
		res.decode(t, &page)
		assert.Equal(t, n, page.Page)
		if n == 1 {
			require.NotNil(t, page.TotalItems)
			total = *page.TotalItems
		} else {
			assert.Nil(t, page.TotalItems, "a cursor page is not counted")
		}
		for _, m := range page.Items {
			nicknames = append(nicknames, m.Nickname)
		}
		if page.NextCursor == nil {
			return nicknames, total
		}
		path = list + "?size=" + itoa(int64(size)) + "&cursor=" + url.QueryEscape(*page.NextCursor)
	}
}

func TestArtistPageAndWorks(t *testing.T) {
	t.Parallel()
	a := startApp(t, withEnv(map[string]string{"AUCTION_CLOSE_INTERVAL": "200ms"}))
	artist, artistID := a.quickMember("pageartist", 0)
	buyer, buyerID := a.quickMember("pagebuyer", 100_000)
	anonymous := a.newClient()

	page := anonymous.memberPage(artistID)
	assert.Equal(t, "pageartist", page.Nickname)
	assert.Equal(t, [4]int64{}, page.counts())
	assert.Nil(t, page.Followed, "followed only with a bearer token")
	assert.Nil(t, page.Email, "a public page shows no email")

	sold := artist.createArt(generalFields("Sold still life", 5000, "still"))
	artist.createArt(generalFields("Kept still life", 6000, "still"))
	deleted := artist.createArt(generalFields("Withdrawn sketch", 1000, "sketch"))
	unsold := artist.listAuction("Quiet lot", 1000, time.Now().Add(2*time.Second), nil)
	res := buyer.do(http.MethodPost, "/api/v1/arts/"+itoa(sold.ID)+"/purchase", nil)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	res = artist.do(http.MethodDelete, "/api/v1/arts/"+itoa(deleted.ID), nil)
	require.Equal(t, http.StatusNoContent, res.status, "%s", res.body)
	buyer.createArt(generalFields("Buyer's own", 1000, "own"))
	require.Eventually(t, func() bool { return artist.auction(unsold.Auction.ID).Status == "failed" }, 15*time.Second, 100*time.Millisecond)

	page = buyer.memberPage(artistID)
	assert.Equal(t, [4]int64{3, 1, 0, 0}, page.counts(), "on sale, sold and unsold count; the deleted one does not")
	require.NotNil(t, page.Followed)
	assert.False(t, *page.Followed)

	// The artist's works, as anyone lists them, and as the artist sorts their own.
	works := anonymous.artPage("/api/v1/arts?owner_id=" + itoa(artistID))
	assert.Len(t, works.Items, 3)
	for _, w := range works.Items {
		assert.Equal(t, artistID, w.Owner.ID)
	}
	soldOnly := artist.artPage("/api/v1/me/arts?status=sold")
	assert.Equal(t, []int64{sold.ID}, artIDs(soldOnly.Items))
	unsoldOnly := artist.artPage("/api/v1/me/arts?status=unsold")
	assert.Equal(t, []int64{unsold.ID}, artIDs(unsoldOnly.Items))
	byPrice := artist.artPage("/api/v1/me/arts?sort=price_desc")
	require.Len(t, byPrice.Items, 3)
	assert.Equal(t, []int64{6000, 5000, 1000}, []int64{byPrice.Items[0].CurrentPrice, byPrice.Items[1].CurrentPrice, byPrice.Items[2].CurrentPrice})
	assertFieldErrors(t, artist.do(http.MethodGet, "/api/v1/me/arts?status=lost", nil), "status")

	res = anonymous.do(http.MethodGet, "/api/v1/members/987654", nil)
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, "MEMBER_NOT_FOUND", res.problemCode(t))
	res = anonymous.do(http.MethodGet, "/api/v1/members/"+itoa(buyerID), nil, "Authorization", "Bearer not-a-token")
	assert.Equal(t, http.StatusUnauthorized, res.status, "a bad token is refused, not taken for anonymous")
	checkInvariants(t, a.vars["DATABASE_URL"], nil)
}

func TestFollowFeedAndUnfollow(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	painter, painterID := a.quickMember("feedpainter", 0)
	potter, potterID := a.quickMember("feedpotter", 0)
	fan, fanID := a.quickMember("feedfan", 0)
	stranger, _ := a.quickMember("feedstranger", 0)
	anonymous := a.newClient()

	before := painter.createArt(generalFields("Listed before the follow", 2000, "early"))
	stranger.createArt(generalFields("Nobody follows this", 2000, "elsewhere"))
	require.Equal(t, http.StatusNoContent, fan.follow(painterID).status)
	require.Equal(t, http.StatusNoContent, fan.follow(painterID).status, "following again is no error")
	require.Equal(t, http.StatusNoContent, fan.follow(potterID).status)
	require.Equal(t, http.StatusNoContent, potter.follow(fanID).status)

	// The fan's own follow shows in their next request at once.
	page := fan.memberPage(painterID)
	assert.Equal(t, int64(1), page.FollowerCount)
	require.NotNil(t, page.Followed)
	assert.True(t, *page.Followed)
	assert.Equal(t, [4]int64{0, 0, 1, 1}, fan.memberPage(potterID).counts())
	assert.Equal(t, [4]int64{0, 0, 1, 2}, fan.memberPage(fanID).counts())

	cup := potter.createArt(generalFields("Cup", 1500, "cup"))
	listedAt := time.Now()
	var feed cursorPage
	require.Eventually(t, func() bool {
		feed = fan.artPage("/api/v1/me/feed")
		return len(feed.Items) == 2
	}, 5*time.Second, 50*time.Millisecond, "a new work shows in the feed within 5 s")
	t.Logf("the new work showed in the feed %s after its listing was answered", time.Since(listedAt))
	assert.Equal(t, []int64{cup.ID, before.ID}, artIDs(feed.Items), "newest first, the work listed before the follow too")
	require.NotNil(t, feed.TotalItems)
	assert.Equal(t, 2, *feed.TotalItems)
	vase := potter.createArt(generalFields("Vase", 1800, "vase"))
	assert.Equal(t, []int64{vase.ID, cup.ID, before.ID}, fan.walk("/api/v1/me/feed?size=1", nil), "the feed by cursor")

	followers, total := anonymous.walkMembers("/api/v1/members/"+itoa(potterID)+"/followers", 1)
	assert.Equal(t, []string{"feedfan"}, followers)
	assert.Equal(t, 1, total)
	following, total := anonymous.walkMembers("/api/v1/members/"+itoa(fanID)+"/following", 1)
	assert.Equal(t, []string{"feedpotter", "feedpainter"}, following, "the latest follow first")
	assert.Equal(t, 2, total)

	require.Equal(t, http.StatusNoContent, fan.unfollow(painterID).status)
	require.Equal(t, http.StatusNoContent, fan.unfollow(painterID).status, "unfollowing again is no error")
	assert.Equal(t, []int64{vase.ID, cup.ID}, artIDs(fan.artPage("/api/v1/me/feed").Items), "the unfollowed painter's work leaves the feed")
	page = fan.memberPage(painterID)
	assert.Equal(t, int64(0), page.FollowerCount)
	require.NotNil(t, page.Followed)
	assert.False(t, *page.Followed)
	// Read with a token: an anonymous read may be a second old.
	following, _ = fan.walkMembers("/api/v1/members/"+itoa(fanID)+"/following", 20)
	assert.Equal(t, []string{"feedpotter"}, following)
	assert.Empty(t, stranger.artPage("/api/v1/me/feed").Items)

	for _, res := range []response{fan.follow(fanID), fan.unfollow(fanID)} {
		require.Equal(t, http.StatusConflict, res.status, "%s", res.body)
		assert.Equal(t, "CANNOT_FOLLOW_SELF", res.problemCode(t))
	}
	for _, res := range []response{
		fan.follow(987654), fan.unfollow(987654),
		anonymous.do(http.MethodGet, "/api/v1/members/987654/followers", nil),
		anonymous.do(http.MethodGet, "/api/v1/members/987654/following", nil),
	} {
		require.Equal(t, http.StatusNotFound, res.status, "%s", res.body)
		assert.Equal(t, "MEMBER_NOT_FOUND", res.problemCode(t))
	}
	assert.Equal(t, http.StatusUnauthorized, anonymous.follow(potterID).status)
	assert.Equal(t, http.StatusUnauthorized, anonymous.do(http.MethodGet, "/api/v1/me/feed", nil).status)

	// A cursor of one list is refused on another.
	require.Equal(t, http.StatusNoContent, fan.follow(painterID).status)
	res := fan.do(http.MethodGet, "/api/v1/members/"+itoa(fanID)+"/following?size=1", nil)
	require.Equal(t, http.StatusOK, res.status)
	var first memberListPage
	res.decode(t, &first)
	require.NotNil(t, first.NextCursor)
	assertFieldErrors(t, anonymous.do(http.MethodGet,
		"/api/v1/members/"+itoa(fanID)+"/followers?cursor="+url.QueryEscape(*first.NextCursor), nil), "cursor")
	assertFieldErrors(t, fan.do(http.MethodGet, "/api/v1/me/feed?cursor="+url.QueryEscape(*first.NextCursor), nil), "cursor")

	fiftyConcurrentFollowsMakeOne(t, a, stranger, painterID)
	checkInvariants(t, a.vars["DATABASE_URL"], nil)
}

// fiftyConcurrentFollowsMakeOne sends 50 follows of artistID by fan at once,
// then 50 unfollows: one follow, then none, each counted once.
func fiftyConcurrentFollowsMakeOne(t *testing.T, a *app, fan *client, artistID int64) {
	t.Helper()
	db := openTestDB(t, a.vars["DATABASE_URL"])
	before := fan.memberPage(artistID).FollowerCount
	for _, method := range []string{http.MethodPut, http.MethodDelete} {
		var wg sync.WaitGroup
		statuses := make(chan int, 50)
		for range 50 {
			wg.Go(func() {
				req, err := http.NewRequest(method, a.base+"/api/v1/members/"+itoa(artistID)+"/follow", nil)
				if err != nil {
					statuses <- 0
					return
				}
				req.Header.Set("Authorization", "Bearer "+fan.token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				resp.Body.Close()
				statuses <- resp.StatusCode
			})
		}
		wg.Wait()
		close(statuses)
		for s := range statuses {
			assert.Equal(t, http.StatusNoContent, s, method)
		}
		want := before + 1
		if method == http.MethodDelete {
			want = before
		}
		// Read with a token: an anonymous read may be a second old.
		assert.Equal(t, want, fan.memberPage(artistID).FollowerCount, method)
		var rows int64
		require.NoError(t, db.QueryRow("SELECT count(*) FROM follows WHERE followee_id = $1", artistID).Scan(&rows))
		assert.Equal(t, want, rows, "%s: one row however many follow at once", method)
	}
}

// reserveAuctionBody is an auction as its art's page or the auction read shows it.
type reserveAuctionBody struct {
	Status       string `json:"status"`
	ReserveMet   *bool  `json:"reserve_met"`
	ReservePrice *int64 `json:"reserve_price"`
}

func (c *client) artAuction(artID int64) reserveAuctionBody {
	t := c.app.t
	t.Helper()
	res := c.do(http.MethodGet, "/api/v1/arts/"+itoa(artID), nil)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var body struct {
		Auction *reserveAuctionBody `json:"auction"`
	}
	res.decode(t, &body)
	require.NotNil(t, body.Auction)
	return *body.Auction
}

func TestReserveMetAndNotMetAtTheClose(t *testing.T) {
	t.Parallel()
	a := startApp(t, withEnv(map[string]string{"AUCTION_CLOSE_INTERVAL": "200ms"}))
	seller, _ := a.quickMember("reserveseller", 0)
	bob, _ := a.quickMember("reservebob", 100_000)
	anonymous := a.newClient()

	// The validation of the auction fields, each named.
	inAnHour := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	auctionFields := func(extra map[string]string) map[string][]string {
		f := map[string][]string{"name": {"Lot"}, "description": {"A lot."}, "type": {"auction"}, "price": {"5000"},
			"hashtags": {"lot"}, "end_at": {inAnHour}}
		for k, v := range extra {
			f[k] = []string{v}
		}
		return f
	}
	for _, tc := range []struct {
		extra  map[string]string
		fields []string
	}{
		{map[string]string{"reserve_price": "4999"}, []string{"reserve_price"}},
		{map[string]string{"buy_now_price": "9000", "reserve_price": "9000"}, []string{"reserve_price"}},
		{map[string]string{"bid_increment": "0"}, []string{"bid_increment"}},
		{map[string]string{"start_at": time.Now().Add(-2 * time.Minute).UTC().Format(time.RFC3339)}, []string{"start_at"}},
	} {
		assertFieldErrors(t, seller.uploadArt(auctionFields(tc.extra), "lot.png", pngImage(t, 8, 8)), tc.fields...)
	}
	general := generalFields("Plain", 5000, "plain")
	general["reserve_price"] = []string{"6000"}
	general["bid_increment"] = []string{"0"}
	assertFieldErrors(t, seller.uploadArt(general, "plain.png", pngImage(t, 8, 8)), "reserve_price", "bid_increment")

	end := time.Now().Add(4 * time.Second)
	below := seller.listAuction("Below the reserve", 1000, end, map[string][]string{"reserve_price": {"3000"}})
	reached := seller.listAuction("At the reserve", 1000, end, map[string][]string{"reserve_price": {"2000"}, "buy_now_price": {"9000"}})
	plain := seller.listAuction("No reserve", 1000, end, nil)

	require.Equal(t, http.StatusCreated, bob.bid(below.Auction.ID, 2500).status)
	res := bob.bid(reached.Auction.ID, 2000)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var placed struct {
		Auction reserveAuctionBody `json:"auction"`
	}
	res.decode(t, &placed)
	require.NotNil(t, placed.Auction.ReserveMet)
	assert.True(t, *placed.Auction.ReserveMet, "the bid's answer says the reserve is met")
	assert.Nil(t, placed.Auction.ReservePrice, "the bidder never sees the reserve")

	for _, c := range []*client{seller, bob, anonymous} {
		view := c.artAuction(below.ID)
		require.NotNil(t, view.ReserveMet)
		assert.False(t, *view.ReserveMet)
		if c == seller {
			require.NotNil(t, view.ReservePrice, "the owner sees the reserve")
			assert.Equal(t, int64(3000), *view.ReservePrice)
		} else {
			assert.Nil(t, view.ReservePrice, "only the owner sees the reserve")
		}
		assert.Nil(t, c.artAuction(plain.ID).ReserveMet, "null without a reserve")
	}
	res = anonymous.do(http.MethodGet, "/api/v1/auctions/"+itoa(reached.Auction.ID), nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, string(res.body), `"reserve_met":true`)
	assert.NotContains(t, string(res.body), "reserve_price")
	_, held := bob.points()
	assert.Equal(t, int64(100_000-2500-2000), held, "both bids are held, below the reserve too")

	watcher := a.openStream(t, below.Auction.ID, "")
	require.Eventually(t, func() bool {
		return seller.auction(below.Auction.ID).Status == "failed" && seller.auction(reached.Auction.ID).Status == "closed"
	}, 20*time.Second, 100*time.Millisecond)
	closed := watcher.next()
	require.Equal(t, "closed", closed.kind, "%+v", closed)
	assert.Equal(t, "failed", closed.payload(t).Status)
	assert.Nil(t, closed.payload(t).Winner, "below the reserve nobody wins")
	watcher.ended()
	late := a.openStream(t, below.Auction.ID, "0")
	late.expectBid(1, 2500, "reservebob")
	e := late.next()
	require.Equal(t, "closed", e.kind)
	assert.Equal(t, "failed", e.payload(t).Status)
	assert.Nil(t, e.payload(t).Winner)

	failed := seller.auction(below.Auction.ID)
	assert.Equal(t, "unsold", failed.Art.Status)
	require.NotNil(t, failed.HighestBid, "the bids stay as they were")
	assert.Equal(t, "sold", seller.auction(reached.Auction.ID).Art.Status)
	total, available := bob.points()
	assert.Equal(t, [2]int64{98_000, 98_000}, [2]int64{total, available}, "the hold below the reserve is released; the sale at the reserve is paid")
	assert.Equal(t, "lost", myBidStatus(bob, below.Auction.ID))
	assert.Equal(t, "won", myBidStatus(bob, reached.Auction.ID))
	sellerTotal, _ := seller.points()
	assert.Equal(t, int64(2000), sellerTotal)
	waitForSubject(t, a, "reserveseller@example.com", "Your auction ended below its reserve")
	waitForSubject(t, a, "reserveseller@example.com", "Your art was sold")
	waitForSubject(t, a, "reserveseller@example.com", "Your auction ended without bids")
	waitForSubject(t, a, "reservebob@example.com", "You won the auction")
	checkInvariants(t, a.vars["DATABASE_URL"], nil)
}
