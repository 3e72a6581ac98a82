package test

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/redis/redistest"
)

// cuttableProxy forwards TCP connections to a target until it is cut: then it
// drops every open connection and refuses new ones until it is restored, as a
// Redis that went away would look to the service.
type cuttableProxy struct {
	t        *testing.T
	listener net.Listener
	target   string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

func startCuttableProxy(t *testing.T, target string) *cuttableProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &cuttableProxy{t: t, listener: ln, target: target, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() {
		_ = ln.Close()
		p.dropAll()
	})
	go p.serve()
	return p
}

func (p *cuttableProxy) addr() string { return p.listener.Addr().String() }

func (p *cuttableProxy) serve() {
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		go p.forward(client)
	}
}

func (p *cuttableProxy) forward(client net.Conn) {
	p.mu.Lock()
	down := p.cut
	p.mu.Unlock()
	if down {
		_ = client.Close()
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(client, server) {
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	p.untrack(client, server)
}

// track registers a forwarded pair, unless the proxy was cut meanwhile.
func (p *cuttableProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *cuttableProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

func (p *cuttableProxy) setCut(cut bool) {
	p.mu.Lock()
	p.cut = cut
	p.mu.Unlock()
	if cut {
		p.dropAll()
	}
}

func (p *cuttableProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

// TestBiddingAndWatchingThroughARedisOutage cuts the service off Redis under a
// database lock strategy: bids still get 201 (access tokens are checked
// against the sessions in Postgres), public reads work, watchers are told to
// reconnect and get the bids they missed from Postgres, and once Redis is back
// the live feed resubscribes by itself.
func TestBiddingAndWatchingThroughARedisOutage(t *testing.T) {
	t.Parallel()
	redisURL, err := url.Parse(redistest.URL())
	require.NoError(t, err)
	proxy := startCuttableProxy(t, redisURL.Host)
	redisURL.Host = proxy.addr()
	a := startApp(t, withEnv(map[string]string{
		"REDIS_URL":             redisURL.String(),
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
