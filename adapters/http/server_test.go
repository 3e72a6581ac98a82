package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

func startTestServer(t *testing.T, checks []ReadinessCheck, routes func(e *echo.Echo)) string {
	t.Helper()
	return startServerWith(t, ServerSettings{}, checks, routes)
}

// startServerWith starts a server with settings on a free loopback port.
func startServerWith(t *testing.T, settings ServerSettings, checks []ReadinessCheck, routes func(e *echo.Echo)) string {
	t.Helper()
	settings.Addr = "127.0.0.1:0"
	s, err := NewServer(settings, AccountUseCases{}, CatalogUseCases{}, TradeUseCases{}, ImageSearchUseCases{}, LiveUseCases{}, NotificationUseCases{}, checks, prometheus.NewRegistry(), zap.NewNop())
	require.NoError(t, err)
	if routes != nil {
		routes(s.echo)
	}
	require.NoError(t, s.Start(context.Background()))
	t.Cleanup(func() { require.NoError(t, s.Stop(context.Background())) })
	return "http://" + s.Addr()
}

func getProblem(t *testing.T, url string) (*http.Response, Problem) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var p Problem
	require.NoError(t, json.Unmarshal(body, &p), "%s", body)
	return res, p
}

func TestReadyzNamesEveryDependencyThatIsDown(t *testing.T) {
	down := func(context.Context) error { return errors.New("connection refused") }
	up := func(context.Context) error { return nil }
	base := startTestServer(t, []ReadinessCheck{{"redis", down}, {"postgres", up}, {"mailer", down}}, nil)

	res, p := getProblem(t, base+"/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	assert.Equal(t, "SERVICE_UNAVAILABLE", p.Code)
	assert.Contains(t, p.Detail, "mailer, redis")
	assert.NotContains(t, p.Detail, "postgres")
}

func TestPanicAnswersAProblem(t *testing.T) {
	base := startTestServer(t, nil, func(e *echo.Echo) {
		e.GET("/boom", func(echo.Context) error { panic("secret internals") })
	})
	res, p := getProblem(t, base+"/boom")
	assert.Equal(t, http.StatusInternalServerError, res.StatusCode)
	assert.Equal(t, "INTERNAL", p.Code)
	assert.NotEmpty(t, p.RequestID)
	assert.Equal(t, p.RequestID, res.Header.Get(echo.HeaderXRequestID))
	assert.NotContains(t, p.Detail, "secret", "no internals in answers")

	// The server still serves after a panic.
	res, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
}

func TestProblemMappingIsStable(t *testing.T) {
	for _, m := range mapping {
		wrapped := errors.Join(errors.New("context"), m.err)
		p := problemFor(wrapped)
		assert.Equal(t, m.code, p.Code, "a wrapped %v keeps its code", m.err)
		assert.Equal(t, m.status, p.Status)
	}
	p := problemFor(errors.New("pq: relation does not exist"))
	assert.Equal(t, http.StatusInternalServerError, p.Status)
	assert.NotContains(t, p.Detail, "relation")
}
