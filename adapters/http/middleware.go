package httpapi

import (
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
)

// requestLog writes one JSON log line per request, with its request id.
func requestLog(logger *zap.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				// Let the error handler write the answer now so the status is known.
				c.Error(err)
			}
			res := c.Response()
			logger.Info("request",
				zap.String("request_id", res.Header().Get(echo.HeaderXRequestID)),
				zap.String("method", c.Request().Method),
				zap.String("route", routeLabel(c)),
				zap.String("path", c.Request().URL.Path),
				zap.Int("status", res.Status),
				zap.Int64("bytes", res.Size),
				zap.Duration("duration", time.Since(start)),
				zap.String("client_ip", c.RealIP()),
			)
			return nil
		}
	}
}

// routeLabel is the route template, never the raw path, so metric labels stay few.
func routeLabel(c echo.Context) string {
	if p := c.Path(); p != "" && !strings.HasSuffix(p, "/*") {
		return p
	}
	return "unmatched"
}

// requestMetrics observes latency by route, method and status.
func requestMetrics(duration *prometheus.HistogramVec) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			duration.WithLabelValues(c.Request().Method, routeLabel(c), strconv.Itoa(c.Response().Status)).
				Observe(time.Since(start).Seconds())
			return nil
		}
	}
}

const principalKey = "principal"

// requireMember lets a request through only with a valid, unrevoked access token.
func requireMember(authenticate *application.Authenticate) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			header := c.Request().Header.Get(echo.HeaderAuthorization)
			token, ok := strings.CutPrefix(header, "Bearer ")
			if !ok || strings.TrimSpace(token) == "" {
				return errMissingBearer
			}
			p, err := authenticate.Execute(c.Request().Context(), strings.TrimSpace(token))
			if err != nil {
				return err
			}
			c.Set(principalKey, p)
			return next(c)
		}
	}
}

// optionalMember authenticates a request that carries a token and lets an
// anonymous one through; a bad token is still refused rather than ignored.
func optionalMember(authenticate *application.Authenticate) echo.MiddlewareFunc {
	required := requireMember(authenticate)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		withMember := required(next)
		return func(c echo.Context) error {
			if c.Request().Header.Get(echo.HeaderAuthorization) == "" {
				return next(c)
			}
			return withMember(c)
		}
	}
}

// principal is the member a route runs for; the zero Principal (member 0) when anonymous.
func principal(c echo.Context) application.Principal {
	p, _ := c.Get(principalKey).(application.Principal)
	return p
}
