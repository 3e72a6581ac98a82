package test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/mail/smtptest"
	"github.com/artauction/artauction/adapters/postgres/invariant"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/adapters/security"
)

// faultApp is an app whose database, Redis and SMTP server are each reached
// through a proxy a test can cut.
type faultApp struct {
	*tradingApp
	db, redis, smtp *cuttableProxy
}

// startFaultApp starts the app under strategy with env on top of the usual
// test settings. Checks behind its back (sqlDB, dsn) bypass the proxies.
func startFaultApp(t *testing.T, strategy string, env map[string]string) *faultApp {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	proxiedDSN, dbProxy := behindProxy(t, dsn)
	proxiedRedis, redisProxy := behindProxy(t, redistest.URL())
	mailServer := smtptest.Start(t)
	smtpProxy := startCuttableProxy(t, fmt.Sprintf("%s:%d", mailServer.Host(), mailServer.Port()))
	_, prefix := redistest.New(t)
	smtpHost, smtpPort := hostPort(t, smtpProxy.addr())
	vars := map[string]string{
		"AUCTION_LOCK_STRATEGY": strategy,
		"REDIS_URL":             proxiedRedis,
		"SMTP_HOST":             smtpHost,
		"SMTP_PORT":             smtpPort,
		// Every 503 logs a warning; only errors matter here.
		"LOG_LEVEL": "error",
	}
	for k, v := range env {
		vars[k] = v
	}
	a := launchApp(t, mailServer, proxiedDSN, prefix, t.TempDir(), withEnv(vars))
	tokens, err := security.NewJWTAccessTokens([]byte(a.vars["JWT_SECRET"]), 15*time.Minute)
	require.NoError(t, err)
	ta := &tradingApp{app: a, strategy: strategy, dsn: dsn, sqlDB: openTestDB(t, dsn), tokens: tokens}
	return &faultApp{tradingApp: ta, db: dbProxy, redis: redisProxy, smtp: smtpProxy}
}

// answerKind names an answer for the counts: "201", "503 SERVICE_UNAVAILABLE", "error".
func answerKind(a answer) string {
	if a.err != nil {
		return "error"
	}
	if a.code == "" {
		return fmt.Sprint(a.status)
	}
	return fmt.Sprintf("%d %s", a.status, a.code)
}

// faultLoad sends bids and public reads at an app from several goroutines
// while a test breaks a dependency, and records every answer.
type faultLoad struct {
	ta       *tradingApp
	auctions []int64
	stop     chan struct{}
	wg       sync.WaitGroup

	bids  shotLog
	mu    sync.Mutex
	reads []answer
}

// startFaultLoad starts one goroutine per bidder, each bidding its way up the
// auctions in turn, and readers goroutines reading the art list and auctions.
func startFaultLoad(ta *tradingApp, bidders []trader, auctions []int64, readers int) *faultLoad {
	l := &faultLoad{ta: ta, auctions: auctions, stop: make(chan struct{})}
	for i, b := range bidders {
		l.wg.Go(func() { l.bidder(i, b) })
	}
	for i := range readers {
		l.wg.Go(func() { l.reader(i) })
	}
	return l
}

func (l *faultLoad) stopped(pause time.Duration) bool {
	select {
	case <-l.stop:
		return true
	case <-time.After(pause):
		return false
	}
}

func (l *faultLoad) bidder(i int, tr trader) {
	next := map[int64]int64{}
	turn := i
	for !l.stopped(20 * time.Millisecond) {
		auctionID := l.auctions[turn%len(l.auctions)]
		if next[auctionID] == 0 {
			next[auctionID] = 1000
		}
		s := l.ta.shootBid(tr, auctionID, next[auctionID])
		l.bids.add(s)
		switch {
		case s.status == http.StatusCreated:
			next[auctionID] += 100
			turn++
		case s.code == "BID_TOO_LOW":
			next[auctionID] = s.minNextBid
		case s.status == http.StatusServiceUnavailable:
			// A client that honours Retry-After would wait longer; this one
			// keeps the pressure on, without spinning.
			l.stopped(50 * time.Millisecond)
		default:
			turn++
		}
	}
}

func (l *faultLoad) reader(i int) {
	for n := i; !l.stopped(30 * time.Millisecond); n++ {
		path := "/api/v1/arts?sort=ending_soon"
		if n%2 == 0 {
			path = "/api/v1/auctions/" + itoa(l.auctions[n%len(l.auctions)])
		}
		a := l.ta.send(http.MethodGet, path, "", nil)
		if a.status < http.StatusBadRequest {
			a.body = nil // a long soak would keep every page
		}
		l.mu.Lock()
		l.reads = append(l.reads, a)
		l.mu.Unlock()
	}
}

// finish stops the load and waits for the answers in flight.
func (l *faultLoad) finish() {
	close(l.stop)
	l.wg.Wait()
}

func (l *faultLoad) readAnswers() []answer {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.reads)
}

// outage is when a dependency was cut and restored.
type outage struct{ cutAt, restoredAt time.Time }

// during tells whether an answer was sent after the cut (with a margin for
// requests already past their dependency) and came back before the restore.
func (o outage) during(a answer) bool {
	return a.sentAt.After(o.cutAt.Add(100*time.Millisecond)) && a.doneAt.Before(o.restoredAt)
}

// faultCounts is the tally a fault test logs and docs/reliability.md reports.
type faultCounts struct {
	requests, created, unavailable, internal, lost int
	kinds                                          map[string]int
}

func countAnswers(answers []answer) faultCounts {
	c := faultCounts{kinds: map[string]int{}}
	for _, a := range answers {
		c.requests++
		c.kinds[answerKind(a)]++
		switch {
		case a.err != nil:
		case a.status == http.StatusCreated:
			c.created++
		case a.status == http.StatusServiceUnavailable:
			c.unavailable++
		case a.status >= http.StatusInternalServerError:
			c.internal++
		}
	}
	return c
}

func (c faultCounts) String() string {
	kinds := make([]string, 0, len(c.kinds))
	for k, n := range c.kinds {
		kinds = append(kinds, fmt.Sprintf("%s: %d", k, n))
	}
	slices.Sort(kinds)
	return fmt.Sprintf("requests %d, 201 %d, 503 %d, 500 %d, lost %d (%s)",
		c.requests, c.created, c.unavailable, c.internal, c.lost, strings.Join(kinds, ", "))
}

func answersOf(shots []bidShot) []answer {
	out := make([]answer, len(shots))
	for i, s := range shots {
		out[i] = s.answer
	}
	return out
}

// acceptedBids are the bids that got 201, with the ids their answers gave.
func acceptedBids(shots []bidShot) []bidKey {
	var out []bidKey
	for _, s := range shots {
		if s.err == nil && s.status == http.StatusCreated {
			out = append(out, s.bidKey)
		}
	}
	return out
}

// lostBids counts the accepted bids the database does not hold.
func lostBids(t *testing.T, ta *tradingApp, accepted []bidKey) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	missing, err := invariant.MissingBids(ctx, ta.sqlDB, invariantBids(accepted))
	require.NoError(t, err)
	for _, m := range missing {
		t.Errorf("a bid answered 201 is not in the database: %s", m)
	}
	return len(missing)
}

// assertNoInternalErrors fails on the first 5xx other than 503, or transport error, among answers.
func assertNoInternalErrors(t *testing.T, what string, answers []answer) {
	t.Helper()
	for _, a := range answers {
		if a.err != nil || (a.status >= http.StatusInternalServerError && a.status != http.StatusServiceUnavailable) {
			assert.Fail(t, what+" failed", "%s: %s", answerKind(a), a.body)
			return
		}
	}
}

// waitForRecovery bids on an auction no one else bids on until a bid is
// accepted, and returns it with how long after restored that was.
func waitForRecovery(t *testing.T, ta *tradingApp, tr trader, auctionID int64, restored time.Time) (bidShot, time.Duration) {
	t.Helper()
	var last bidShot
	amount := int64(1000)
	require.Eventually(t, func() bool {
		last = ta.shootBid(tr, auctionID, amount)
		if last.code == "BID_TOO_LOW" {
			amount = last.minNextBid
		}
		return last.err == nil && last.status == http.StatusCreated
	}, 20*time.Second, 100*time.Millisecond, "no bid accepted after the dependency came back; last answer %s", &last.answer)
	return last, time.Since(restored)
}

func hostPort(t *testing.T, addr string) (host, port string) {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	return host, port
}

// refusedDuring are the bids refused during the outage o, less those whose
// (auction, bidder, amount) a bid outside it also sent: one in flight at the
// cut may have committed and lost its answer, a 503 whose outcome is unknown
// (what an Idempotency-Key on the retry is for).
func refusedDuring(o outage, shots []bidShot) []bidKey {
	type key struct{ auction, bidder, amount int64 }
	outside := map[key]bool{}
	for _, s := range shots {
		if !o.during(s.answer) {
			outside[key{s.AuctionID, s.BidderID, s.Amount}] = true
		}
	}
	var out []bidKey
	for _, s := range shots {
		if o.during(s.answer) && s.status != http.StatusCreated && !outside[key{s.AuctionID, s.BidderID, s.Amount}] {
			out = append(out, s.bidKey)
		}
	}
	return out
}

// unavailableAfter is how long after the restore of o the last 503
// SERVICE_UNAVAILABLE or LOCK_UNAVAILABLE among answers came back: how long the
// service took to recover from the client's point of view (0 when at once).
func unavailableAfter(o outage, answers []answer) time.Duration {
	var last time.Duration
	for _, a := range answers {
		if a.err == nil && a.status == http.StatusServiceUnavailable {
			last = max(last, a.doneAt.Sub(o.restoredAt))
		}
	}
	return last
}
