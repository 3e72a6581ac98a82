package test

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/artauction/artauction/bootstrap"
)

// rawGet sends a request outside the OpenAPI checks, for answers the document
// does not describe (431, preflights, the admin listener).
func rawGet(t *testing.T, method, url string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, string(body)
}

// The timeouts come from the environment: a live stream outlives a short
// write timeout, and a client sending its headers slowly is cut off.
func TestListenerTimeoutsFromTheEnvironment(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	seller, _ := a.member("timeout-seller@example.com", "timeoutseller", 0)
	bidder, _ := a.member("timeout-bidder@example.com", "timeoutbidder", 100_000)
	auctionID := seller.listAuction("Patience", 1000, time.Now().Add(time.Hour), nil).Auction.ID
	// The second instance only serves the stream and the slow client.
	short := startAppBeside(t, a, withEnv(map[string]string{
		"HTTP_READ_HEADER_TIMEOUT": "1s", "HTTP_READ_TIMEOUT": "1s", "HTTP_WRITE_TIMEOUT": "1s",
		"LIVE_HEARTBEAT": "200ms",
	}))

	stream := short.openStream(t, auctionID, "")
	opened := time.Now()
	heartbeatsAfter := 0
	for time.Since(opened) < 3*time.Second {
		e, ok := <-stream.events
		require.True(t, ok, "the stream ended after %s", time.Since(opened))
		if e.comment && e.receivedAt.Sub(opened) > 1500*time.Millisecond {
			heartbeatsAfter++
		}
	}
	assert.Positive(t, heartbeatsAfter, "heartbeats keep coming after the 1s write timeout")
	res := bidder.bid(auctionID, 1000)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	stream.expectBid(1, 1000, "timeoutbidder")

	conn, err := net.Dial("tcp", strings.TrimPrefix(short.base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	closed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, conn)
		close(closed)
	}()
	_, err = conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: "))
	require.NoError(t, err)
	// A byte every 100ms for 30s: far longer than the 1s header timeout.
	for range 300 {
		select {
		case <-closed:
			return
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := conn.Write([]byte("a")); err != nil {
			return
		}
	}
	t.Fatal("the service kept reading headers sent a byte every 100ms for 30s")
}

func TestOversizedHeadersGet431(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	res, _ := rawGet(t, http.MethodGet, a.base+"/healthz", "X-Big", strings.Repeat("a", 80<<10))
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, res.StatusCode)
}

// Every kind of answer carries the security headers: JSON, problems, pages,
// images and event streams; pages have their own strict policy.
func TestSecurityHeadersOnEveryKindOfAnswer(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	seller, _ := a.member("headers-seller@example.com", "headersseller", 0)
	art := seller.listAuction("Headers", 1000, time.Now().Add(time.Hour), nil)
	c := a.newClient()

	answers := map[string]http.Header{}
	for _, path := range []string{"/healthz", "/docs", "/auctions/" + itoa(art.Auction.ID) + "/live",
		"/api/v1/arts/" + itoa(art.ID) + "/image", "/api/v1/no-such-thing", "/api/v1/me", "/api/v1/arts/999999"} {
		res := c.do(http.MethodGet, path, nil)
		answers[path] = res.header
	}
	stream := a.requestStream(t, art.Auction.ID, "")
	require.Equal(t, http.StatusOK, stream.StatusCode)
	stream.Body.Close()
	answers["events"] = stream.Header

	for what, h := range answers {
		assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"), what)
		assert.Equal(t, "no-referrer", h.Get("Referrer-Policy"), what)
		assert.Equal(t, "DENY", h.Get("X-Frame-Options"), what)
		assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'", what)
		assert.Empty(t, h.Get("Strict-Transport-Security"), "%s: no HSTS outside production", what)
	}
	for _, page := range []string{"/docs", "/auctions/" + itoa(art.Auction.ID) + "/live"} {
		policy := answers[page].Get("Content-Security-Policy")
		assert.Contains(t, policy, "style-src 'sha256-", page)
		assert.NotContains(t, policy, "unsafe", page)
	}
	assert.Contains(t, answers["/auctions/"+itoa(art.Auction.ID)+"/live"].Get("Content-Security-Policy"), "script-src 'sha256-")
}

func TestHSTSOnlyInProduction(t *testing.T) {
	t.Parallel()
	prod := startApp(t, withEnv(map[string]string{"APP_ENV": "prod"}))
	res, _ := rawGet(t, http.MethodGet, prod.base+"/healthz", "X-Forwarded-Proto", "https")
	assert.Equal(t, "max-age=31536000", res.Header.Get("Strict-Transport-Security"))

	staging := startAppBeside(t, prod, withEnv(map[string]string{"APP_ENV": "staging"}))
	res, _ = rawGet(t, http.MethodGet, staging.base+"/healthz", "X-Forwarded-Proto", "https")
	assert.Empty(t, res.Header.Get("Strict-Transport-Security"))
}

func TestCrossOriginAllowlistFromTheEnvironment(t *testing.T) {
	t.Parallel()
	const allowed = "https://app.example.com"
	a := startApp(t, withEnv(map[string]string{"CORS_ALLOWED_ORIGINS": allowed + ",http://localhost:5173"}))
	seller, _ := a.member("cors-seller@example.com", "corsseller", 0)
	auctionID := seller.listAuction("Far away", 1000, time.Now().Add(time.Hour), nil).Auction.ID

	preflight, _ := rawGet(t, http.MethodOptions, a.base+"/api/v1/auctions/"+itoa(auctionID)+"/bids",
		"Origin", allowed, "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
	assert.Equal(t, http.StatusNoContent, preflight.StatusCode)
	assert.Equal(t, allowed, preflight.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, preflight.Header.Get("Access-Control-Allow-Headers"), "Idempotency-Key")

	// A cross-origin bid: its answer and the Location of a listing are readable.
	c := a.newClient()
	res := seller.do(http.MethodGet, "/api/v1/auctions/"+itoa(auctionID), nil, "Origin", allowed)
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, allowed, res.header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, res.header.Get("Access-Control-Expose-Headers"), "Retry-After")
	assert.Empty(t, res.header.Get("Access-Control-Allow-Credentials"))

	for _, origin := range []string{"https://evil.example.net", "http://app.example.com"} {
		res = c.do(http.MethodGet, "/api/v1/auctions/"+itoa(auctionID), nil, "Origin", origin)
		require.Equal(t, http.StatusOK, res.status, "the request is served; the browser withholds the answer")
		preflight, _ = rawGet(t, http.MethodOptions, a.base+"/api/v1/auctions/"+itoa(auctionID)+"/bids",
			"Origin", origin, "Access-Control-Request-Method", "POST")
		for _, h := range []http.Header{res.header, preflight.Header} {
			for name := range h {
				assert.False(t, strings.HasPrefix(name, "Access-Control-"), "%s got %s", origin, name)
			}
		}
	}
}

// pprof and the runtime metrics are on the admin listener only; the public
// /metrics keeps the service's own.
func TestAdminListener(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.newClient()
	res := c.do(http.MethodGet, "/api/v1/openapi.yaml", nil)
	require.Equal(t, http.StatusOK, res.status)

	admin, index := rawGet(t, http.MethodGet, a.admin+"/debug/pprof/")
	require.Equal(t, http.StatusOK, admin.StatusCode)
	assert.Contains(t, index, "goroutine")
	admin, heap := rawGet(t, http.MethodGet, a.admin+"/debug/pprof/heap?debug=1")
	require.Equal(t, http.StatusOK, admin.StatusCode)
	assert.Contains(t, heap, "heap profile")

	admin, metrics := rawGet(t, http.MethodGet, a.admin+"/metrics")
	require.Equal(t, http.StatusOK, admin.StatusCode)
	for _, name := range []string{"go_goroutines ", "go_memstats_heap_alloc_bytes ", "go_sched_gomaxprocs_threads ",
		"process_resident_memory_bytes ", "process_open_fds ",
		`go_sql_open_connections{db_name="artauction"} `, `go_sql_max_open_connections{db_name="artauction"} 10`,
		`go_sql_wait_count_total{db_name="artauction"} `,
		`http_request_duration_seconds_count{method="GET",route="/api/v1/openapi.yaml",status="200"} 1`,
		"mail_outbox_backlog "} {
		assert.Contains(t, metrics, name)
	}

	res = c.do(http.MethodGet, "/debug/pprof/", nil)
	assert.Equal(t, http.StatusNotFound, res.status)
	res = c.do(http.MethodGet, "/debug/pprof/heap", nil)
	assert.Equal(t, http.StatusNotFound, res.status)
	res = c.do(http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, string(res.body), "mail_outbox_backlog ")
	for _, runtimeMetric := range []string{"go_goroutines", "go_memstats", "process_", "go_sql_"} {
		assert.NotContains(t, string(res.body), runtimeMetric)
	}
}

// Set empty, ADMIN_ADDR leaves the admin listener out and the service runs.
func TestAdminListenerTurnedOff(t *testing.T) {
	t.Parallel()
	a := startApp(t, withEnv(map[string]string{"ADMIN_ADDR": ""}))

	assert.Empty(t, a.admin, "no admin listener")
	res := a.newClient().do(http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.NotContains(t, string(res.body), "go_goroutines", "the runtime metrics are the admin listener's alone")
}

// A taken admin address fails the start, like a taken HTTP address.
func TestTakenAdminAddressFailsTheStart(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	held, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer held.Close()

	vars := map[string]string{}
	for k, v := range a.vars {
		vars[k] = v
	}
	vars["ADMIN_ADDR"] = held.Addr().String()
	cfg, err := bootstrap.ParseConfig(vars)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = bootstrap.NewApp(cfg, fx.NopLogger).Start(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "admin listener on "+held.Addr().String())
}

// The pages run under their Content-Security-Policy in a real browser: no
// violation is reported, the styles apply and the live page's script runs.
func TestPagesRunUnderTheirPolicyInABrowser(t *testing.T) {
	t.Parallel()
	browser := os.Getenv("CHROMIUM")
	if browser == "" {
		browser = chromiumPath
	}
	if _, err := os.Stat(browser); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("Chromium is missing at %s: run `make browser`", browser)
		}
		t.Skipf("Chromium is missing at %s: run `make browser` (fails when CI is set)", browser)
	}
	a := startApp(t)
	seller, _ := a.member("csp-seller@example.com", "cspseller", 0)
	auctionID := seller.listAuction("Policy", 1000, time.Now().Add(time.Hour), nil).Auction.ID

	allocator, cancelAllocator := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true))
	defer cancelAllocator()
	// The listener runs on the tab's reading loop: it only records.
	var mu sync.Mutex
	var reported []string
	ctx, cancelBrowser := chromedp.NewContext(allocator, chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *log.EventEntryAdded:
			if strings.Contains(ev.Entry.Text, "Content Security Policy") {
				reported = append(reported, ev.Entry.Text)
			}
		case *runtime.EventExceptionThrown:
			reported = append(reported, "exception: "+ev.ExceptionDetails.Text)
		}
	}))
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	require.NoError(t, chromedp.Do(ctx, chromedp.Navigate(a.base+"/docs"), waitText("body", "/api/v1/auth/login")))
	docsBorder, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".op")).borderTopStyle`))
	require.NoError(t, err)
	require.NoError(t, chromedp.Do(ctx,
		chromedp.Navigate(a.base+"/auctions/"+itoa(auctionID)+"/live"),
		waitText("#art-name", "Policy"),
		waitText("#connection", "live"),
	))
	liveBackground, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
	require.NoError(t, err)
	assert.Equal(t, "rgb(246, 245, 242)", liveBackground, "the live page's style applies")
	assert.Equal(t, "solid", docsBorder, "the docs page's style applies")
	mu.Lock()
	defer mu.Unlock()
	assert.Empty(t, reported, "the browser reported problems")
}
