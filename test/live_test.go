package test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sseEvent is one dispatched server-sent event, or a comment line.
type sseEvent struct {
	id, kind, data string
	comment        bool
	retry          string
	receivedAt     time.Time
}

// liveData is the union of the bid, extended and closed payloads.
type liveData struct {
	AuctionID int64 `json:"auction_id"`
	Amount    int64 `json:"amount"`
	Bidder    *struct {
		ID       int64  `json:"id"`
		Nickname string `json:"nickname"`
	} `json:"bidder"`
	BidCount int64     `json:"bid_count"`
	EndAt    time.Time `json:"end_at"`
	Status   string    `json:"status"`
	Winner   *struct {
		ID       int64  `json:"id"`
		Nickname string `json:"nickname"`
	} `json:"winner"`
}

func (e sseEvent) payload(t *testing.T) liveData {
	t.Helper()
	var d liveData
	require.NoError(t, json.Unmarshal([]byte(e.data), &d), "data: %s", e.data)
	return d
}

// eventStream reads one open stream in the background.
type eventStream struct {
	t      *testing.T
	events chan sseEvent
	body   io.ReadCloser
}

// streamClient keeps hundreds of streams open to one instance.
var streamClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1000}}

// openStream GETs an auction's events, checks the status and headers against
// the OpenAPI document and reads events as they come.
func (a *app) openStream(t *testing.T, auctionID int64, lastEventID string) *eventStream {
	t.Helper()
	res := a.requestStream(t, auctionID, lastEventID)
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	return readStream(t, res.Body)
}

// requestStream sends the request and checks the answer's head against the document.
func (a *app) requestStream(t *testing.T, auctionID int64, lastEventID string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, a.base+"/api/v1/auctions/"+itoa(auctionID)+"/events", nil)
	require.NoError(t, err)
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

func readStream(t *testing.T, body io.ReadCloser) *eventStream {
	t.Helper()
	s := &eventStream{t: t, events: make(chan sseEvent, 4096), body: body}
	t.Cleanup(func() { body.Close() })
	go func() {
		defer close(s.events)
		r := bufio.NewReader(body)
		var e sseEvent
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch {
			case line == "":
				e.receivedAt = time.Now()
				s.events <- e
				e = sseEvent{}
			case field == "":
				e.comment = true
			case field == "id":
				e.id = value
			case field == "event":
				e.kind = value
			case field == "data":
				e.data += value
			case field == "retry":
				e.retry = value
			}
		}
	}()
	return s
}

// next returns the next event that is not a heartbeat.
func (s *eventStream) next() sseEvent {
	s.t.Helper()
	for {
		select {
		case e, ok := <-s.events:
			require.True(s.t, ok, "the stream ended early")
			if e.comment && e.kind == "" && e.data == "" {
				continue
			}
			return e
		case <-time.After(15 * time.Second):
			s.t.Fatal("no event within 15s")
		}
	}
}

// ended waits for the server to close the stream.
func (s *eventStream) ended() {
	s.t.Helper()
	for {
		select {
		case e, ok := <-s.events:
			if !ok {
				return
			}
			require.True(s.t, e.comment, "nothing but heartbeats after the last event, got %+v", e)
		case <-time.After(10 * time.Second):
			s.t.Fatal("the stream did not end")
		}
	}
}

// expectBid checks the next event is bid number count of amount by nickname.
func (s *eventStream) expectBid(count, amount int64, nickname string) liveData {
	s.t.Helper()
	e := s.next()
	require.Equal(s.t, "bid", e.kind, "%+v", e)
	require.Equal(s.t, itoa(count), e.id)
	d := e.payload(s.t)
	require.Equal(s.t, count, d.BidCount)
	require.Equal(s.t, amount, d.Amount)
	require.NotNil(s.t, d.Bidder)
	require.Equal(s.t, nickname, d.Bidder.Nickname)
	return d
}

func (s *eventStream) expectClosed(status, winner string, amount int64) {
	s.t.Helper()
	e := s.next()
	require.Equal(s.t, "closed", e.kind, "%+v", e)
	require.Empty(s.t, e.id, "a close carries no id")
	d := e.payload(s.t)
	require.Equal(s.t, status, d.Status)
	require.NotNil(s.t, d.Winner)
	require.Equal(s.t, winner, d.Winner.Nickname)
	require.Equal(s.t, amount, d.Amount)
	s.ended()
}

// as is the same member on another instance.
func (c *client) as(other *app) *client {
	o := other.newClient()
	o.token = c.token
	return o
}

func TestLiveEventsReachWatchersOnAnotherInstance(t *testing.T) {
	t.Parallel()
	env := withEnv(map[string]string{"AUCTION_EXTEND_WINDOW": "3s", "AUCTION_CLOSE_INTERVAL": "200ms"})
	a := startApp(t, env)
	b := startAppBeside(t, a, env)
	seller, _ := a.member("live-seller@example.com", "liveseller", 0)
	annOnA, _ := a.member("live-ann@example.com", "liveann", 100_000)
	bobOnA, _ := a.member("live-bob@example.com", "livebob", 100_000)
	ann, bob := annOnA.as(b), bobOnA.as(b)
	end := time.Now().Add(7 * time.Second)
	auctionID := seller.listAuction("Harbour", 1000, end, nil).Auction.ID

	watcher := a.openStream(t, auctionID, "")
	leaver := a.openStream(t, auctionID, "")
	require.Equal(t, http.StatusCreated, ann.bid(auctionID, 1000).status)
	watcher.expectBid(1, 1000, "liveann")
	leaver.expectBid(1, 1000, "liveann")
	require.NoError(t, leaver.body.Close())

	require.Equal(t, http.StatusCreated, bob.bid(auctionID, 1100).status)
	require.Equal(t, http.StatusCreated, ann.bid(auctionID, 1200).status)
	// The one that left comes back: the two bids it missed, exactly once, then live.
	back := a.openStream(t, auctionID, "1")
	for _, s := range []*eventStream{watcher, back} {
		s.expectBid(2, 1100, "livebob")
		before := s.expectBid(3, 1200, "liveann")
		assert.WithinDuration(t, end.Truncate(time.Second), before.EndAt, 0, "no extension yet")
	}

	// A bid in the last 3 seconds moves the end to 3 seconds after it.
	time.Sleep(time.Until(end.Truncate(time.Second).Add(-2 * time.Second)))
	require.Equal(t, http.StatusCreated, bob.bid(auctionID, 1300).status)
	for _, s := range []*eventStream{watcher, back} {
		last := s.expectBid(4, 1300, "livebob")
		extended := s.next()
		require.Equal(t, "extended", extended.kind)
		require.Empty(t, extended.id)
		assert.WithinDuration(t, last.EndAt, extended.payload(t).EndAt, 0)
		assert.True(t, extended.payload(t).EndAt.After(end.Truncate(time.Second)), "the end moved")
		s.expectClosed("closed", "livebob", 1300)
	}

	// After the close: the replay after Last-Event-ID, then the close, on either instance.
	late := b.openStream(t, auctionID, "2")
	late.expectBid(3, 1200, "liveann")
	late.expectBid(4, 1300, "livebob")
	late.expectClosed("closed", "livebob", 1300)
	a.openStream(t, auctionID, "").expectClosed("closed", "livebob", 1300)
}

func TestLiveStreamLimitsHeartbeatsAndPage(t *testing.T) {
	t.Parallel()
	a := startApp(t, withEnv(map[string]string{"LIVE_MAX_WATCHERS_PER_IP": "1", "LIVE_HEARTBEAT": "100ms"}))
	seller, _ := a.member("limits-seller@example.com", "limitseller", 0)
	buyer, _ := a.member("limits-buyer@example.com", "limitbuyer", 100_000)
	auctionID := seller.listAuction("Quiet", 1000, time.Now().Add(time.Hour), map[string][]string{"buy_now_price": {"5000"}}).Auction.ID

	unknown := a.requestStream(t, 404_404, "")
	assert.Equal(t, http.StatusNotFound, unknown.StatusCode)
	assert.Equal(t, "application/problem+json", unknown.Header.Get("Content-Type"))

	first := a.openStream(t, auctionID, "")
	refused := a.requestStream(t, auctionID, "")
	assert.Equal(t, http.StatusTooManyRequests, refused.StatusCode)
	assert.Equal(t, "5", refused.Header.Get("Retry-After"))

	select {
	case e := <-first.events:
		assert.True(t, e.comment, "a quiet stream sends heartbeat comments")
	case <-time.After(5 * time.Second):
		t.Fatal("no heartbeat")
	}
	res := buyer.do(http.MethodPost, "/api/v1/auctions/"+itoa(auctionID)+"/buy-now", nil)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	first.expectClosed("bought_out", "limitbuyer", 5000)

	// The slot is free again once the stream ended.
	require.Eventually(t, func() bool {
		res := a.requestStream(t, auctionID, "")
		defer res.Body.Close()
		return res.StatusCode == http.StatusOK
	}, 5*time.Second, 50*time.Millisecond)

	page := a.newClient().do(http.MethodGet, "/auctions/"+itoa(auctionID)+"/live", nil)
	require.Equal(t, http.StatusOK, page.status)
	assert.Contains(t, string(page.body), "EventSource")
}

// TestLiveWatchersUnderLoad puts 500 watchers on one instance while 20 members
// bid: every watcher gets every bid, in order. It logs bid latency with and
// without the watchers and the delivery lag from each bid's commit to its
// arrival at a watcher.
func TestLiveWatchersUnderLoad(t *testing.T) {
	t.Parallel()
	const watchers, bidders, rounds = 500, 20, 6
	ta := startTradingApp(t, "row", map[string]string{
		"LIVE_MAX_WATCHERS_PER_IP": "1000", "LIVE_CLIENT_BUFFER": "1024", "LOG_LEVEL": "error",
	})
	seller := ta.traders(t, 1, 0)[0]
	members := ta.traders(t, bidders, 1_000_000)

	quiet := ta.listAuction(t, seller, "Without watchers", 1000, time.Now().Add(time.Hour), nil)
	_, withoutWatchers := ta.bidStorm(t, quiet, members, rounds)

	watched := ta.listAuction(t, seller, "With watchers", 1000, time.Now().Add(time.Hour), nil)
	streams := make([]*eventStream, watchers)
	for i := range streams {
		streams[i] = ta.openStream(t, watched, "")
	}
	accepted, withWatchers := ta.bidStorm(t, watched, members, rounds)
	require.Positive(t, accepted)
	t.Logf("bid latency over %d attempts: p50 %s p99 %s without watchers; p50 %s p99 %s with %d watchers",
		len(withoutWatchers), percentile(withoutWatchers, 50), percentile(withoutWatchers, 99),
		percentile(withWatchers, 50), percentile(withWatchers, 99), watchers)

	committed := bidTimes(t, ta, watched)
	require.Len(t, committed, accepted)
	var lags []time.Duration
	for i, s := range streams {
		for n := int64(1); n <= int64(accepted); n++ {
			e := s.next()
			require.Equal(t, "bid", e.kind, "watcher %d", i)
			require.Equal(t, itoa(n), e.id, "watcher %d gets bid %d next", i, n)
			lags = append(lags, e.receivedAt.Sub(committed[n-1]))
		}
	}
	slices.Sort(lags)
	t.Logf("delivery lag from commit to a watcher's read, %d deliveries of %d bids to %d watchers: p50 %s p99 %s max %s",
		len(lags), accepted, watchers, percentile(lags, 50), percentile(lags, 99), lags[len(lags)-1])
}

// bidStorm has every member bid rounds times, each a little above the last
// amount anyone sent; it returns the accepted count and every attempt's latency.
func (ta *tradingApp) bidStorm(t *testing.T, auctionID int64, members []trader, rounds int) (int, []time.Duration) {
	t.Helper()
	var amount atomic.Int64
	amount.Store(1000)
	var accepted atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	var wg sync.WaitGroup
	for _, m := range members {
		wg.Go(func() {
			for range rounds {
				r := ta.send(http.MethodPost, "/api/v1/auctions/"+itoa(auctionID)+"/bids", m.token,
					map[string]int64{"amount": amount.Add(10)})
				if r.status == http.StatusCreated {
					accepted.Add(1)
				}
				mu.Lock()
				latencies = append(latencies, r.latency())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(latencies)
	return int(accepted.Load()), latencies
}

// bidTimes reads when each bid of an auction was accepted, in bid-count order.
func bidTimes(t *testing.T, ta *tradingApp, auctionID int64) []time.Time {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := ta.sqlDB.QueryContext(ctx, `SELECT created_at FROM bids WHERE auction_id = $1 ORDER BY id`, auctionID)
	require.NoError(t, err)
	defer rows.Close()
	var times []time.Time
	for rows.Next() {
		var at time.Time
		require.NoError(t, rows.Scan(&at))
		times = append(times, at)
	}
	require.NoError(t, rows.Err())
	return times
}
