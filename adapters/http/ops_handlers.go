package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

type opsHandlers struct {
	checks   []ReadinessCheck
	registry *prometheus.Registry
	doc      *apiDocument
}

// register routes the probes, the service's metrics and the API document
// with its page.
func (h opsHandlers) register(e *echo.Echo) error {
	e.GET("/healthz", h.healthz)
	e.GET("/readyz", h.readyz)
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(h.registry, promhttp.HandlerOpts{})))
	e.GET("/api/v1/openapi.yaml", h.openAPI)
	docsPolicy, err := pagePolicy(h.doc.html)
	if err != nil {
		return fmt.Errorf("docs page: %w", err)
	}
	e.GET("/docs", h.docs, withPolicy(docsPolicy))
	return nil
}

func (h opsHandlers) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// readyz checks every dependency at once and names each one that is down.
func (h opsHandlers) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	type result struct {
		name string
		err  error
	}
	results := make(chan result, len(h.checks))
	for _, check := range h.checks {
		go func() { results <- result{check.Name, check.Check(ctx)} }()
	}
	var down []string
	for range h.checks {
		if r := <-results; r.err != nil {
			down = append(down, r.name)
		}
	}
	if len(down) > 0 {
		sort.Strings(down)
		p := newProblem(http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE",
			"Not ready; down: "+strings.Join(down, ", ")+".")
		return writeProblem(c, p)
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
}

func (h opsHandlers) openAPI(c echo.Context) error {
	return c.Blob(http.StatusOK, "application/yaml", h.doc.yaml)
}

func (h opsHandlers) docs(c echo.Context) error {
	return c.HTMLBlob(http.StatusOK, h.doc.html)
}
