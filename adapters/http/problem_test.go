package httpapi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// serveWithErrorHandler answers one GET with handler behind errorHandler and
// returns the answer and what was logged.
func serveWithErrorHandler(t *testing.T, handler echo.HandlerFunc) (*httptest.ResponseRecorder, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(zap.New(core))
	e.GET("/thing", handler)
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/thing", nil))
	return rec, logs
}

func TestAnErrorAfterTheAnswerBeganIsLoggedOnceAndAddsNothing(t *testing.T) {
	rec, logs := serveWithErrorHandler(t, func(c echo.Context) error {
		if err := c.String(http.StatusOK, "partial"); err != nil {
			return err
		}
		return errors.New("stream cut")
	})

	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "partial", rec.Body.String(), "no problem document after a begun answer")
	require.Equal(t, 1, logs.Len())
	entry := logs.All()[0]
	assert.Equal(t, zapcore.WarnLevel, entry.Level)
	assert.Equal(t, "stream cut", entry.ContextMap()["error"])
	assert.Equal(t, int64(http.StatusOK), entry.ContextMap()["status"])
}

func TestAnUnexpectedErrorIsAnswered500AndLoggedOnce(t *testing.T) {
	rec, logs := serveWithErrorHandler(t, func(echo.Context) error { return errors.New("boom") })

	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Contains(t, rec.Body.String(), `"code":"INTERNAL"`)
	assert.NotContains(t, rec.Body.String(), "boom", "internals stay in the log")
	require.Equal(t, 1, logs.Len())
	assert.Equal(t, zapcore.ErrorLevel, logs.All()[0].Level)
}

func TestAnExpectedProblemIsNotLogged(t *testing.T) {
	rec, logs := serveWithErrorHandler(t, func(echo.Context) error { return errMalformedRequest })

	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Zero(t, logs.Len())
}
