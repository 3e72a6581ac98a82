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
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
)

// maxRequestBody bounds any request body before a handler sees it; image uploads
// are the largest bodies the API takes.
const maxRequestBody = "12M"

// ServerSettings are the listener's settings.
type ServerSettings struct {
	Addr   string
	Cookie CookieSettings
	Live   LiveSettings
}

// ReadinessCheck reports whether one dependency answers.
type ReadinessCheck struct {
	Name  string
	Check func(ctx context.Context) error
}

// Server is the REST API on one listener.
type Server struct {
	echo     *echo.Echo
	http     *http.Server
	addr     string
	listener net.Listener
	logger   *zap.Logger
	served   chan struct{}
}

// NewServer builds the routes and middleware; Start opens the listener.
func NewServer(settings ServerSettings, account AccountUseCases, catalog CatalogUseCases, trade TradeUseCases,
	imageSearch ImageSearchUseCases, live LiveUseCases, checks []ReadinessCheck,
	registry *prometheus.Registry, logger *zap.Logger) (*Server, error) {
	doc, err := newAPIDocument()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = errorHandler(logger)
	// The client address is the peer's: X-Forwarded-For is trivially forged, and
	// rate limits key on it.
	e.IPExtractor = echo.ExtractIPDirect()

	duration := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "Latency of HTTP requests by method, route template and status.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"method", "route", "status"})
	if err := registry.Register(duration); err != nil {
		return nil, fmt.Errorf("register http metrics: %w", err)
	}

	e.Use(
		middleware.RequestID(),
		middleware.SecureWithConfig(middleware.SecureConfig{
			ContentTypeNosniff: "nosniff", XFrameOptions: "DENY", ReferrerPolicy: "no-referrer",
		}),
		requestLog(logger),
		requestMetrics(duration),
		middleware.RecoverWithConfig(middleware.RecoverConfig{DisablePrintStack: true, DisableErrorHandler: true}),
		middleware.BodyLimit(maxRequestBody),
	)

	ops := opsHandlers{checks: checks, registry: registry, doc: doc}
	e.GET("/healthz", ops.healthz)
	e.GET("/readyz", ops.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(registry, promhttp.HandlerOpts{})))
	e.GET("/api/v1/openapi.yaml", ops.openAPI)
	e.GET("/docs", ops.docs)

	api := e.Group("/api/v1")
	accountHandlers{uc: account, cookie: settings.Cookie}.register(api)
	artHandlers{uc: catalog, authenticate: account.Authenticate}.register(api)
	tradeHandlers{uc: trade, authenticate: account.Authenticate}.register(api)
	imageSearchHandlers{uc: imageSearch, authenticate: account.Authenticate}.register(api)
	// Shutdown waits for requests in flight; live streams end when it begins.
	stopping := make(chan struct{})
	liveHandlers{uc: live, settings: settings.Live, stopping: stopping,
		limits: newWatcherLimits(settings.Live.MaxWatchers, settings.Live.MaxWatchersPerIP)}.register(e, api)
	// Unknown paths under the API answer a problem, like every other error.
	e.RouteNotFound("/*", func(echo.Context) error { return echo.ErrNotFound })

	// No WriteTimeout: it would cut live event streams; their writes set their own deadlines.
	server := &http.Server{
		Handler:           e,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	server.RegisterOnShutdown(func() { close(stopping) })
	return &Server{echo: e, addr: settings.Addr, logger: logger, served: make(chan struct{}), http: server}, nil
}

// Start listens and serves in the background.
func (s *Server) Start(context.Context) error {
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.addr, err)
	}
	s.listener = ln
	s.logger.Info("http server listening", zap.String("addr", ln.Addr().String()))
	go func() {
		defer close(s.served)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger.Error("http server stopped", zap.Error(err))
		}
	}()
	return nil
}

// Stop stops accepting and waits for requests in flight, within ctx.
func (s *Server) Stop(ctx context.Context) error {
	if err := s.http.Shutdown(ctx); err != nil {
		return fmt.Errorf("shut down http server: %w", err)
	}
	<-s.served
	s.logger.Info("http server stopped")
	return nil
}

// Addr is the address the server listens on, known after Start.
func (s *Server) Addr() string {
	return s.listener.Addr().String()
}
