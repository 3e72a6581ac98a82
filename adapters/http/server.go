package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
)

// maxRequestBody bounds any request body before a handler sees it; image uploads
// are the largest bodies the API takes.
const maxRequestBody = "12M"

// maxHeaderBytes bounds a request's headers (a bearer token is under 1 KiB);
// beyond it the server answers 431.
const maxHeaderBytes = 64 << 10

// ServerSettings are the listener's settings.
type ServerSettings struct {
	Addr     string
	Timeouts Timeouts
	// CORSAllowedOrigins may call the API from their pages; none means no
	// cross-origin access at all.
	CORSAllowedOrigins []string
	// HSTS makes answers over HTTPS tell browsers to use HTTPS only.
	HSTS   bool
	Cookie CookieSettings
	Live   LiveSettings
	// CatalogCache bounds the cache of anonymous catalog reads.
	CatalogCache CatalogCacheSettings
	// TrustedProxies are the load balancers in front of the service, whose
	// X-Forwarded-For says who the client is; none means the TCP peer is.
	TrustedProxies []*net.IPNet
}

// Timeouts bound each phase of a request on the listener; zero means none.
type Timeouts struct {
	// ReadHeader cuts off a client that sends its headers slowly.
	ReadHeader time.Duration
	// Read bounds the whole request, body included.
	Read time.Duration
	// Write bounds the time from the end of the headers to the end of the
	// answer; live event streams lift it for themselves.
	Write time.Duration
	// Idle is how long a kept-alive connection may wait for its next request.
	Idle time.Duration
}

// ReadinessCheck reports whether one dependency answers.
type ReadinessCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// clientIPExtractor tells the client's address, which rate limits and the
// live stream caps key on. It is the TCP peer's, unless the peer is a trusted
// proxy: then it is the rightmost X-Forwarded-For entry that no trusted proxy
// holds, the address the first trusted proxy saw. What a client writes in the
// header itself stands left of that and is never taken, so it cannot dodge a
// limit; a peer that is not a trusted proxy is believed about nothing.
func clientIPExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	// Echo trusts loopback and private addresses unless told not to.
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, n := range trusted {
		opts = append(opts, echo.TrustIPRange(n))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// Server is the REST API on one listener.
type Server struct {
	echo      *echo.Echo
	freshness *freshness
	*listener
}

// registerLive adds the live streams and the live page.
func registerLive(e *echo.Echo, api *echo.Group, live LiveUseCases, authenticate *application.Authenticate, settings LiveSettings,
	stopping chan struct{}, logger *zap.Logger) error {
	page, err := newLivePage()
	if err != nil {
		return err
	}
	liveHandlers{uc: live, authenticate: authenticate, settings: settings, stopping: stopping, page: page,
		limits:    newWatcherLimits(settings.MaxWatchers, settings.MaxWatchersPerIP),
		unbounded: &onceWarning{log: logger, msg: "live streams cannot set write deadlines; a client that stops reading holds its stream"},
	}.register(e, api)
	return nil
}

// NewServer builds the routes and middleware; Start opens the listener.
func NewServer(settings ServerSettings, account AccountUseCases, catalog CatalogUseCases, trade TradeUseCases,
	imageSearch ImageSearchUseCases, live LiveUseCases, notifications NotificationUseCases, checks []ReadinessCheck,
	registry *prometheus.Registry, logger *zap.Logger) (*Server, error) {
	doc, err := newAPIDocument()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(logger)
	e.IPExtractor = clientIPExtractor(settings.TrustedProxies)

	duration, err := newRequestDuration(registry)
	if err != nil {
		return nil, err
	}
	catalogReads, err := newFreshness(catalogReadRoutes, settings.CatalogCache, catalog.Clock, registry)
	if err != nil {
		return nil, err
	}
	e.Use(
		middleware.RequestID(),
		securityHeaders(settings.HSTS),
		crossOrigin(settings.CORSAllowedOrigins),
		requestLog(logger),
		requestMetrics(duration),
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true, DisableErrorHandler: true}),
		middleware.BodyLimit(maxRequestBody),
		// After the log and metrics, so answers from the cache are logged and timed too.
		catalogReads.middleware,
	)

	if err := (opsHandlers{checks: checks, registry: registry, doc: doc}).register(e); err != nil {
		return nil, err
	}

	api := e.Group("/api/v1")
	accountHandlers{uc: account, cookie: settings.Cookie}.register(api)
	artHandlers{uc: catalog, authenticate: account.Authenticate}.register(api)
	tradeHandlers{uc: trade, authenticate: account.Authenticate}.register(api)
	imageSearchHandlers{uc: imageSearch, authenticate: account.Authenticate}.register(api)
	notificationHandlers{uc: notifications, authenticate: account.Authenticate}.register(api)
	// Shutdown waits for requests in flight; live streams end when it begins.
	stopping := make(chan struct{})
	if err := registerLive(e, api, live, account.Authenticate, settings.Live, stopping, logger); err != nil {
		return nil, err
	}
	// Unknown paths under the API answer a problem, like every other error.
	e.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })

	server := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: settings.Timeouts.ReadHeader,
		ReadTimeout:       settings.Timeouts.Read,
		WriteTimeout:      settings.Timeouts.Write,
		IdleTimeout:       settings.Timeouts.Idle,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	server.RegisterOnShutdown(func() { close(stopping) })
	return &Server{echo: e, freshness: catalogReads, listener: newListener("http", settings.Addr, server, logger)}, nil
}

func newRequestDuration(registry *prometheus.Registry) (*prometheus.HistogramVec, error) {
	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "Latency of HTTP requests by method, route template and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route", "status"})
	if err := registry.Register(duration); err != nil {
		return nil, fmt.Errorf("register http metrics: %w", err)
	}
	return duration, nil
}

// Stop stops the listener, waiting for requests in flight within ctx, then the
// catalog cache's clean-up.
func (s *Server) Stop(ctx context.Context) error {
	err := s.listener.Stop(ctx)
	s.freshness.close()
	return err
}

// listener serves one http.Server on an address of its own.
type listener struct {
	name   string
	addr   string
	http   *http.Server
	logger *zap.Logger
	ln     net.Listener
	served chan struct{}
}

func newListener(name, addr string, server *http.Server, logger *zap.Logger) *listener {
	return &listener{name: name, addr: addr, http: server, logger: logger, served: make(chan struct{})}
}

// Start listens and serves in the background; a taken address fails it.
func (l *listener) Start(ctx context.Context) error {
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", l.addr)
	if err != nil {
		return fmt.Errorf("%s listener on %s: %w", l.name, l.addr, err)
	}
	l.ln = ln
	l.logger.Info(l.name+" server listening", zap.String("addr", ln.Addr().String()))
	go func() {
		defer close(l.served)
		if err := l.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.logger.Error(l.name+" server stopped", zap.Error(err))
		}
	}()
	return nil
}

// Stop stops accepting and waits for requests in flight, within ctx.
func (l *listener) Stop(ctx context.Context) error {
	if err := l.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down %s server: %w", l.name, err)
	}
	<-l.served
	l.logger.Info(l.name + " server stopped")
	return nil
}

// Addr is the address the server listens on, known after Start.
func (l *listener) Addr() string {
	return l.ln.Addr().String()
}
