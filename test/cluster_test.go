package test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/mail/smtptest"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/adapters/storage/s3test"
)

// Three instances behind HAProxy, every request free to land on any of them:
// what one instance did, every other one knows. Members bid on one auction
// through every instance while a watcher on each instance follows it, and
// auctions end while the closer of every instance races for them.
func TestClusterOfThreeBehindABalancer(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, map[string]string{"RATE_LIMIT_ENABLED": "true", "AUCTION_CLOSE_INTERVAL": "200ms"})

	t.Run("an image uploaded through one is served by every one, and deleted through another leaves the store", func(t *testing.T) {
		artist, _ := c.member("cluster-artist@example.com", "clusterartist", 0)
		pngBytes := pngImage(t, 120, 80)
		res := artist.uploadArt(generalFields("Harbour", 5000, "harbour"), "harbour.png", pngBytes)
		require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
		uploader := res.header.Get(servedBy)
		var work artBody
		res.decode(t, &work)
		require.Len(t, s3test.Keys(t, c.bucket), 1, "the image is in the shared store")

		anonymous := c.newClient()
		served := c.fromEveryInstance(t, 3, func() response { return anonymous.do(http.MethodGet, work.ImageURL, nil) })
		etag := served[uploader].header.Get("ETag")
		require.NotEmpty(t, etag)
		for name, r := range served {
			require.Equal(t, http.StatusOK, r.status, "%s: %s", name, r.body)
			assert.Equal(t, pngBytes, r.body, "%s serves the image byte for byte", name)
			assert.Equal(t, etag, r.header.Get("ETag"), "%s gives the same ETag", name)
			assert.Equal(t, "image/png", r.header.Get("Content-Type"), name)
			assert.Equal(t, "public, max-age=86400", r.header.Get("Cache-Control"), name)
		}
		revalidated := c.fromEveryInstance(t, 3, func() response {
			return anonymous.do(http.MethodGet, work.ImageURL, nil, "If-None-Match", etag)
		})
		for name, r := range revalidated {
			assert.Equal(t, http.StatusNotModified, r.status, "%s: %s", name, r.body)
			assert.Empty(t, r.body, name)
		}

		c.nextRequestAvoids(t, uploader)
		res = artist.do(http.MethodDelete, "/api/v1/arts/"+itoa(work.ID), nil)
		require.Equal(t, http.StatusNoContent, res.status, "%s", res.body)
		assert.NotEqual(t, uploader, res.header.Get(servedBy), "deleted through another instance")
		gone := c.fromEveryInstance(t, 3, func() response { return anonymous.do(http.MethodGet, work.ImageURL, nil) })
		for name, r := range gone {
			assert.Equal(t, http.StatusNotFound, r.status, name)
			assert.Equal(t, "ART_NOT_FOUND", r.problemCode(t), name)
		}
		require.Eventually(t, func() bool { return len(s3test.Keys(t, c.bucket)) == 0 }, 5*time.Second, 50*time.Millisecond,
			"the image was not removed from the store within 5 s of the delete")
	})

	t.Run("a retried upload landing on another instance replays", func(t *testing.T) {
		artist, _ := c.member("cluster-retry@example.com", "clusterretry", 0)
		body, contentType := artForm(t, generalFields("Pier", 7000, "pier"), "pier.png", pngImage(t, 40, 30))
		first := artist.do(http.MethodPost, "/api/v1/arts", body, "Content-Type", contentType, "Idempotency-Key", "pier-upload")
		require.Equal(t, http.StatusCreated, first.status, "%s", first.body)
		keysBefore := len(s3test.Keys(t, c.bucket))

		c.nextRequestAvoids(t, first.header.Get(servedBy))
		retry := artist.do(http.MethodPost, "/api/v1/arts", body, "Content-Type", contentType, "Idempotency-Key", "pier-upload")
		require.Equal(t, http.StatusCreated, retry.status, "%s", retry.body)
		assert.NotEqual(t, first.header.Get(servedBy), retry.header.Get(servedBy), "the retry went to another instance")
		assert.Equal(t, "true", retry.header.Get("Idempotent-Replayed"))
		assert.JSONEq(t, string(first.body), string(retry.body), "the same art, not a second one")
		assert.Len(t, s3test.Keys(t, c.bucket), keysBefore, "no second image")
	})

	t.Run("rate limits count the requests of every instance, per client behind the balancer", func(t *testing.T) {
		const email = "cluster-limited@example.com"
		c.newClient().signUp(email, "clusterlimited")
		guesser := c.newClient()
		login := func(email, password, clientIP string) response {
			return guesser.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": email, "password": password},
				"X-Forwarded-For", clientIP)
		}
		instances := map[string]bool{}
		for i := range 10 {
			res := login(email, "wrong-Pass1", "203.0.113.10")
			require.Equal(t, http.StatusUnauthorized, res.status, "failed login %d: %s", i+1, res.body)
			instances[res.header.Get(servedBy)] = true
		}
		assert.Len(t, instances, 3, "the failures landed on every instance")
		res := login(email, goodPassword, "203.0.113.11")
		assert.Equal(t, http.StatusTooManyRequests, res.status, "after 10 failures on any instances, the email waits: %s", res.body)
		assert.Equal(t, "RATE_LIMITED", res.problemCode(t))

		// Every verification code asked for counts against its client's address: 20 an hour.
		askCode := func(n int, clientIP string) response {
			return c.newClient().do(http.MethodPost, "/api/v1/auth/verification-codes",
				map[string]string{"email": fmt.Sprintf("code-%d@example.com", n), "purpose": "signup"}, "X-Forwarded-For", clientIP)
		}
		instances = map[string]bool{}
		for i := range 20 {
			res := askCode(i, "203.0.113.20")
			require.Equal(t, http.StatusAccepted, res.status, "code %d: %s", i+1, res.body)
			instances[res.header.Get(servedBy)] = true
		}
		assert.Len(t, instances, 3, "the codes were asked for on every instance")
		res = askCode(20, "203.0.113.20")
		assert.Equal(t, http.StatusTooManyRequests, res.status, "the 21st code of an hour from one client: %s", res.body)
		res = askCode(21, "203.0.113.21")
		assert.Equal(t, http.StatusAccepted, res.status, "another client behind the same balancer is not limited: %s", res.body)
	})

	t.Run("a session started on one instance is refreshed on another and revoked on all", func(t *testing.T) {
		member := c.newClient()
		member.signUp("cluster-member@example.com", "clustermember")
		res := member.do(http.MethodPost, "/api/v1/auth/login",
			map[string]string{"email": "cluster-member@example.com", "password": goodPassword})
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		loggedInOn := res.header.Get(servedBy)
		var tokens tokensBody
		res.decode(t, &tokens)

		c.nextRequestAvoids(t, loggedInOn)
		res = member.do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": tokens.RefreshToken})
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		assert.NotEqual(t, loggedInOn, res.header.Get(servedBy), "refreshed on another instance")
		var rotated tokensBody
		res.decode(t, &rotated)
		member.token = rotated.AccessToken
		for name, r := range c.fromEveryInstance(t, 3, func() response { return member.do(http.MethodGet, "/api/v1/me", nil) }) {
			assert.Equal(t, http.StatusOK, r.status, "%s knows the session: %s", name, r.body)
		}

		res = member.do(http.MethodPost, "/api/v1/auth/logout", nil)
		require.Equal(t, http.StatusNoContent, res.status, "%s", res.body)
		for name, r := range c.fromEveryInstance(t, 3, func() response { return member.do(http.MethodGet, "/api/v1/me", nil) }) {
			assert.Equal(t, "TOKEN_REVOKED", r.problemCode(t), "%s honours the logout", name)
		}
		for name, r := range c.fromEveryInstance(t, 3, func() response {
			return member.do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": rotated.RefreshToken})
		}) {
			assert.Equal(t, "TOKEN_REVOKED", r.problemCode(t), "%s refuses the logged-out refresh token", name)
		}
	})

	ta := c.trading(t)
	seller := ta.traders(t, 1, 0)[0]
	bidders := ta.traders(t, 30, 1_000_000)

	t.Run("bids through every instance keep the invariants, and every instance's watchers see them all in order", func(t *testing.T) {
		hot := ta.listAuction(t, seller, "Hot", 10000, time.Now().Add(time.Hour), nil)
		watchers := c.watchOnEveryInstance(t, hot)
		// Each bidder bids a few times, each a little above the last amount anyone sent.
		var next atomic.Int64
		next.Store(10000 - 10)
		var log shotLog
		race(t, len(bidders), 45*time.Second, func(i int) {
			for range 4 {
				log.add(ta.shootBid(bidders[i], hot, next.Add(10)))
			}
		})
		shots := log.all()

		accepted, rejected := ta.checkShots(t, shots, "422 BID_TOO_LOW", "409 ALREADY_HIGHEST_BIDDER")
		require.NotEmpty(t, accepted)
		assertNothingWritten(t, c.dsn, rejected)
		checkInvariants(t, c.dsn, accepted)
		amounts := bidAmounts(t, ta, hot)
		require.Len(t, amounts, len(accepted))
		for i, w := range watchers {
			for n, amount := range amounts {
				e := w.next()
				require.Equal(t, "bid", e.kind, "the watcher on instance %d", i+1)
				require.Equal(t, itoa(int64(n+1)), e.id, "the watcher on instance %d gets bid %d next", i+1, n+1)
				require.Equal(t, amount, e.payload(t).Amount, "the watcher on instance %d", i+1)
			}
		}
	})

	t.Run("closers on every instance settle each ended auction once", func(t *testing.T) {
		const lots = 4
		closedBefore := c.eventsPublished(t, "closed")
		_, sellerAvailableBefore := ta.balance(t, seller.id)
		// RFC 3339 in seconds: the ends fall 2 to 3 seconds from now.
		endAt := time.Now().Add(2 * time.Second)
		var auctions []int64
		var watchers [][]*eventStream
		for i := range lots {
			id := ta.listAuction(t, seller, "Closing "+strconv.Itoa(i), 1000, endAt, nil)
			auctions = append(auctions, id)
			watchers = append(watchers, c.watchOnEveryInstance(t, id))
			shot := ta.shootBid(bidders[i], id, 1000+int64(i))
			require.Equal(t, http.StatusCreated, shot.status, "%s", shot.body)
		}
		for i, id := range auctions {
			for j, w := range watchers[i] {
				require.Equal(t, "bid", w.next().kind, "auction %d, instance %d", id, j+1)
				e := w.next()
				require.Equal(t, "closed", e.kind, "auction %d, instance %d: %+v", id, j+1, e)
				d := e.payload(t)
				assert.Equal(t, "closed", d.Status)
				assert.Equal(t, 1000+int64(i), d.Amount)
				w.ended()
			}
			var purchases, sales int
			require.NoError(t, ta.sqlDB.QueryRow(`SELECT count(*) FROM purchases p JOIN auctions au ON au.art_id = p.art_id
				WHERE au.id = $1`, id).Scan(&purchases))
			require.NoError(t, ta.sqlDB.QueryRow(`SELECT count(*) FROM point_ledger l JOIN auctions au ON au.art_id = l.art_id
				WHERE au.id = $1 AND l.type = 'SALE'`, id).Scan(&sales))
			assert.Equal(t, 1, purchases, "auction %d sold once", id)
			assert.Equal(t, 1, sales, "the seller of auction %d paid once", id)
		}
		_, sellerAvailable := ta.balance(t, seller.id)
		assert.Equal(t, sellerAvailableBefore+lots*1000+(lots-1)*lots/2, sellerAvailable, "the seller got each price once")
		assert.Equal(t, closedBefore+lots, c.eventsPublished(t, "closed"), "one closed event per auction, from all instances together")
		checkInvariants(t, c.dsn, nil)
	})
}

// The object store goes away from every instance at once: image uploads and
// reads answer 503 SERVICE_UNAVAILABLE (never a 500), /readyz on each instance
// names the store, everything else keeps working, an art deleted meanwhile
// loses its image once the store is back, and so do uploads.
func TestClusterThroughAnObjectStoreOutage(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, nil)
	artist, _ := c.member("outage-artist@example.com", "outageartist", 0)
	kept := artist.createArt(generalFields("Kept", 5000, "kept"))
	doomed := artist.createArt(generalFields("Doomed", 5000, "doomed"))
	require.Len(t, s3test.Keys(t, c.bucket), 2)
	anonymous := c.newClient()

	c.store.setCut(true)
	for name, r := range c.fromEveryInstance(t, 3, func() response {
		return artist.uploadArt(generalFields("Lost", 5000, "lost"), "lost.png", pngImage(t, 20, 20))
	}) {
		assert.Equal(t, http.StatusServiceUnavailable, r.status, "an upload on %s: %s", name, r.body)
		assert.Equal(t, "SERVICE_UNAVAILABLE", r.problemCode(t), name)
		assert.NotEmpty(t, r.header.Get("Retry-After"), name)
	}
	for name, r := range c.fromEveryInstance(t, 3, func() response { return anonymous.do(http.MethodGet, kept.ImageURL, nil) }) {
		assert.Equal(t, http.StatusServiceUnavailable, r.status, "an image read on %s: %s", name, r.body)
		assert.Equal(t, "SERVICE_UNAVAILABLE", r.problemCode(t), name)
	}
	for name, r := range c.fromEveryInstance(t, 3, func() response { return anonymous.do(http.MethodGet, "/readyz", nil) }) {
		assert.Equal(t, http.StatusServiceUnavailable, r.status, name)
		var p struct {
			Detail string `json:"detail"`
		}
		r.decode(t, &p)
		assert.Equal(t, "Not ready; down: object store.", p.Detail, name)
	}
	res := anonymous.do(http.MethodGet, "/api/v1/arts/"+itoa(kept.ID), nil)
	assert.Equal(t, http.StatusOK, res.status, "the catalog needs no image store: %s", res.body)
	res = artist.do(http.MethodDelete, "/api/v1/arts/"+itoa(doomed.ID), nil)
	require.Equal(t, http.StatusNoContent, res.status, "a delete does not wait for the store: %s", res.body)
	assert.Len(t, s3test.Keys(t, c.bucket), 2, "no upload got through, and the doomed image waits")

	c.store.setCut(false)
	require.Eventually(t, func() bool { return len(s3test.Keys(t, c.bucket)) == 1 }, 10*time.Second, 100*time.Millisecond, "the doomed image was not removed once the store came back")
	for name, r := range c.fromEveryInstance(t, 3, func() response { return anonymous.do(http.MethodGet, kept.ImageURL, nil) }) {
		assert.Equal(t, http.StatusOK, r.status, "%s serves images again: %s", name, r.body)
	}
	for name, r := range c.fromEveryInstance(t, 3, func() response { return anonymous.do(http.MethodGet, "/readyz", nil) }) {
		assert.Equal(t, http.StatusOK, r.status, "%s is ready again: %s", name, r.body)
	}
	res = artist.uploadArt(generalFields("Found", 5000, "found"), "found.png", pngImage(t, 20, 20))
	assert.Equal(t, http.StatusCreated, res.status, "uploads work again: %s", res.body)
	for _, p := range c.instances {
		assert.Empty(t, p.errorLines("image removals"), "errors logged by %s", p)
	}
}

// One instance is killed with SIGKILL while members bid through the balancer:
// no bid answered 201 is lost, the invariants hold, the other instances go on
// accepting bids, and the balancer stops sending to the dead one.
func TestClusterLosesAnInstanceUnderBiddingLoad(t *testing.T) {
	t.Parallel()
	c := startCluster(t, 3, nil)
	ta := c.trading(t)
	seller := ta.traders(t, 1, 0)[0]
	bidders := ta.traders(t, 5, 10_000_000)
	var auctions []int64
	for i := range 3 {
		auctions = append(auctions, ta.listAuction(t, seller, "Lot "+strconv.Itoa(i), 1000, time.Now().Add(time.Hour), nil))
	}

	load := startFaultLoad(ta, bidders, auctions, 1)
	time.Sleep(time.Second)
	killedAt := time.Now()
	c.instances[1].kill()
	// Two failed health checks 200ms apart take it out; a request it was
	// answering at the kill has no answer, so its outcome is unknown.
	settled := killedAt.Add(time.Second)
	time.Sleep(2 * time.Second)
	load.finish()

	shots := load.bids.all()
	var before, after []answer
	createdAfter := 0
	for _, s := range shots {
		switch {
		case s.doneAt.Before(killedAt):
			before = append(before, s.answer)
		case s.sentAt.After(settled):
			after = append(after, s.answer)
			if s.status == http.StatusCreated {
				createdAfter++
			}
		}
	}
	assertNoInternalErrors(t, "a bid before the kill", before)
	assertNoInternalErrors(t, "a bid once the balancer dropped the dead instance", after)
	assert.Positive(t, createdAfter, "the other instances went on accepting bids")
	assertNoInternalErrors(t, "a read once the balancer dropped the dead instance", answersSentAfter(load.readAnswers(), settled))
	accepted := acceptedBids(shots)
	assert.Zero(t, lostBids(t, ta, accepted))
	checkInvariants(t, c.dsn, accepted)

	live := c.fromEveryInstance(t, 2, func() response { return c.newClient().do(http.MethodGet, "/healthz", nil) })
	for range 10 {
		res := c.newClient().do(http.MethodGet, "/healthz", nil)
		require.Equal(t, http.StatusOK, res.status)
		live[res.header.Get(servedBy)] = res
	}
	assert.ElementsMatch(t, []string{"instance-1", "instance-3"}, keysOf(live), "the balancer sends only to the live instances")
	t.Logf("kill -9 of one instance of three under load: %s", countAnswers(answersOf(shots)))
}

func answersSentAfter(answers []answer, at time.Time) []answer {
	var out []answer
	for _, a := range answers {
		if a.sentAt.After(at) {
			out = append(out, a)
		}
	}
	return out
}

// The README's second instance: the same settings but HTTP_ADDR. Its admin
// listener, left unset, follows its HTTP port, so it does not take the first
// one's, and both serve.
func TestSecondInstanceStartsWithOnlyHTTPAddrChanged(t *testing.T) {
	t.Parallel()
	bin := buildService(t)
	mail := smtptest.Start(t)
	_, prefix := redistest.New(t)
	vars := serviceEnv(t, pgtest.NewDatabase(t), redistest.URL(), prefix, mail, nil)
	var instances []*serviceProcess
	for range 2 {
		port := freePortWithFreeAdmin(t)
		instances = append(instances, launchService(t, bin, vars,
			map[string]string{"HTTP_ADDR": "127.0.0.1:" + strconv.Itoa(port)}, "127.0.0.1:"+strconv.Itoa(port+1011)))
	}
	for _, p := range instances {
		res, err := http.Get(p.admin + "/metrics")
		require.NoError(t, err, "the admin listener of %s", p)
		raw, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, res.StatusCode, "%s", p)
		assert.Contains(t, string(raw), "go_goroutines", "%s serves its runtime metrics", p)
		res, err = http.Get(p.base + "/readyz")
		require.NoError(t, err)
		_ = res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode, "%s", p)
	}
}

// trading is the cluster as the concurrency suite drives an app: members made
// straight in the database, bids sent from many goroutines, through the balancer.
func (c *cluster) trading(t *testing.T) *tradingApp {
	t.Helper()
	tokens, err := security.NewJWTAccessTokens([]byte(c.vars["JWT_SECRET"]), 15*time.Minute)
	require.NoError(t, err)
	return &tradingApp{app: c.app, strategy: "row", dsn: c.dsn, sqlDB: openTestDB(t, c.dsn), tokens: tokens}
}

// watchOnEveryInstance opens a live stream of the auction on each instance
// itself, not through the balancer, so that each instance has a watcher.
func (c *cluster) watchOnEveryInstance(t *testing.T, auctionID int64) []*eventStream {
	t.Helper()
	var streams []*eventStream
	for _, p := range c.instances {
		streams = append(streams, p.appOf(t, c.mail).openStream(t, auctionID, ""))
	}
	return streams
}

// eventsPublished sums, over the instances, the auction stream's live events of kind each one announced.
func (c *cluster) eventsPublished(t *testing.T, kind string) int {
	t.Helper()
	prefix := `live_events_published_total{kind="` + kind + `",stream="auction"} `
	total := 0
	for _, p := range c.instances {
		res, err := http.Get(p.base + "/metrics")
		require.NoError(t, err)
		raw, err := io.ReadAll(res.Body)
		_ = res.Body.Close()
		require.NoError(t, err)
		for _, line := range strings.Split(string(raw), "\n") {
			if value, ok := strings.CutPrefix(line, prefix); ok {
				n, err := strconv.ParseFloat(value, 64)
				require.NoError(t, err, line)
				total += int(n)
			}
		}
	}
	return total
}

// bidAmounts are an auction's accepted amounts in the order of its bids.
func bidAmounts(t *testing.T, ta *tradingApp, auctionID int64) []int64 {
	t.Helper()
	rows, err := ta.sqlDB.Query(`SELECT amount FROM bids WHERE auction_id = $1 ORDER BY id`, auctionID)
	require.NoError(t, err)
	defer rows.Close()
	var amounts []int64
	for rows.Next() {
		var a int64
		require.NoError(t, rows.Scan(&a))
		amounts = append(amounts, a)
	}
	require.NoError(t, rows.Err())
	return amounts
}
