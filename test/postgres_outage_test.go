package test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBiddingThroughAPostgresOutage cuts the service off its database under
// bids and reads: while it is away every request that needs it answers 503
// SERVICE_UNAVAILABLE with Retry-After, never 500; once it is back the
// service recovers by itself, every bid that got 201 is stored, the bids
// refused during the outage left nothing, and the invariants hold.
func TestBiddingThroughAPostgresOutage(t *testing.T) {
	t.Parallel()
	fa := startFaultApp(t, "row", nil)
	seller := fa.traders(t, 1, 0)[0]
	people := fa.traders(t, 5, 1_000_000)
	bidders, late := people[:4], people[4]
	var auctions []int64
	for _, name := range []string{"Tide", "Ebb", "Flood"} {
		auctions = append(auctions, fa.listAuction(t, seller, name, 1000, time.Now().Add(time.Hour), nil))
	}
	// Out of the load: a bid there tells recovery from losing a race.
	quiet := fa.listAuction(t, seller, "Slack water", 1000, time.Now().Add(time.Hour), nil)
	probe := fa.client(t, bidders[0])

	load := startFaultLoad(fa.tradingApp, bidders, auctions, 2)
	time.Sleep(time.Second)
	o := outage{cutAt: time.Now()}
	fa.db.setCut(true)
	time.Sleep(300 * time.Millisecond)
	// Checked against the OpenAPI document: a documented 503 problem.
	res := probe.bid(auctions[0], 1_000_000)
	assert.Equal(t, http.StatusServiceUnavailable, res.status, "a bid without the database: %s", res.body)
	assert.Equal(t, "SERVICE_UNAVAILABLE", res.problemCode(t))
	assert.NotEmpty(t, res.header.Get("Retry-After"))
	res = fa.newClient().do(http.MethodGet, "/api/v1/auctions/"+itoa(auctions[0]), nil)
	assert.Equal(t, http.StatusServiceUnavailable, res.status, "a read without the database: %s", res.body)
	assert.Equal(t, http.StatusServiceUnavailable, fa.newClient().do(http.MethodGet, "/readyz", nil).status)
	time.Sleep(2 * time.Second)
	o.restoredAt = time.Now()
	fa.db.setCut(false)

	recovery, took := waitForRecovery(t, fa.tradingApp, late, quiet, o.restoredAt)
	time.Sleep(time.Second) // the load runs on after the recovery
	load.finish()

	shots := append(load.bids.all(), recovery)
	reads := load.readAnswers()
	assertNoInternalErrors(t, "a bid", answersOf(shots))
	assertNoInternalErrors(t, "a read", reads)
	downBids, downReads := 0, 0
	for _, s := range shots {
		if !o.during(s.answer) {
			continue
		}
		downBids++
		assert.Equal(t, "503 SERVICE_UNAVAILABLE", answerKind(s.answer), "a bid during the outage: %s", s.body)
		assert.NotEmpty(t, s.retryAfter, "503 without Retry-After")
	}
	for _, r := range reads {
		if o.during(r) {
			downReads++
			assert.Equal(t, "503 SERVICE_UNAVAILABLE", answerKind(r), "a read during the outage")
		}
	}
	require.Positive(t, downBids, "no bid was sent during the outage")
	require.Positive(t, downReads, "no read was sent during the outage")

	accepted := acceptedBids(shots)
	counts := countAnswers(append(answersOf(shots), reads...))
	counts.lost = lostBids(t, fa.tradingApp, accepted)
	t.Logf("postgres cut for %s: %s; the last 503 came %s after the restore, a bid on a quiet auction was accepted %s after it",
		o.restoredAt.Sub(o.cutAt).Round(time.Millisecond), counts,
		unavailableAfter(o, append(answersOf(shots), reads...)).Round(time.Millisecond), took.Round(time.Millisecond))
	assert.Zero(t, counts.internal)
	checkInvariants(t, fa.dsn, accepted)
	assertNothingWritten(t, fa.dsn, withoutAcceptedKeys(refusedDuring(o, shots), accepted))
}

// withoutAcceptedKeys drops the bids whose (auction, bidder, amount) an
// accepted bid shares: only the others can be checked for leaving nothing.
func withoutAcceptedKeys(rejected, accepted []bidKey) []bidKey {
	type key struct{ auction, bidder, amount int64 }
	taken := map[key]bool{}
	for _, a := range accepted {
		taken[key{a.AuctionID, a.BidderID, a.Amount}] = true
	}
	var out []bidKey
	for _, r := range rejected {
		if !taken[key{r.AuctionID, r.BidderID, r.Amount}] {
			out = append(out, r)
		}
	}
	return out
}
