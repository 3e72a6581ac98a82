package test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// notificationBody is a notification as the inbox and the member stream show it.
type notificationBody struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind"`
	ArtID     int64  `json:"art_id"`
	AuctionID *int64 `json:"auction_id"`
	Amount    *int64 `json:"amount"`
	Actor     *struct {
		ID       int64  `json:"id"`
		Nickname string `json:"nickname"`
	} `json:"actor"`
	Read      bool      `json:"read"`
	CreatedAt time.Time `json:"created_at"`
}

// String is what a test compares: the kind, the amount (- for none) and the
// actor's nickname (- for none).
func (n notificationBody) String() string {
	amount, actor := "-", "-"
	if n.Amount != nil {
		amount = fmt.Sprint(*n.Amount)
	}
	if n.Actor != nil {
		actor = n.Actor.Nickname
	}
	return n.Kind + " " + amount + " " + actor
}

type notificationPage struct {
	Items      []notificationBody `json:"items"`
	TotalItems *int               `json:"total_items"`
	NextCursor *string            `json:"next_cursor"`
}

// notifications lists the client's whole inbox (or its unread part), newest first.
func (c *client) notifications(unread bool) []notificationBody {
	t := c.app.t
	t.Helper()
	res := c.do(http.MethodGet, fmt.Sprintf("/api/v1/me/notifications?unread=%t&size=100", unread), nil)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var page notificationPage
	res.decode(t, &page)
	require.Nil(t, page.NextCursor, "one page holds them all")
	return page.Items
}

// inbox is the client's notifications as kind, amount and actor, newest first.
func (c *client) inbox() []string {
	var got []string
	for _, n := range c.notifications(false) {
		got = append(got, n.String())
	}
	return got
}

func (c *client) unreadCount() int64 {
	res := c.do(http.MethodGet, "/api/v1/me/notifications/unread-count", nil)
	require.Equal(c.app.t, http.StatusOK, res.status, "%s", res.body)
	var body struct {
		Unread int64 `json:"unread"`
	}
	res.decode(c.app.t, &body)
	return body.Unread
}

// failCommitsOfBidsOf makes the commit of any transaction that stores a bid
// of amount fail, as a database that dies at the commit would: everything
// the bid's transaction wrote is rolled back. The error is a lock timeout, the
// one failure of a commit the service answers with a documented 503.
func failCommitsOfBidsOf(t *testing.T, dsn string, amount int64) {
	t.Helper()
	db := openTestDB(t, dsn)
	_, err := db.Exec(`
		CREATE FUNCTION fail_this_commit() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			RAISE EXCEPTION 'injected commit failure' USING ERRCODE = 'lock_not_available';
		END $$`)
	require.NoError(t, err)
	_, err = db.Exec(fmt.Sprintf(`
		CREATE CONSTRAINT TRIGGER fail_bid_commit AFTER INSERT ON bids DEFERRABLE INITIALLY DEFERRED
		FOR EACH ROW WHEN (NEW.amount = %d) EXECUTE FUNCTION fail_this_commit()`, amount))
	require.NoError(t, err)
}

// TestNotificationsOfAFullAuction runs an auction with three bidders to its
// close, with a bid whose transaction is rolled back at its commit: every
// member gets exactly the notifications of the contract, none for that bid.
func TestNotificationsOfAFullAuction(t *testing.T) {
	t.Parallel()
	a := startApp(t, withEnv(map[string]string{"AUCTION_CLOSE_INTERVAL": "200ms"}))
	seller, _ := a.quickMember("nfseller", 0)
	ann, _ := a.quickMember("nfann", 100_000)
	bob, _ := a.quickMember("nfbob", 100_000)
	carl, _ := a.quickMember("nfcarl", 100_000)
	lot := seller.listAuction("Lighthouse", 1000, time.Now().Add(4*time.Second), map[string][]string{"bid_increment": {"100"}})
	auctionID := lot.Auction.ID
	failCommitsOfBidsOf(t, a.vars["DATABASE_URL"], 1400)

	for _, step := range []struct {
		bidder *client
		amount int64
	}{{ann, 1000}, {bob, 1100}, {carl, 1200}, {ann, 1300}} {
		res := step.bidder.bid(auctionID, step.amount)
		require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	}
	rolledBack := bob.bid(auctionID, 1400)
	require.Equal(t, http.StatusServiceUnavailable, rolledBack.status, "%s", rolledBack.body)
	assert.Equal(t, []string{"outbid 1100 -"}, ann.inbox(), "the rolled-back bid outbid nobody")
	res := bob.bid(auctionID, 1500)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)

	require.Eventually(t, func() bool { return seller.auction(auctionID).Status == "closed" }, 15*time.Second, 100*time.Millisecond)
	assert.Equal(t, []string{"auction_lost 1500 -", "outbid 1500 -", "outbid 1100 -"}, ann.inbox())
	assert.Equal(t, []string{"auction_won 1500 -", "outbid 1200 -"}, bob.inbox())
	assert.Equal(t, []string{"auction_lost 1500 -", "outbid 1300 -"}, carl.inbox())
	assert.Equal(t, []string{"art_sold 1500 nfbob"}, seller.inbox())
	for _, n := range ann.notifications(false) {
		assert.Equal(t, lot.ID, n.ArtID)
		require.NotNil(t, n.AuctionID)
		assert.Equal(t, auctionID, *n.AuctionID)
		assert.False(t, n.Read)
	}
	waitForSubject(t, a, "nfann@example.com", "You have been outbid")
	assert.Equal(t, 2, countMails(a, "nfann@example.com", "You have been outbid"), "one outbid mail per outbid notification")

	// Reading: one at a time (idempotent), then all.
	assert.Equal(t, int64(3), ann.unreadCount())
	newest := ann.notifications(false)[0]
	for range 2 {
		res := ann.do(http.MethodPut, "/api/v1/me/notifications/"+itoa(newest.ID)+"/read", nil)
		require.Equal(t, http.StatusNoContent, res.status, "%s", res.body)
	}
	assert.Equal(t, int64(2), ann.unreadCount())
	assert.True(t, ann.notifications(false)[0].Read)
	assert.Len(t, ann.notifications(true), 2)
	res = bob.do(http.MethodPut, "/api/v1/me/notifications/"+itoa(newest.ID)+"/read", nil)
	require.Equal(t, http.StatusNotFound, res.status, "another member's notification")
	assert.Equal(t, "NOTIFICATION_NOT_FOUND", res.problemCode(t))
	assert.Equal(t, int64(2), bob.unreadCount(), "untouched by the refused mark")
	res = ann.do(http.MethodPost, "/api/v1/me/notifications/read-all", nil)
	require.Equal(t, http.StatusNoContent, res.status, "%s", res.body)
	assert.Zero(t, ann.unreadCount())
	assert.Empty(t, ann.notifications(true))
	assert.Equal(t, int64(1), seller.unreadCount())
}

func countMails(a *app, to, subject string) int {
	n := 0
	for _, m := range a.mail.Messages() {
		if len(m.To) == 1 && m.To[0] == to && m.Subject == subject {
			n++
		}
	}
	return n
}

// TestNotificationsOfBuyNowFailureAndPurchase: a buy-now tells the buyer won,
// the seller sold and the other bidder lost (and nobody outbid); an auction
// without a bid tells its seller it failed; a general sale tells its seller.
func TestNotificationsOfBuyNowFailureAndPurchase(t *testing.T) {
	t.Parallel()
	a := startApp(t, withEnv(map[string]string{"AUCTION_CLOSE_INTERVAL": "200ms"}))
	seller, _ := a.quickMember("nbseller", 0)
	ann, _ := a.quickMember("nbann", 100_000)
	bob, _ := a.quickMember("nbbob", 100_000)

	lot := seller.listAuction("Dunes", 1000, time.Now().Add(time.Hour), map[string][]string{"buy_now_price": {"9000"}})
	require.Equal(t, http.StatusCreated, ann.bid(lot.Auction.ID, 1000).status)
	res := bob.do(http.MethodPost, "/api/v1/auctions/"+itoa(lot.Auction.ID)+"/buy-now", nil)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	assert.Equal(t, []string{"auction_lost 9000 -"}, ann.inbox())
	assert.Equal(t, []string{"auction_won 9000 -"}, bob.inbox())
	assert.Equal(t, []string{"art_sold 9000 nbbob"}, seller.inbox())

	quiet := seller.listAuction("Empty room", 1000, time.Now().Add(2*time.Second), nil)
	require.Eventually(t, func() bool { return seller.auction(quiet.Auction.ID).Status == "failed" }, 15*time.Second, 100*time.Millisecond)
	got := seller.notifications(false)[0]
	assert.Equal(t, "auction_failed - -", got.String())
	assert.Equal(t, quiet.ID, got.ArtID)

	general := seller.createArt(generalFields("Still life", 2000, "still"))
	res = ann.do(http.MethodPost, "/api/v1/arts/"+itoa(general.ID)+"/purchase", nil)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	got = seller.notifications(false)[0]
	assert.Equal(t, "art_sold 2000 nbann", got.String())
	assert.Nil(t, got.AuctionID, "a general sale has no auction")
	assert.Equal(t, []string{"auction_lost 9000 -"}, ann.inbox(), "the buyer of a general art is told nothing")
}

// TestNotificationListPagesByCursorAndRefusesBadInput pages an inbox by
// cursor while notifications are added, and checks the refusals.
func TestNotificationListPagesByCursorAndRefusesBadInput(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	seller, _ := a.quickMember("npseller", 0)
	ann, _ := a.quickMember("npann", 1_000_000)
	bob, _ := a.quickMember("npbob", 1_000_000)
	lot := seller.listAuction("Stairs", 1000, time.Now().Add(time.Hour), nil)
	amount := int64(1000)
	outbidAnn := func() {
		for _, c := range []*client{ann, bob} {
			require.Equal(t, http.StatusCreated, c.bid(lot.Auction.ID, amount).status)
			amount += 10
		}
	}
	for range 5 {
		outbidAnn()
	}

	res := ann.do(http.MethodGet, "/api/v1/me/notifications?size=2", nil)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var page notificationPage
	res.decode(t, &page)
	require.NotNil(t, page.TotalItems)
	assert.Equal(t, 5, *page.TotalItems, "ann was outbid by each of bob's bids")
	var seen []int64
	for _, n := range page.Items {
		seen = append(seen, n.ID)
	}
	outbidAnn() // a newer one: the cursor pages on without a repeat or a gap
	for page.NextCursor != nil {
		res = ann.do(http.MethodGet, "/api/v1/me/notifications?size=2&cursor="+*page.NextCursor, nil)
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		page = notificationPage{}
		res.decode(t, &page)
		assert.Nil(t, page.TotalItems, "a cursor page does not count")
		for _, n := range page.Items {
			seen = append(seen, n.ID)
		}
	}
	require.Len(t, seen, 5)
	for i := 1; i < len(seen); i++ {
		assert.Greater(t, seen[i-1], seen[i], "newest first")
	}

	res = ann.do(http.MethodGet, "/api/v1/me/notifications?size=2", nil)
	res.decode(t, &page)
	res = ann.do(http.MethodGet, "/api/v1/me/notifications?unread=true&cursor="+*page.NextCursor, nil)
	require.Equal(t, http.StatusBadRequest, res.status, "a cursor of the whole inbox on the unread list")
	assert.Contains(t, string(res.body), `"field":"cursor"`)
	for _, path := range []string{"/api/v1/me/notifications?unread=yes", "/api/v1/me/notifications?size=101",
		"/api/v1/me/notifications/0/read", "/api/v1/me/notifications/x/read"} {
		method := http.MethodGet
		if strings.HasSuffix(path, "/read") {
			method = http.MethodPut
		}
		res := ann.do(method, path, nil)
		assert.Equal(t, http.StatusBadRequest, res.status, "%s %s", method, path)
		assert.Equal(t, "VALIDATION_FAILED", res.problemCode(t), "%s", path)
	}
	res = ann.do(http.MethodPut, "/api/v1/me/notifications/999999/read", nil)
	assert.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, "NOTIFICATION_NOT_FOUND", res.problemCode(t))
}

// requestMemberStream GETs /me/events with the given credentials (a bearer
// token, or "ticket=" for a ticket) and Last-Event-ID, and checks the
// answer's head against the OpenAPI document.
func (a *app) requestMemberStream(t *testing.T, token, ticket, lastEventID string) *http.Response {
	t.Helper()
	url := a.base + "/api/v1/me/events"
	if ticket != "" {
		url += "?ticket=" + ticket
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	res, err := streamClient.Do(req)
	require.NoError(t, err)
	var body []byte
	if res.StatusCode != http.StatusOK {
		body, err = io.ReadAll(res.Body)
		require.NoError(t, err)
		res.Body.Close()
	}
	checkAgainstSpec(t, req, nil, res, body)
	return res
}

func (a *app) openMemberStream(t *testing.T, token, ticket, lastEventID string) *eventStream {
	t.Helper()
	res := a.requestMemberStream(t, token, ticket, lastEventID)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	return readStream(t, res.Body)
}

// expectNotification checks the next event is a notification shown as want,
// with its id as the event's, and returns it.
func (s *eventStream) expectNotification(want string) notificationBody {
	s.t.Helper()
	e := s.next()
	require.Equal(s.t, "notification", e.kind, "%+v", e)
	var n notificationBody
	require.NoError(s.t, json.Unmarshal([]byte(e.data), &n), "data: %s", e.data)
	require.Equal(s.t, want, n.String())
	require.Equal(s.t, itoa(n.ID), e.id, "the event's id is the notification's")
	return n
}

func (c *client) streamTicket() string {
	t := c.app.t
	t.Helper()
	res := c.do(http.MethodPost, "/api/v1/me/stream-tickets", nil)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var body struct {
		Ticket    string `json:"ticket"`
		ExpiresIn int64  `json:"expires_in"`
	}
	res.decode(t, &body)
	require.Equal(t, int64(60), body.ExpiresIn)
	require.NotEmpty(t, body.Ticket)
	return body.Ticket
}

// TestMemberStreamAcrossInstances: a member's stream on one instance gets what
// happens through another, picks up after a reconnect with Last-Event-ID, and
// opens with a one-use ticket made on either.
func TestMemberStreamAcrossInstances(t *testing.T) {
	t.Parallel()
	env := withEnv(map[string]string{"LIVE_HEARTBEAT": "200ms"})
	a := startApp(t, env)
	b := startAppBeside(t, a, env)
	seller, _ := a.quickMember("msseller", 0)
	annOnA, _ := a.quickMember("msann", 1_000_000)
	bobOnA, _ := a.quickMember("msbob", 1_000_000)
	annOnB, bobOnB := annOnA.as(b), bobOnA.as(b)
	lot := seller.listAuction("Pier", 1000, time.Now().Add(time.Hour), nil)
	amount := int64(1000)
	bidOnB := func(c *client) {
		t.Helper()
		require.Equal(t, http.StatusCreated, c.bid(lot.Auction.ID, amount).status)
		amount += 10
	}
	bidOnB(annOnB)

	stream := a.openMemberStream(t, annOnA.token, "", "")
	select {
	case e := <-stream.events:
		assert.True(t, e.comment, "a quiet member stream sends heartbeats: %+v", e)
	case <-time.After(5 * time.Second):
		t.Fatal("no heartbeat")
	}
	bidOnB(bobOnB)
	first := stream.expectNotification("outbid 1010 -")
	require.NoError(t, stream.body.Close())

	// While ann is away: she bids back, bob outbids her again.
	bidOnB(annOnB)
	bidOnB(bobOnB)
	back := a.openMemberStream(t, annOnA.token, "", itoa(first.ID))
	missed := back.expectNotification("outbid 1030 -")
	assert.Greater(t, missed.ID, first.ID)
	bidOnB(annOnB)
	bidOnB(bobOnB)
	back.expectNotification("outbid 1050 -")

	// A browser's way in: a ticket made on b opens a stream on a, once.
	ticket := annOnB.streamTicket()
	byTicket := a.openMemberStream(t, "", ticket, "")
	bidOnB(annOnB)
	bidOnB(bobOnB)
	byTicket.expectNotification("outbid 1070 -")
	back.expectNotification("outbid 1070 -")
	for _, refused := range []struct{ name, ticket string }{
		{"a used ticket", ticket}, {"an unknown ticket", "not-a-ticket"}, {"no credentials", ""},
	} {
		res := b.requestMemberStream(t, "", refused.ticket, "")
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode, refused.name)
		assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"), refused.name)
	}
	// Bob's stream carries only his own.
	bobStream := b.openMemberStream(t, bobOnA.token, "", "")
	bidOnB(annOnB)
	bobStream.expectNotification("outbid 1080 -")
	assert.Len(t, annOnA.notifications(false), 4, "ann's inbox is what her streams showed")
}

// TestNotificationsOfAnAuctionBelowItsReserve: nothing sold, so the seller is
// told the auction failed and every bidder, the leader too, that they lost,
// without a price.
func TestNotificationsOfAnAuctionBelowItsReserve(t *testing.T) {
	t.Parallel()
	a := startApp(t, withEnv(map[string]string{"AUCTION_CLOSE_INTERVAL": "200ms"}))
	seller, _ := a.quickMember("nrseller", 0)
	ann, _ := a.quickMember("nrann", 100_000)
	bob, _ := a.quickMember("nrbob", 100_000)
	lot := seller.listAuction("Mist", 1000, time.Now().Add(3*time.Second), map[string][]string{"reserve_price": {"5000"}})
	for i, bidder := range []*client{ann, bob, ann} {
		res := bidder.bid(lot.Auction.ID, 1000+int64(i)*100)
		require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	}

	require.Eventually(t, func() bool { return seller.auction(lot.Auction.ID).Status == "failed" }, 15*time.Second, 100*time.Millisecond)
	assert.Equal(t, []string{"auction_failed - -"}, seller.inbox())
	assert.Equal(t, []string{"auction_lost - -", "outbid 1100 -"}, ann.inbox(), "the leader below the reserve lost too")
	assert.Equal(t, []string{"auction_lost - -", "outbid 1200 -"}, bob.inbox())
}

// TestNewWorkReachesTheArtistsFollowers: a listing tells each follower of its
// artist, the artist as the actor, live on any instance; a member who
// unfollowed is not told, and the listing does not wait for any of it.
func TestNewWorkReachesTheArtistsFollowers(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	b := startAppBeside(t, a)
	artist, artistID := a.quickMember("nwartist", 0)
	ann, _ := a.quickMember("nwann", 0)
	bob, _ := a.quickMember("nwbob", 0)
	gone, _ := a.quickMember("nwgone", 0)
	for _, fan := range []*client{ann, bob, gone} {
		require.Equal(t, http.StatusNoContent, fan.follow(artistID).status)
	}
	require.Equal(t, http.StatusNoContent, gone.unfollow(artistID).status)
	annStream := b.openMemberStream(t, ann.token, "", "")

	work := artist.createArt(generalFields("First light", 3000, "dawn"))

	live := annStream.expectNotification("new_work - nwartist")
	assert.Equal(t, work.ID, live.ArtID)
	assert.Nil(t, live.AuctionID)
	assert.Equal(t, artistID, live.Actor.ID)
	require.Eventually(t, func() bool { return len(bob.notifications(false)) == 1 }, 10*time.Second, 50*time.Millisecond)
	assert.Equal(t, []string{"new_work - nwartist"}, bob.inbox())
	assert.Equal(t, []string{"new_work - nwartist"}, ann.inbox(), "once")
	assert.Empty(t, gone.inbox(), "unfollowed before the listing")
	assert.Empty(t, artist.inbox(), "the artist is not told of their own work")
}
