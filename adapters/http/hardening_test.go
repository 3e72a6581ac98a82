package httpapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

func get(t *testing.T, url string, headers ...string) *http.Response {
	t.Helper()
	return send(t, http.MethodGet, url, headers...)
}

func send(t *testing.T, method, url string, headers ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_, _ = io.Copy(io.Discard, res.Body)
	require.NoError(t, res.Body.Close())
	return res
}

// A client that sends its headers a byte at a time is cut off after the
// header timeout instead of holding a connection for as long as it likes.
func TestSlowHeadersAreCutOff(t *testing.T) {
	base := startServerWith(t, ServerSettings{Timeouts: Timeouts{ReadHeader: 300 * time.Millisecond}}, nil, nil)
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	closed := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, conn) // returns when the server closes the connection
		close(closed)
	}()
	_, err = conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n"))
	require.NoError(t, err)
	// Dribbling the rest would take 20 s; the server must not wait that long.
	header := []byte("X-Slow: " + strings.Repeat("a", 200) + "\r\n")
	for _, b := range header {
		select {
		case <-closed:
			return
		case <-time.After(100 * time.Millisecond):
		}
		if _, err := conn.Write([]byte{b}); err != nil {
			return // the server closed it: what we want
		}
	}
	t.Fatal("the server kept reading headers sent a byte every 100ms for 20s")
}

func TestOversizedHeadersGet431(t *testing.T) {
	base := startServerWith(t, ServerSettings{}, nil, nil)
	res := get(t, base+"/healthz", "X-Big", strings.Repeat("a", maxHeaderBytes+8<<10))
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, res.StatusCode)
	res = get(t, base+"/healthz", "X-Big", strings.Repeat("a", 8<<10))
	assert.Equal(t, http.StatusOK, res.StatusCode, "headers under the limit are fine")
}

// A handler that takes longer than the write timeout loses its answer; live
// streams lift it for themselves (test/hardening_test.go shows one outliving it).
func TestWriteTimeoutCutsASlowAnswer(t *testing.T) {
	base := startServerWith(t, ServerSettings{Timeouts: Timeouts{Write: 300 * time.Millisecond}}, nil, func(e *echo.Echo) {
		e.GET("/slow", func(c echo.Context) error {
			time.Sleep(1500 * time.Millisecond)
			return c.String(http.StatusOK, "late")
		})
	})
	res, err := http.Get(base + "/slow")
	if err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		t.Fatalf("a 1.5 s answer got through a 300 ms write timeout: %d %s", res.StatusCode, body)
	}
	assert.Equal(t, http.StatusOK, get(t, base+"/healthz").StatusCode, "quick answers are not affected")
}

func TestEveryAnswerCarriesTheSecurityHeaders(t *testing.T) {
	base := startServerWith(t, ServerSettings{}, nil, nil)
	for _, path := range []string{"/healthz", "/api/v1/no-such-thing", "/no-such-page", "/docs", "/auctions/1/live",
		"/auctions/x/live", "/api/v1/openapi.yaml"} {
		res := get(t, base+path)
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), path)
		assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"), path)
		assert.Equal(t, "DENY", res.Header.Get("X-Frame-Options"), path)
		assert.Contains(t, res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'", path)
		assert.Empty(t, res.Header.Get("Strict-Transport-Security"), "%s: no HSTS unless asked for", path)
	}
	assert.Equal(t, apiPolicy, get(t, base+"/healthz").Header.Get("Content-Security-Policy"))
}

// The pages allow their own inline script and style by hash and nothing inline
// besides; test/browser_test.go shows the live page still works under it.
func TestPagesHaveAStrictPolicy(t *testing.T) {
	base := startServerWith(t, ServerSettings{}, nil, nil)
	live := get(t, base+"/auctions/1/live").Header.Get("Content-Security-Policy")
	assert.Regexp(t, `script-src 'sha256-[A-Za-z0-9+/]{43}='; style-src 'sha256-[A-Za-z0-9+/]{43}='; `, live)
	docs := get(t, base+"/docs").Header.Get("Content-Security-Policy")
	assert.Regexp(t, `script-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; `, docs)
	for _, policy := range []string{live, docs} {
		assert.NotContains(t, policy, "unsafe")
		assert.Contains(t, policy, "default-src 'none'")
		assert.Contains(t, policy, "connect-src 'self'")
		assert.Contains(t, policy, "base-uri 'none'")
		assert.Contains(t, policy, "form-action 'none'")
	}
}

func TestPagePolicyHashesEachInlineBlock(t *testing.T) {
	// Known answers: SHA-256 of "a{}" and "x()", as `openssl dgst -sha256 -binary | base64` gives them.
	policy, err := pagePolicy([]byte(`<!doctype html><html><head><style>a{}</style></head>` +
		`<body><p>x()</p><script>x()</script><script src="/elsewhere.js"></script></body></html>`))
	require.NoError(t, err)
	assert.Equal(t, "default-src 'none'; script-src 'sha256-D6IGS8VMvCoyaR/l0h9tERrBTATY01CoPS7l6xDv0kI='; "+
		"style-src 'sha256-X1RutGBrXCt9KkSaXMK7tHftWiRscFHOhxsS8tv8hBk='; img-src 'self'; connect-src 'self'; "+
		"base-uri 'none'; form-action 'none'; frame-ancestors 'none'", policy)
}

func TestHSTSWhenAskedForAndOverHTTPS(t *testing.T) {
	base := startServerWith(t, ServerSettings{HSTS: true}, nil, nil)
	res := get(t, base+"/healthz", "X-Forwarded-Proto", "https")
	assert.Equal(t, "max-age=31536000", res.Header.Get("Strict-Transport-Security"))
	res = get(t, base+"/api/v1/no-such-thing", "X-Forwarded-Proto", "https")
	assert.Equal(t, "max-age=31536000", res.Header.Get("Strict-Transport-Security"), "problems too")
	// Browsers ignore it over plain HTTP anyway.
	assert.Empty(t, get(t, base+"/healthz").Header.Get("Strict-Transport-Security"))
}

func TestCrossOriginAllowlist(t *testing.T) {
	const allowed, other = "https://app.example.com", "https://evil.example.net"
	base := startServerWith(t, ServerSettings{CORSAllowedOrigins: []string{allowed, "http://localhost:5173"}}, nil, nil)

	preflight := send(t, http.MethodOptions, base+"/api/v1/auctions/1/bids", "Origin", allowed,
		"Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "authorization,content-type,idempotency-key")
	assert.Equal(t, http.StatusNoContent, preflight.StatusCode)
	assert.Equal(t, allowed, preflight.Header.Get("Access-Control-Allow-Origin"))
	assert.Contains(t, preflight.Header.Get("Access-Control-Allow-Methods"), "POST")
	for _, h := range []string{"Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"} {
		assert.Contains(t, preflight.Header.Get("Access-Control-Allow-Headers"), h)
	}
	assert.Equal(t, "600", preflight.Header.Get("Access-Control-Max-Age"))
	assert.Empty(t, preflight.Header.Get("Access-Control-Allow-Credentials"), "bearer tokens, not cookies")

	res := get(t, base+"/api/v1/no-such-thing", "Origin", allowed)
	assert.Equal(t, allowed, res.Header.Get("Access-Control-Allow-Origin"), "a problem is readable cross-origin too")
	for _, h := range []string{"Location", "Retry-After", "X-Request-Id", "Idempotent-Replayed", "ETag"} {
		assert.Contains(t, res.Header.Get("Access-Control-Expose-Headers"), h)
	}
	assert.Contains(t, res.Header.Values("Vary"), "Origin")

	for _, origin := range []string{other, "https://app.example.com.evil.example.net", "null"} {
		preflight = send(t, http.MethodOptions, base+"/api/v1/auctions/1/bids", "Origin", origin,
			"Access-Control-Request-Method", "POST")
		res = get(t, base+"/healthz", "Origin", origin)
		for _, r := range []*http.Response{preflight, res} {
			for name := range r.Header {
				assert.False(t, strings.HasPrefix(name, "Access-Control-"), "%s got %s", origin, name)
			}
		}
	}
}

func TestNoCrossOriginAccessWithoutAnAllowlist(t *testing.T) {
	base := startServerWith(t, ServerSettings{}, nil, nil)
	preflight := send(t, http.MethodOptions, base+"/api/v1/auctions/1/bids", "Origin", "https://app.example.com",
		"Access-Control-Request-Method", "POST")
	res := get(t, base+"/healthz", "Origin", "https://app.example.com")
	for _, r := range []*http.Response{preflight, res} {
		for name := range r.Header {
			assert.False(t, strings.HasPrefix(name, "Access-Control-"), "got %s", name)
		}
	}
}

func TestAdminServesProfilesAndMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "admin_test_total", Help: "A test counter."}))
	admin := NewAdminServer("127.0.0.1:0", reg, zap.NewNop())
	require.NoError(t, admin.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, admin.Stop(context.Background())) })
	base := "http://" + admin.Addr()

	for path, want := range map[string]string{
		"/debug/pprof/":                  "goroutine",
		"/debug/pprof/goroutine?debug=1": "goroutine profile:",
		"/debug/pprof/cmdline":           "",
		"/metrics":                       "admin_test_total 0",
	} {
		res, err := http.Get(base + path)
		require.NoError(t, err)
		body, err := io.ReadAll(res.Body)
		res.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.Contains(t, string(body), want, path)
	}

	// A second listener on a taken address fails to start, so fx fails the app's start.
	taken := NewAdminServer(admin.Addr(), reg, zap.NewNop())
	err := taken.Start(context.Background())
	require.Error(t, err)
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr, "%v", err)
	assert.Contains(t, err.Error(), "admin listener")
}
