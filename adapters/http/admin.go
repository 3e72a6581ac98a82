package httpapi

import (
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"
)

// AdminServer serves what only operators may see: the profiler and every
// metric, runtime ones included. It belongs on a loopback or private address.
type AdminServer struct {
	*listener
}

// NewAdminServer serves /debug/pprof/ and /metrics from gatherer on addr;
// Start opens the listener.
func NewAdminServer(addr string, gatherer prometheus.Gatherer, logger *zap.Logger) *AdminServer {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.Handle("GET /metrics", promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{}))
	// No write timeout: a CPU profile or trace takes as long as it was asked to.
	server := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	return &AdminServer{listener: newListener("admin", addr, server, logger)}
}
