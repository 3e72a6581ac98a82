package test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/redis/redistest"
)

// TestBiddingAndWatchingThroughARedisOutage cuts the service off Redis under a
// database lock strategy: bids still get 201 (access tokens are checked
// against the sessions in Postgres), public reads work, watchers are told to
// reconnect and get the bids they missed from Postgres, and once Redis is back
// the live feed resubscribes by itself.
func TestBiddingAndWatchingThroughARedisOutage(t *testing.T) {
	t.Parallel()
	redisURL, proxy := behindProxy(t, redistest.URL())
	a := startApp(t, withEnv(map[string]string{
		"REDIS_URL":             redisURL,
		"AUCTION_LOCK_STRATEGY": "row",
		"LIVE_RETRY_HINT":       "1s",
	}))
	seller, _ := a.member("outage-seller@example.com", "outageseller", 0)
	ann, _ := a.member("outage-ann@example.com", "outageann", 100_000)
	bob, _ := a.member("outage-bob@example.com", "outagebob", 100_000)
	auctionID := seller.listAuction("Storm", 1000, time.Now().Add(time.Hour), nil).Auction.ID

	watcher := a.openStream(t, auctionID, "")
	require.Equal(t, http.StatusCreated, ann.bid(auctionID, 1000).status)
	watcher.expectBid(1, 1000, "outageann")

	proxy.setCut(true)
	hint := watcher.next()
	assert.Equal(t, "1000", hint.retry, "the watcher is told when to come back: %+v", hint)
	watcher.ended()

	res := bob.bid(auctionID, 1100)
	require.Equal(t, http.StatusCreated, res.status, "a bid while Redis is away: %s", res.body)
	assert.Equal(t, http.StatusOK, a.newClient().do(http.MethodGet, "/api/v1/auctions/"+itoa(auctionID), nil).status, "public reads")
	// A watcher coming back while Redis is away still gets what it missed, then the hint.
	during := a.openStream(t, auctionID, "1")
	during.expectBid(2, 1100, "outagebob")
	assert.Equal(t, "1000", during.next().retry)
	during.ended()

	proxy.setCut(false)
	// The feed resubscribes by itself; a stream that stays open is live again.
	var back *eventStream
	require.Eventually(t, func() bool {
		s := a.openStream(t, auctionID, "2")
		select {
		case e, ok := <-s.events:
			if !ok || e.retry != "" {
				return false
			}
			back = s // a heartbeat: the stream is live
			return true
		case <-time.After(300 * time.Millisecond):
			back = s // nothing to say and still open: live
			return true
		}
	}, 15*time.Second, 200*time.Millisecond, "the live feed did not come back")
	require.Equal(t, http.StatusCreated, ann.bid(auctionID, 1200).status)
	back.expectBid(3, 1200, "outageann")
	require.NoError(t, back.body.Close())
}

// TestBiddingThroughARedisOutagePerStrategy cuts the service off Redis under
// bids and reads, once per lock strategy. The redis strategy fails closed:
// its bids answer 503 LOCK_UNAVAILABLE and write nothing; the database
// strategies keep accepting bids. Logout, which must reach the blacklist,
// answers 503; so does a verification code, which lives in Redis; public
// reads keep answering 200. Everything works again once Redis is back.
func TestBiddingThroughARedisOutagePerStrategy(t *testing.T) {
	t.Parallel()
	for _, strategy := range strategies {
		t.Run(strategy, func(t *testing.T) {
			t.Parallel()
			// A short lock wait: the redis strategy answers within it when Redis is gone.
			fa := startFaultApp(t, strategy, map[string]string{"AUCTION_LOCK_WAIT": "1s"})
			seller := fa.traders(t, 1, 0)[0]
			people := fa.traders(t, 5, 1_000_000)
			bidders, late, leaving := people[:3], people[3], fa.client(t, people[4])
			var auctions []int64
			for _, name := range []string{"Gale", "Squall"} {
				auctions = append(auctions, fa.listAuction(t, seller, name, 1000, time.Now().Add(time.Hour), nil))
			}
			// Out of the load: a bid there tells recovery from losing a race.
			quiet := fa.listAuction(t, seller, "Lull", 1000, time.Now().Add(time.Hour), nil)

			load := startFaultLoad(fa.tradingApp, bidders, auctions, 1)
			time.Sleep(time.Second)
			o := outage{cutAt: time.Now()}
			fa.redis.setCut(true)
			time.Sleep(300 * time.Millisecond)
			// Checked against the OpenAPI document on this goroutine.
			res := leaving.do(http.MethodPost, "/api/v1/auth/logout", nil)
			assert.Equal(t, http.StatusServiceUnavailable, res.status, "logout without the blacklist: %s", res.body)
			assert.Equal(t, "SERVICE_UNAVAILABLE", res.problemCode(t))
			anon := fa.newClient()
			res = anon.do(http.MethodPost, "/api/v1/auth/verification-codes",
				map[string]string{"email": "gale-" + strategy + "@example.com", "purpose": "signup"})
			assert.Equal(t, http.StatusServiceUnavailable, res.status, "a verification code without Redis: %s", res.body)
			assert.Equal(t, http.StatusOK, anon.do(http.MethodGet, "/api/v1/arts", nil).status)
			assert.Equal(t, http.StatusOK, anon.do(http.MethodGet, "/api/v1/auctions/"+itoa(auctions[0]), nil).status)
			time.Sleep(2 * time.Second)
			o.restoredAt = time.Now()
			fa.redis.setCut(false)

			recovery, took := waitForRecovery(t, fa.tradingApp, late, quiet, o.restoredAt)
			res = leaving.do(http.MethodPost, "/api/v1/auth/logout", nil)
			assert.Equal(t, http.StatusNoContent, res.status, "logout once Redis is back: %s", res.body)
			time.Sleep(500 * time.Millisecond)
			load.finish()

			shots := append(load.bids.all(), recovery)
			reads := load.readAnswers()
			assertNoInternalErrors(t, "a bid", answersOf(shots))
			assertNoInternalErrors(t, "a read", reads)
			createdDuring, downBids := 0, 0
			for _, s := range shots {
				if !o.during(s.answer) {
					continue
				}
				downBids++
				switch {
				case strategy == "redis":
					assert.Equal(t, "503 LOCK_UNAVAILABLE", answerKind(s.answer), "a bid during the outage: %s", s.body)
					assert.NotEmpty(t, s.retryAfter, "503 without Retry-After")
				case s.status == http.StatusCreated:
					createdDuring++
				default:
					assert.NotEqual(t, "503 SERVICE_UNAVAILABLE", answerKind(s.answer), "a bid under %s needs no Redis", strategy)
				}
			}
			for _, r := range reads {
				if o.during(r) {
					assert.Equal(t, http.StatusOK, r.status, "a public read during the outage: %s", answerKind(r))
				}
			}
			require.Positive(t, downBids, "no bid was sent during the outage")
			if strategy != "redis" {
				assert.Positive(t, createdDuring, "no bid accepted during the outage under %s", strategy)
			}

			accepted := acceptedBids(shots)
			counts := countAnswers(append(answersOf(shots), reads...))
			counts.lost = lostBids(t, fa.tradingApp, accepted)
			t.Logf("redis cut for %s under %s: %s; %d bids accepted during the outage; the last 503 came %s after the restore, a bid on a quiet auction was accepted %s after it",
				o.restoredAt.Sub(o.cutAt).Round(time.Millisecond), strategy, counts, createdDuring,
				unavailableAfter(o, append(answersOf(shots), reads...)).Round(time.Millisecond), took.Round(time.Millisecond))
			assert.Zero(t, counts.internal)
			checkInvariants(t, fa.dsn, accepted)
			assertNothingWritten(t, fa.dsn, withoutAcceptedKeys(refusedDuring(o, shots), accepted))
		})
	}
}

// TestMemberStreamThroughARedisOutage: a member stream cut off Redis is told
// to come back, a reconnect during the outage gets the notifications made
// meanwhile from Postgres and the hint again, and once Redis is back the
// stream is live again, as the auction stream is.
func TestMemberStreamThroughARedisOutage(t *testing.T) {
	t.Parallel()
	redisURL, proxy := behindProxy(t, redistest.URL())
	a := startApp(t, withEnv(map[string]string{
		"REDIS_URL":             redisURL,
		"AUCTION_LOCK_STRATEGY": "row",
		"LIVE_RETRY_HINT":       "1s",
	}))
	seller, _ := a.quickMember("moseller", 0)
	ann, _ := a.quickMember("moann", 100_000)
	bob, _ := a.quickMember("mobob", 100_000)
	auctionID := seller.listAuction("Fog", 1000, time.Now().Add(time.Hour), nil).Auction.ID
	amount := int64(1000)
	bidFor := func(c *client) {
		t.Helper()
		res := c.bid(auctionID, amount)
		require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
		amount += 100
	}

	stream := a.openMemberStream(t, ann.token, "", "")
	bidFor(ann)
	bidFor(bob)
	first := stream.expectNotification("outbid 1100 -")

	proxy.setCut(true)
	hint := stream.next()
	assert.Equal(t, "1000", hint.retry, "the stream is told when to come back: %+v", hint)
	stream.ended()

	bidFor(ann)
	bidFor(bob)
	during := a.openMemberStream(t, ann.token, "", itoa(first.ID))
	during.expectNotification("outbid 1300 -")
	assert.Equal(t, "1000", during.next().retry)
	during.ended()

	proxy.setCut(false)
	var back *eventStream
	require.Eventually(t, func() bool {
		s := a.openMemberStream(t, ann.token, "", "")
		select {
		case e, ok := <-s.events:
			if !ok || e.retry != "" {
				return false
			}
			back = s
			return true
		case <-time.After(300 * time.Millisecond):
			back = s
			return true
		}
	}, 15*time.Second, 200*time.Millisecond, "the member feed did not come back")
	bidFor(ann)
	bidFor(bob)
	back.expectNotification("outbid 1500 -")
	require.NoError(t, back.body.Close())
}
