package test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIdempotentBidIsPlacedOnceAndReplayed(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	seller, _ := a.member("idem-seller@example.com", "idemseller", 0)
	bidder, _ := a.member("idem-bidder@example.com", "idembidder", 100000)
	lot := seller.listAuction("Retried bid", 10000, time.Now().Add(time.Hour), nil)
	path := "/api/v1/auctions/" + itoa(lot.Auction.ID) + "/bids"
	watch := a.openStream(t, lot.Auction.ID, "")

	first := bidder.do(http.MethodPost, path, map[string]int64{"amount": 12000}, "Idempotency-Key", "bid-7f3a")
	require.Equal(t, http.StatusCreated, first.status, "%s", first.body)
	assert.Empty(t, first.header.Get("Idempotent-Replayed"))
	// Another encoding of the same request: keys reordered, spaces added.
	retry := bidder.do(http.MethodPost, path, []byte(`{ "amount" : 12000 }`),
		"Content-Type", "application/json", "Idempotency-Key", "bid-7f3a")
	require.Equal(t, http.StatusCreated, retry.status, "%s", retry.body)
	assert.Equal(t, "true", retry.header.Get("Idempotent-Replayed"))
	assert.JSONEq(t, string(first.body), string(retry.body), "the retry gets the original answer")

	total, available := bidder.points()
	assert.Equal(t, [2]int64{100000, 88000}, [2]int64{total, available}, "the amount is held once")
	assert.Equal(t, int64(1), bidder.auction(lot.Auction.ID).BidCount)
	watch.expectBid(1, 12000, "idembidder")

	reused := bidder.do(http.MethodPost, path, map[string]int64{"amount": 13000}, "Idempotency-Key", "bid-7f3a")
	assert.Equal(t, http.StatusUnprocessableEntity, reused.status)
	assert.Equal(t, "IDEMPOTENCY_KEY_REUSED", reused.problemCode(t))

	// The key is the member's own: another member's same key is another request.
	rival, _ := a.member("idem-rival@example.com", "idemrival", 100000)
	rivalBid := rival.do(http.MethodPost, path, map[string]int64{"amount": 13000}, "Idempotency-Key", "bid-7f3a")
	require.Equal(t, http.StatusCreated, rivalBid.status, "%s", rivalBid.body)
	assert.Empty(t, rivalBid.header.Get("Idempotent-Replayed"))
	watch.expectBid(2, 13000, "idemrival")
}

func TestIdempotentFailuresAreNotRecorded(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	member, _ := a.member("idem-refund@example.com", "idemrefund", 0)

	refund := func() response {
		return member.do(http.MethodPost, "/api/v1/me/points/refunds", map[string]int64{"amount": 5000},
			"Idempotency-Key", "refund-1")
	}
	short := refund()
	assert.Equal(t, http.StatusConflict, short.status)
	assert.Equal(t, "INSUFFICIENT_POINTS", short.problemCode(t))

	charge := member.do(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": 8000},
		"Idempotency-Key", "charge-1")
	require.Equal(t, http.StatusCreated, charge.status, "%s", charge.body)

	// The failed refund changed nothing, so its retry runs again, and succeeds now.
	again := refund()
	require.Equal(t, http.StatusCreated, again.status, "%s", again.body)
	assert.Empty(t, again.header.Get("Idempotent-Replayed"))
	total, available := member.points()
	assert.Equal(t, [2]int64{3000, 3000}, [2]int64{total, available})
}

func TestIdempotentConcurrentRetriesActOnce(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	member, _ := a.member("idem-race@example.com", "idemrace", 0)

	const retries = 12
	answers := make([]response, retries)
	var wg sync.WaitGroup
	for i := range retries {
		wg.Go(func() {
			answers[i] = member.do(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": 1000},
				"Idempotency-Key", "charge-race")
		})
	}
	wg.Wait()

	var fresh, replayed, inProgress int
	for _, res := range answers {
		switch {
		case res.status == http.StatusCreated && res.header.Get("Idempotent-Replayed") == "true":
			replayed++
		case res.status == http.StatusCreated:
			fresh++
		case res.status == http.StatusConflict && res.problemCode(t) == "IDEMPOTENCY_IN_PROGRESS":
			inProgress++
			assert.NotEmpty(t, res.header.Get("Retry-After"), "a client is told when to retry")
		default:
			t.Errorf("unexpected answer %d %s", res.status, res.body)
		}
	}
	assert.Equal(t, 1, fresh, "one request acted; %d replayed, %d in progress", replayed, inProgress)
	total, _ := member.points()
	assert.Equal(t, int64(1000), total, "charged once")
}

func TestIdempotentArtCreationReplaysWhateverTheMultipartBoundary(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	artist, _ := a.member("idem-artist@example.com", "idemartist", 0)
	image := pngImage(t, 40, 30)
	upload := func(name string) response {
		// A new form each time: a new boundary and another field order.
		body, contentType := artForm(t, generalFields(name, 5000, "retry"), "work.png", image)
		return artist.do(http.MethodPost, "/api/v1/arts", body, "Content-Type", contentType, "Idempotency-Key", "art-1")
	}

	first := upload("Retried work")
	require.Equal(t, http.StatusCreated, first.status, "%s", first.body)
	retry := upload("Retried work")
	require.Equal(t, http.StatusCreated, retry.status, "%s", retry.body)
	assert.Equal(t, "true", retry.header.Get("Idempotent-Replayed"))
	assert.Equal(t, first.header.Get("Location"), retry.header.Get("Location"))
	assert.JSONEq(t, string(first.body), string(retry.body))

	mine := artist.do(http.MethodGet, "/api/v1/me/arts", nil)
	require.Equal(t, http.StatusOK, mine.status)
	var page struct {
		TotalItems int `json:"total_items"`
	}
	mine.decode(t, &page)
	assert.Equal(t, 1, page.TotalItems, "one art was created")

	other := upload("Another work")
	assert.Equal(t, http.StatusUnprocessableEntity, other.status)
	assert.Equal(t, "IDEMPOTENCY_KEY_REUSED", other.problemCode(t))
}

func TestIdempotencyKeyMustBeValid(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	member, _ := a.member("idem-keys@example.com", "idemkeys", 0)
	for name, key := range map[string]string{
		"empty":     "",
		"too long":  strings.Repeat("k", 256),
		"not ASCII": "clé",
	} {
		t.Run(name, func(t *testing.T) {
			res := member.do(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": 1000},
				"Idempotency-Key", key)
			assert.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
			assert.Equal(t, "VALIDATION_FAILED", res.problemCode(t))
		})
	}
	longest := member.do(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": 1000},
		"Idempotency-Key", strings.Repeat("k", 255))
	assert.Equal(t, http.StatusCreated, longest.status, "%s", longest.body)
	total, _ := member.points()
	assert.Equal(t, int64(1000), total, "only the valid request charged")
}

// idempotentRetries has 30 bidders bid rising amounts on one auction, each
// bid sent twice at once with one Idempotency-Key, as by a client whose first
// try seemed lost: no bid may act twice, and the invariants must hold.
func (ta *tradingApp) idempotentRetries(t *testing.T, seller trader) {
	bidders := ta.traders(t, 30, 100000)
	auctionID := ta.listAuction(t, seller, "Retried bids", 10000, time.Now().Add(time.Hour), nil)
	shots := make([]bidShot, 2*len(bidders))
	race(t, len(shots), 45*time.Second, func(i int) {
		b := bidders[i/2]
		shots[i] = ta.shootBid(b, auctionID, 10000+int64(i/2)*100, "Idempotency-Key", "retried-bid-"+itoa(b.id))
	})

	ta.checkShots(t, shots, "422 BID_TOO_LOW", "409 ALREADY_HIGHEST_BIDDER", "409 IDEMPOTENCY_IN_PROGRESS")
	var accepted, rejected []bidKey
	for pair := range bidders {
		first, second := shots[2*pair], shots[2*pair+1]
		switch {
		case first.status == http.StatusCreated && second.status == http.StatusCreated:
			require.Equal(t, first.BidID, second.BidID, "both tries of %s acted", first.bidKey)
			accepted = append(accepted, first.bidKey)
		case first.status == http.StatusCreated:
			accepted = append(accepted, first.bidKey)
		case second.status == http.StatusCreated:
			accepted = append(accepted, second.bidKey)
		default:
			rejected = append(rejected, first.bidKey)
		}
	}
	require.NotEmpty(t, accepted)
	st := ta.auctionState(t, auctionID)
	assert.Equal(t, int64(len(accepted)), st.bidCount, "one stored bid per accepted key")
	assertNothingWritten(t, ta.dsn, rejected)
	checkInvariants(t, ta.dsn, accepted)
}
