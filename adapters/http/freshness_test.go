package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	"github.com/artauction/artauction/domain/art"
)

// testClock is a clock the test moves by hand.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock {
	return &testClock{now: time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// catalogStub serves a catalog route whose answer the test changes, counting
// how often the "database" is read.
type catalogStub struct {
	mu    sync.Mutex
	name  string
	reads atomic.Int64
	// during runs inside each read, before it answers.
	during func(c echo.Context) error
}

func (s *catalogStub) setName(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.name = name
}

func (s *catalogStub) handle(c echo.Context) error {
	s.reads.Add(1)
	if s.during != nil {
		if err := s.during(c); err != nil {
			return err
		}
	}
	s.mu.Lock()
	name := s.name
	s.mu.Unlock()
	if name == "" {
		return fmt.Errorf("read art: %w", art.ErrNotFound)
	}
	return c.JSON(http.StatusOK, map[string]any{"name": name, "path": c.Request().URL.Path})
}

type catalogFixture struct {
	echo      *echo.Echo
	freshness *freshness
	clock     *testClock
	stub      *catalogStub
}

func newCatalogFixture(t *testing.T, settings CatalogCacheSettings) *catalogFixture {
	t.Helper()
	clock := newTestClock()
	f, err := newFreshness(catalogReadRoutes, settings, clock, prometheus.NewRegistry())
	require.NoError(t, err)
	t.Cleanup(f.close)
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(zap.NewNop())
	e.Use(f.middleware)
	stub := &catalogStub{name: "Harbour"}
	for _, route := range catalogReadRoutes {
		e.GET(route, stub.handle)
	}
	e.GET("/api/v1/me/arts", stub.handle)
	e.POST("/api/v1/arts", stub.handle)
	return &catalogFixture{echo: e, freshness: f, clock: clock, stub: stub}
}

func defaultCache() CatalogCacheSettings {
	return CatalogCacheSettings{TTL: time.Second, MaxBytes: 1 << 20}
}

func (fx *catalogFixture) get(target string, headers ...string) *httptest.ResponseRecorder {
	return fx.send(http.MethodGet, target, headers...)
}

func (fx *catalogFixture) send(method, target string, headers ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Add(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	fx.echo.ServeHTTP(rec, req)
	return rec
}

// lookups counts the cache lookups of a result; a counter of events holds a whole number.
func (fx *catalogFixture) lookups(result string) int {
	counts := fx.freshness.counts
	counter := map[string]prometheus.Counter{"hit": counts.hit, "miss": counts.miss, "joined": counts.joined,
		"member": counts.member, "uncached": counts.uncached}[result]
	return int(testutil.ToFloat64(counter))
}

func TestCatalogReadsCarryAStrongETagOfTheBody(t *testing.T) {
	fx := newCatalogFixture(t, defaultCache())
	res := fx.get("/api/v1/arts/7")
	require.Equal(t, http.StatusOK, res.Code)
	etag := res.Header().Get("ETag")
	assert.Regexp(t, `^"[A-Za-z0-9_-]{22}"$`, etag, "a quoted 128-bit hash, strong (no W/)")
	assert.Equal(t, strongETag(res.Body.Bytes()), etag)
	assert.Equal(t, "public, max-age=1", res.Header().Get("Cache-Control"))
	assert.Equal(t, "Authorization", res.Header().Get("Vary"))
	assert.Equal(t, echo.MIMEApplicationJSON, res.Header().Get("Content-Type"))

	other := fx.get("/api/v1/arts/8")
	assert.NotEqual(t, etag, other.Header().Get("ETag"), "another body, another tag")

	// Routes that are not catalog reads are left alone.
	mine := fx.get("/api/v1/me/arts")
	assert.Equal(t, http.StatusOK, mine.Code)
	assert.Empty(t, mine.Header().Get("ETag"))
	assert.Empty(t, mine.Header().Get("Cache-Control"))
	before := fx.lookups("hit") + fx.lookups("miss")
	created := fx.send(http.MethodPost, "/api/v1/arts")
	assert.Empty(t, created.Header().Get("ETag"))
	assert.Equal(t, before, fx.lookups("hit")+fx.lookups("miss"), "a POST to a catalog path never meets the cache")
}

func TestIfNoneMatchAnswers304InEveryForm(t *testing.T) {
	fx := newCatalogFixture(t, defaultCache())
	etag := fx.get("/api/v1/arts/7").Header().Get("ETag")
	bare := strings.Trim(etag, `"`)
	for _, tc := range []struct {
		name   string
		fields []string
		want   int
	}{
		{"the tag itself", []string{etag}, http.StatusNotModified},
		{"the tag marked weak (compared weakly)", []string{"W/" + etag}, http.StatusNotModified},
		{"in a list", []string{`"old-one", W/"older",` + etag}, http.StatusNotModified},
		{"in a list without spaces", []string{`"old-one",` + etag}, http.StatusNotModified},
		{"in a second header line", []string{`"old-one"`, etag}, http.StatusNotModified},
		{"any", []string{"*"}, http.StatusNotModified},
		{"another tag", []string{`"old-one"`}, http.StatusOK},
		{"the tag without quotes", []string{bare}, http.StatusOK},
		{"after a malformed tag", []string{`old-one, ` + etag}, http.StatusOK},
		{"an unterminated tag", []string{`"` + bare}, http.StatusOK},
		{"empty", []string{""}, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var headers []string
			for _, f := range tc.fields {
				headers = append(headers, "If-None-Match", f)
			}
			// Once from the cache (anonymous), once from the database (a member).
			for _, auth := range [][]string{nil, {"Authorization", "Bearer token"}} {
				res := fx.get("/api/v1/arts/7", append(headers, auth...)...)
				require.Equal(t, tc.want, res.Code)
				assert.Equal(t, etag, res.Header().Get("ETag"))
				assert.NotEmpty(t, res.Header().Get("Cache-Control"))
				if tc.want == http.StatusNotModified {
					assert.Empty(t, res.Body.Bytes(), "304 has no body")
					assert.Empty(t, res.Header().Get("Content-Type"))
				} else {
					assert.JSONEq(t, `{"name":"Harbour","path":"/api/v1/arts/7"}`, res.Body.String())
				}
			}
		})
	}
}

func TestProblemsAreNeitherCachedNorTagged(t *testing.T) {
	fx := newCatalogFixture(t, defaultCache())
	fx.stub.setName("")
	for range 2 {
		res := fx.get("/api/v1/arts/7", "If-None-Match", "*")
		require.Equal(t, http.StatusNotFound, res.Code, "a problem, never 304")
		assert.Contains(t, res.Body.String(), "ART_NOT_FOUND")
		assert.Empty(t, res.Header().Get("ETag"))
		assert.Equal(t, "no-store", res.Header().Get("Cache-Control"))
	}
	assert.EqualValues(t, 2, fx.stub.reads.Load(), "each problem was read afresh")

	fx.stub.setName("Harbour")
	res := fx.get("/api/v1/arts/7")
	assert.Equal(t, http.StatusOK, res.Code, "the art shows as soon as it exists")
}

func TestAnonymousAnswersComeFromTheCacheForAtMostTheTTL(t *testing.T) {
	fx := newCatalogFixture(t, defaultCache())
	first := fx.get("/api/v1/arts/7")
	require.Equal(t, http.StatusOK, first.Code)
	assert.Equal(t, "public, max-age=1", first.Header().Get("Cache-Control"), "read for this request")
	fx.stub.setName("Renamed")

	fx.clock.advance(999 * time.Millisecond)
	cached := fx.get("/api/v1/arts/7")
	assert.Equal(t, first.Body.String(), cached.Body.String(), "still within the second")
	assert.Equal(t, first.Header().Get("ETag"), cached.Header().Get("ETag"))
	assert.Equal(t, "public, max-age=0", cached.Header().Get("Cache-Control"),
		"a cached answer has used its second: downstream must revalidate")
	assert.EqualValues(t, 1, fx.stub.reads.Load())

	fx.clock.advance(time.Millisecond)
	fresh := fx.get("/api/v1/arts/7")
	assert.Contains(t, fresh.Body.String(), "Renamed", "a second after the read began, the cache no longer answers")
	assert.Equal(t, "public, max-age=1", fresh.Header().Get("Cache-Control"))
	assert.EqualValues(t, 2, fx.stub.reads.Load())
	assert.Equal(t, 1, fx.lookups("hit"))
	assert.Equal(t, 2, fx.lookups("miss"))
}

func TestTheSecondCountsFromTheStartOfTheRead(t *testing.T) {
	fx := newCatalogFixture(t, defaultCache())
	fx.stub.during = func(echo.Context) error {
		fx.clock.advance(400 * time.Millisecond) // a slow read
		return nil
	}
	fx.get("/api/v1/arts/7")
	fx.stub.during = nil
	fx.clock.advance(599 * time.Millisecond)
	fx.get("/api/v1/arts/7")
	assert.EqualValues(t, 1, fx.stub.reads.Load(), "999ms after the read began: cached")
	fx.clock.advance(time.Millisecond)
	fx.get("/api/v1/arts/7")
	assert.EqualValues(t, 2, fx.stub.reads.Load(), "a second after the read began: read again")

	fx.stub.during = func(echo.Context) error {
		fx.clock.advance(time.Second) // a read slower than the TTL is not kept at all
		return nil
	}
	fx.clock.advance(time.Second)
	fx.get("/api/v1/arts/7")
	fx.stub.during = nil
	fx.get("/api/v1/arts/7")
	assert.EqualValues(t, 4, fx.stub.reads.Load())
}

func TestMembersAlwaysReadTheDatabase(t *testing.T) {
	fx := newCatalogFixture(t, defaultCache())
	anonymous := fx.get("/api/v1/arts/7")
	fx.stub.setName("Renamed")

	member := fx.get("/api/v1/arts/7", "Authorization", "Bearer token")
	require.Equal(t, http.StatusOK, member.Code)
	assert.Contains(t, member.Body.String(), "Renamed", "a member sees changes at once")
	assert.Equal(t, "private, no-cache", member.Header().Get("Cache-Control"))
	assert.Equal(t, "Authorization", member.Header().Get("Vary"))
	assert.Equal(t, strongETag(member.Body.Bytes()), member.Header().Get("ETag"))

	again := fx.get("/api/v1/arts/7", "Authorization", "Bearer token", "If-None-Match", member.Header().Get("ETag"))
	assert.Equal(t, http.StatusNotModified, again.Code)
	assert.EqualValues(t, 3, fx.stub.reads.Load(), "every member request reads, 304 or not")
	assert.Equal(t, anonymous.Body.String(), fx.get("/api/v1/arts/7").Body.String(),
		"members' reads neither fill nor refresh the anonymous cache")
	assert.Equal(t, 2, fx.lookups("member"))
}

func TestQueryParameterOrderSharesAnEntry(t *testing.T) {
	fx := newCatalogFixture(t, defaultCache())
	fx.get("/api/v1/arts?sort=newest&size=20")
	fx.get("/api/v1/arts?size=20&sort=newest")
	fx.get("/api/v1/arts?size=%32%30&sort=newest")
	assert.EqualValues(t, 1, fx.stub.reads.Load(), "the same query, however written")
	fx.get("/api/v1/arts?size=21&sort=newest")
	fx.get("/api/v1/arts/7")
	fx.get("/api/v1/hashtags?prefix=%zz")
	fx.get("/api/v1/hashtags?prefix=%zz")
	assert.EqualValues(t, 5, fx.stub.reads.Load(), "other queries and paths, and unreadable queries, read for themselves")
}

func TestCacheMemoryIsBounded(t *testing.T) {
	const budget = 64 << 10
	fx := newCatalogFixture(t, CatalogCacheSettings{TTL: time.Second, MaxBytes: budget})
	fx.stub.setName(strings.Repeat("n", 1000))
	for i := range 2000 {
		require.Equal(t, http.StatusOK, fx.get(fmt.Sprintf("/api/v1/arts/%d", i+1)).Code)
	}
	fx.freshness.cache.CleanUp()
	assert.LessOrEqual(t, fx.freshness.cache.WeightedSize(), uint64(budget), "keys, bodies and bookkeeping within the budget")
	assert.LessOrEqual(t, fx.freshness.cache.EstimatedSize(), budget/entryOverhead, "so the entries are few too")
	assert.Positive(t, fx.freshness.cache.EstimatedSize(), "yet the cache holds what fits")

	// An answer larger than maxCachedBody is served but not kept, though it would fit.
	roomy := newCatalogFixture(t, CatalogCacheSettings{TTL: time.Second, MaxBytes: 8 * maxCachedBody})
	roomy.stub.setName(strings.Repeat("n", maxCachedBody))
	assert.Equal(t, http.StatusOK, roomy.get("/api/v1/arts/7").Code)
	assert.Equal(t, http.StatusOK, roomy.get("/api/v1/arts/7").Code)
	assert.EqualValues(t, 2, roomy.stub.reads.Load())
	roomy.stub.setName(strings.Repeat("n", maxCachedBody/2))
	roomy.get("/api/v1/arts/8")
	roomy.get("/api/v1/arts/8")
	assert.EqualValues(t, 3, roomy.stub.reads.Load(), "half of it is kept")
}

func TestConcurrentMissesShareOneRead(t *testing.T) {
	const requests = 20
	fx := newCatalogFixture(t, defaultCache())
	release := make(chan struct{})
	fx.stub.during = func(echo.Context) error {
		// The read outlives the TTL, so it is not kept: only sharing can
		// explain a single read.
		fx.clock.advance(time.Second)
		<-release
		return nil
	}
	var arrived atomic.Int64
	fx.echo.Pre(func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error { arrived.Add(1); return next(c) }
	})
	bodies := make([]string, requests)
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			res := fx.get("/api/v1/arts/7")
			assert.Equal(t, http.StatusOK, res.Code)
			assert.NotEmpty(t, res.Header().Get("ETag"))
			bodies[i] = res.Body.String()
		})
	}
	require.Eventually(t, func() bool { return arrived.Load() == requests }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond) // from arrival to joining the read is a map lookup
	close(release)
	wg.Wait()
	assert.EqualValues(t, 1, fx.stub.reads.Load(), "one database read for all")
	assert.Equal(t, requests-1, fx.lookups("joined"))
	for _, body := range bodies {
		assert.Equal(t, bodies[0], body)
	}
}

func TestAWaiterReadsItselfWhenTheLeadersClientLeaves(t *testing.T) {
	fx := newCatalogFixture(t, defaultCache())
	leaderIn := make(chan struct{})
	var first atomic.Bool
	fx.stub.during = func(c echo.Context) error {
		if first.CompareAndSwap(false, true) {
			close(leaderIn)
			<-c.Request().Context().Done()
			return fmt.Errorf("read art: %w", c.Request().Context().Err())
		}
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	leaderDone := make(chan int)
	go func() {
		req := httptest.NewRequestWithContext(ctx, http.MethodGet, "/api/v1/arts/7", nil)
		rec := httptest.NewRecorder()
		fx.echo.ServeHTTP(rec, req)
		leaderDone <- rec.Code
	}()
	<-leaderIn
	waiter := make(chan *httptest.ResponseRecorder)
	go func() { waiter <- fx.get("/api/v1/arts/7") }()
	time.Sleep(50 * time.Millisecond) // let the waiter join the leader's read
	cancel()
	<-leaderDone
	res := <-waiter
	assert.Equal(t, http.StatusOK, res.Code, "the leader's cancellation is not the waiter's")
	assert.Contains(t, res.Body.String(), "Harbour")
}

func TestCacheOffStillTagsAndValidates(t *testing.T) {
	fx := newCatalogFixture(t, CatalogCacheSettings{})
	res := fx.get("/api/v1/arts/7")
	assert.Equal(t, "public, max-age=1", res.Header().Get("Cache-Control"))
	assert.Equal(t, http.StatusNotModified, fx.get("/api/v1/arts/7", "If-None-Match", res.Header().Get("ETag")).Code)
	assert.EqualValues(t, 2, fx.stub.reads.Load())
	assert.Equal(t, 2, fx.lookups("uncached"))
}

func TestCatalogCacheSettingsAreValidated(t *testing.T) {
	clock := newTestClock()
	_, err := newFreshness(nil, CatalogCacheSettings{TTL: 1001 * time.Millisecond, MaxBytes: 1 << 20}, clock, nil)
	assert.ErrorContains(t, err, "TTL")
	_, err = newFreshness(nil, CatalogCacheSettings{TTL: -time.Second, MaxBytes: 1 << 20}, clock, nil)
	assert.ErrorContains(t, err, "TTL")
	_, err = newFreshness(nil, CatalogCacheSettings{TTL: time.Second, MaxBytes: 1 << 20}, nil, nil)
	assert.ErrorContains(t, err, "clock")
	_, err = newFreshness(nil, CatalogCacheSettings{TTL: time.Second, MaxBytes: 10}, clock, nil)
	assert.ErrorContains(t, err, "size")
}

func TestEveryCatalogReadRouteExists(t *testing.T) {
	s, err := NewServer(ServerSettings{Addr: "127.0.0.1:0"}, AccountUseCases{}, CatalogUseCases{}, TradeUseCases{},
		ImageSearchUseCases{}, LiveUseCases{}, NotificationUseCases{}, nil, prometheus.NewRegistry(), zap.NewNop())
	require.NoError(t, err)
	registered := map[string]bool{}
	for _, r := range s.echo.Routes() {
		if r.Method == http.MethodGet {
			registered[r.Path] = true
		}
	}
	for _, route := range catalogReadRoutes {
		assert.True(t, registered[route], "%s is not a GET route: renamed without the catalog read list?", route)
	}
}
