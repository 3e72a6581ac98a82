package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/maypok86/otter/v2"
	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/singleflight"

	"github.com/artauction/artauction/application"
)

// catalogReadRoutes are the route templates of the catalog reads: their answers
// carry a strong ETag, and anonymous ones may come from the micro-cache.
var catalogReadRoutes = []string{
	"/api/v1/arts",
	"/api/v1/arts/:id",
	"/api/v1/hashtags",
	"/api/v1/auctions/:id",
	"/api/v1/auctions/:id/bids",
	"/api/v1/members/:id",
	"/api/v1/members/:id/followers",
	"/api/v1/members/:id/following",
}

// MaxCatalogStaleness is how old an anonymous catalog answer may be when served
// again (the REST contract's bound).
const MaxCatalogStaleness = time.Second

// CatalogCacheSettings bound the in-process cache of anonymous catalog reads.
type CatalogCacheSettings struct {
	// TTL is how long after its database read began an answer may be served
	// again, at most MaxCatalogStaleness; zero turns the cache off.
	TTL time.Duration
	// MaxBytes bounds the memory the entries take, keys and bookkeeping included.
	MaxBytes int
}

const (
	// maxCachedBody keeps one large page from pushing out hundreds of art pages;
	// a page of 100 art summaries is well under it.
	maxCachedBody = 256 << 10
	// entryOverhead stands for an entry's bookkeeping in the byte budget, so the
	// budget also bounds the number of entries (at most MaxBytes/entryOverhead).
	entryOverhead = 256
)

// Cache-Control of catalog answers. An anonymous answer read for this request
// may be kept downstream for a second; one that was already in the micro-cache
// when the request came has used up that second, so a client or proxy must
// revalidate it (a 304 when nothing changed). A member's answer is theirs alone
// and is revalidated every time, so their own changes show at once.
const (
	cacheControlFresh  = "public, max-age=1"
	cacheControlCached = "public, max-age=0"
	cacheControlMember = "private, no-cache"
	// Problems are never kept, here or downstream.
	cacheControlProblem = "no-store"
)

// freshness serves the catalog reads' validators and the anonymous micro-cache.
type freshness struct {
	routes map[string]bool
	clock  application.Clock
	ttl    time.Duration
	// cache is nil when the micro-cache is off.
	cache *otter.Cache[string, recordedAnswer]
	// loads collapses concurrent misses of one key into one database read.
	loads  singleflight.Group
	counts catalogReadCounts
}

// catalogReadCounts count catalog reads by how they were answered.
type catalogReadCounts struct {
	hit, miss, joined, member, uncached prometheus.Counter
}

// recordedAnswer is a handler's answer held back to be validated, shared and cached.
type recordedAnswer struct {
	status      int
	contentType string
	body        []byte
	// etag is set on 200 answers only.
	etag string
	// readAt is when the database read behind the answer began.
	readAt time.Time
}

func newFreshness(routes []string, settings CatalogCacheSettings, clock application.Clock,
	registry prometheus.Registerer) (*freshness, error) {
	if settings.TTL < 0 || settings.TTL > MaxCatalogStaleness {
		return nil, fmt.Errorf("catalog cache TTL %s: must be between 0 and %s", settings.TTL, MaxCatalogStaleness)
	}
	f := &freshness{routes: map[string]bool{}, clock: clock, ttl: settings.TTL}
	for _, route := range routes {
		f.routes[route] = true
	}
	if settings.TTL > 0 {
		if clock == nil {
			return nil, errors.New("catalog cache: a clock is required")
		}
		if settings.MaxBytes < entryOverhead {
			return nil, fmt.Errorf("catalog cache size %d bytes: must be at least %d", settings.MaxBytes, entryOverhead)
		}
		cache, err := otter.New(&otter.Options[string, recordedAnswer]{
			MaximumWeight: uint64(settings.MaxBytes),
			Weigher: func(key string, a recordedAnswer) uint32 {
				return uint32(len(key) + len(a.body) + entryOverhead)
			},
			// The lifetime counts from the start of the read, not from its end.
			ExpiryCalculator: otter.ExpiryCreatingFunc(func(e otter.Entry[string, recordedAnswer]) time.Duration {
				return settings.TTL - clock.Now().Sub(e.Value.readAt)
			}),
			Clock: otterClock{clock},
		})
		if err != nil {
			return nil, fmt.Errorf("catalog cache: %w", err)
		}
		f.cache = cache
	}
	reads := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_catalog_reads_total",
		Help: "Catalog reads by how they were answered: hit (micro-cache), miss (read for the cache), " +
			"joined (shared a concurrent miss's read), member (authenticated, always read) or uncached.",
	}, []string{"result"})
	if registry != nil {
		if err := registry.Register(reads); err != nil {
			return nil, fmt.Errorf("register catalog read metrics: %w", err)
		}
	}
	f.counts = catalogReadCounts{hit: reads.WithLabelValues("hit"), miss: reads.WithLabelValues("miss"),
		joined: reads.WithLabelValues("joined"), member: reads.WithLabelValues("member"),
		uncached: reads.WithLabelValues("uncached")}
	return f, nil
}

// close stops the cache's clean-up goroutine.
func (f *freshness) close() {
	if f.cache != nil {
		f.cache.StopAllGoroutines()
	}
}

// middleware gives catalog reads their validators and answers anonymous ones
// from the micro-cache; every other route passes through untouched.
func (f *freshness) middleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Method != http.MethodGet || !f.routes[c.Path()] {
			return next(c)
		}
		if req.Header.Get(echo.HeaderAuthorization) != "" {
			f.counts.member.Inc()
			return f.readThrough(c, next, cacheControlMember)
		}
		key, ok := cacheKey(req)
		if f.cache == nil || !ok {
			f.counts.uncached.Inc()
			return f.readThrough(c, next, cacheControlFresh)
		}
		arrived := f.clock.Now()
		if cached, ok := f.cache.GetIfPresent(key); ok {
			f.counts.hit.Inc()
			return sendRecorded(c, cached, cacheControlCached)
		}
		return f.load(c, next, key, arrived)
	}
}

// readThrough answers from the database, never from the cache.
func (f *freshness) readThrough(c echo.Context, next echo.HandlerFunc, cacheControl string) error {
	a, err := record(c, next)
	if err != nil {
		return refuseToKeep(c, err)
	}
	if a.status == http.StatusOK {
		a.etag = strongETag(a.body)
	}
	return sendRecorded(c, a, cacheControl)
}

// load reads a missing key once however many requests want it at the same time,
// and keeps a 200 answer for the others that follow within the TTL.
func (f *freshness) load(c echo.Context, next echo.HandlerFunc, key string, arrived time.Time) error {
	led := false
	shared, err, _ := f.loads.Do(key, func() (any, error) {
		led = true
		readAt := f.clock.Now()
		a, err := record(c, next)
		if err != nil {
			return nil, err
		}
		a.readAt = readAt
		if a.status == http.StatusOK {
			a.etag = strongETag(a.body)
			f.keep(key, a)
		}
		return a, nil
	})
	// A read that failed left no answer: the zero one then, never looked at.
	a, _ := shared.(recordedAnswer)
	if led {
		f.counts.miss.Inc()
	} else {
		f.counts.joined.Inc()
		// The read failed only because its own client went away, or gave an
		// answer that is no representation: this request reads for itself.
		if err != nil && ownContextAlive(c, err) || err == nil && a.status != http.StatusOK {
			return f.readThrough(c, next, cacheControlFresh)
		}
	}
	if err != nil {
		return refuseToKeep(c, err)
	}
	cacheControl := cacheControlFresh
	if a.readAt.Before(arrived) {
		cacheControl = cacheControlCached
	}
	return sendRecorded(c, a, cacheControl)
}

// ownContextAlive reports whether err is another request's cancellation that
// this request, still waiting for its answer, need not share.
func ownContextAlive(c echo.Context, err error) bool {
	cancelled := errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
	return cancelled && c.Request().Context().Err() == nil
}

// keep stores a 200 answer unless it is too large or already too old.
func (f *freshness) keep(key string, a recordedAnswer) {
	if len(a.body) > maxCachedBody || f.clock.Now().Sub(a.readAt) >= f.ttl {
		return
	}
	a.body = bytes.Clone(a.body)
	f.cache.Set(key, a)
}

// refuseToKeep marks a failed catalog read's problem as not to be stored anywhere.
func refuseToKeep(c echo.Context, err error) error {
	c.Response().Header().Set(echo.HeaderCacheControl, cacheControlProblem)
	return err
}

// record runs the handler with its answer held back instead of sent.
func record(c echo.Context, next echo.HandlerFunc) (recordedAnswer, error) {
	original := c.Response()
	recorder := &answerRecorder{header: http.Header{}}
	c.SetResponse(echo.NewResponse(recorder, c.Echo()))
	defer c.SetResponse(original)
	if err := next(c); err != nil {
		return recordedAnswer{}, err
	}
	status := recorder.status
	if status == 0 {
		status = http.StatusOK
	}
	return recordedAnswer{status: status, contentType: recorder.header.Get(echo.HeaderContentType),
		body: recorder.body.Bytes()}, nil
}

// sendRecorded sends a recorded answer; a 200 with its validator and freshness, or
// 304 with no body when the client already holds it.
func sendRecorded(c echo.Context, a recordedAnswer, cacheControl string) error {
	if a.status != http.StatusOK {
		// Not a representation to validate: passed on as it is.
		return c.Blob(a.status, a.contentType, a.body)
	}
	header := c.Response().Header()
	header.Set("ETag", a.etag)
	header.Set(echo.HeaderCacheControl, cacheControl)
	header.Add(echo.HeaderVary, echo.HeaderAuthorization)
	if noneMatch(c.Request().Header.Values("If-None-Match"), a.etag) {
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, a.contentType, a.body)
}

// cacheKey is the request's path and its query with the parameters in one
// order; an unreadable query is not cached.
func cacheKey(req *http.Request) (string, bool) {
	query, err := url.ParseQuery(req.URL.RawQuery)
	if err != nil {
		return "", false
	}
	return req.Method + " " + req.URL.EscapedPath() + "?" + query.Encode(), true
}

// strongETag is a quoted 128-bit hash of the exact body bytes.
func strongETag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:16]) + `"`
}

// noneMatch reports whether If-None-Match fields name etag or are "*". They are
// compared weakly, as RFC 9110 section 13.1.2 requires; reading stops at the
// first malformed tag.
func noneMatch(fields []string, etag string) bool {
	for _, field := range fields {
		rest := strings.TrimSpace(field)
		if rest == "*" {
			return true
		}
		for {
			rest = strings.TrimLeft(rest, " \t,")
			rest = strings.TrimPrefix(rest, "W/")
			if !strings.HasPrefix(rest, `"`) {
				break
			}
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				break
			}
			if rest[:end+2] == etag {
				return true
			}
			rest = rest[end+2:]
		}
	}
	return false
}

// otterClock gives the cache the service's clock, so expiry and the tests' fake
// time agree.
type otterClock struct{ clock application.Clock }

func (c otterClock) NowNano() int64 { return c.clock.Now().UnixNano() }

// Tick drives the cache's periodic clean-up of expired entries.
func (c otterClock) Tick(d time.Duration) <-chan time.Time { return time.Tick(d) }
