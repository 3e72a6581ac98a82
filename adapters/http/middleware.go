package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"golang.org/x/net/html"

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

// apiPolicy is the Content-Security-Policy of every answer that is not a page:
// a JSON body, a problem or an image opened as a document runs and embeds nothing.
const apiPolicy = "default-src 'none'; frame-ancestors 'none'"

// hstsMaxAge is a year, the usual minimum; subdomains are left to their owners.
const hstsMaxAge = 365 * 24 * 60 * 60

// securityHeaders sets the headers every answer carries. Echo sends HSTS only
// over TLS or behind a proxy that says X-Forwarded-Proto: https, since browsers
// ignore it over plain HTTP.
func securityHeaders(hsts bool) echo.MiddlewareFunc {
	config := middleware.SecureConfig{
		ContentTypeNosniff: "nosniff", XFrameOptions: "DENY", ReferrerPolicy: "no-referrer",
		ContentSecurityPolicy: apiPolicy,
	}
	if hsts {
		config.HSTSMaxAge, config.HSTSExcludeSubdomains = hstsMaxAge, true
	}
	return middleware.SecureWithConfig(config)
}

// crossOrigin lets the pages of the allowed origins call the API. Without
// credentials: such clients send the bearer token and keep the refresh token
// from the response body; the refresh cookie stays same-site.
func crossOrigin(allowed []string) echo.MiddlewareFunc {
	if len(allowed) == 0 {
		// Echo's CORS middleware would allow every origin with an empty list.
		return func(next echo.HandlerFunc) echo.HandlerFunc { return next }
	}
	return middleware.CORSWithConfig(middleware.CORSConfig{
		AllowOrigins: allowed,
		AllowMethods: []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut,
			http.MethodPatch, http.MethodDelete},
		AllowHeaders: []string{echo.HeaderAuthorization, echo.HeaderContentType, "Idempotency-Key",
			"Last-Event-ID", "If-None-Match"},
		ExposeHeaders: []string{echo.HeaderLocation, echo.HeaderRetryAfter, echo.HeaderXRequestID,
			"Idempotent-Replayed", "ETag"},
		// Ten minutes: Chromium's own cap is two hours, and a changed list should show soon.
		MaxAge: 600,
	})
}

// pagePolicy is the Content-Security-Policy of an HTML page of ours: its
// inline scripts and styles are allowed by their hashes, nothing else inline
// (no handler or style attributes), and it talks only to this origin.
func pagePolicy(page []byte) (string, error) {
	var scripts, styles []string
	tokens := html.NewTokenizer(bytes.NewReader(page))
	inside := ""
	for {
		switch tokens.Next() {
		case html.ErrorToken:
			if err := tokens.Err(); !errors.Is(err, io.EOF) {
				return "", fmt.Errorf("read page: %w", err)
			}
			return "default-src 'none'; script-src " + sources(scripts) + "; style-src " + sources(styles) +
				"; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", nil
		case html.StartTagToken:
			name, _ := tokens.TagName()
			inside = string(name)
		case html.TextToken:
			sum := sha256.Sum256(tokens.Text())
			hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
			switch inside {
			case "script":
				scripts = append(scripts, hash)
			case "style":
				styles = append(styles, hash)
			}
		default:
			inside = ""
		}
	}
}

func sources(hashes []string) string {
	if len(hashes) == 0 {
		return "'none'"
	}
	return strings.Join(hashes, " ")
}

// withPolicy gives a route's answers their own Content-Security-Policy.
func withPolicy(policy string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			c.Response().Header().Set(echo.HeaderContentSecurityPolicy, policy)
			return next(c)
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
			// The scheme is case-insensitive (RFC 9110, section 11.1).
			scheme, token, ok := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
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
