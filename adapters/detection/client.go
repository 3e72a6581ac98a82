// Package detection asks a self-hosted object detector (the DeepStack /
// CodeProject.AI Server protocol) what a picture shows, and reads the file that
// maps its labels to hashtags.
package detection

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/artauction/artauction/application"
)

// Defaults for the zero values of Config.
const (
	DefaultTimeout          = 5 * time.Second
	DefaultMaxResponseBytes = 1 << 20
	DefaultRetries          = 2
	DefaultBreakerFailures  = 5
	DefaultBreakerCooldown  = 30 * time.Second
)

// detectionPath is where DeepStack and CodeProject.AI Server answer.
const detectionPath = "/v1/vision/detection"

// Config configures a Client; zero values take the defaults above.
type Config struct {
	// BaseURL is the detector's absolute http or https URL, e.g. http://127.0.0.1:32168.
	BaseURL string
	// APIKey is sent as the api_key form field when set.
	APIKey string
	// Timeout bounds one Detect call, retries included.
	Timeout time.Duration
	// MaxResponseBytes is the largest answer read; a larger one is an error.
	MaxResponseBytes int64
	// Retries is how often a connection error (refused or reset before any
	// answer) is retried; 0 means DefaultRetries, a negative value none.
	Retries int
	// BreakerFailures is how many consecutive failures open the breaker.
	BreakerFailures int
	// BreakerCooldown is how long the open breaker fails fast before one call
	// probes the detector again.
	BreakerCooldown time.Duration
}

func (c Config) withDefaults() (Config, error) {
	if c.Timeout < 0 || c.MaxResponseBytes < 0 || c.BreakerFailures < 0 || c.BreakerCooldown < 0 {
		return c, errors.New("detection config: timeout, response limit and breaker settings must not be negative")
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.MaxResponseBytes == 0 {
		c.MaxResponseBytes = DefaultMaxResponseBytes
	}
	switch {
	case c.Retries == 0:
		c.Retries = DefaultRetries
	case c.Retries < 0:
		c.Retries = 0
	}
	if c.BreakerFailures == 0 {
		c.BreakerFailures = DefaultBreakerFailures
	}
	if c.BreakerCooldown == 0 {
		c.BreakerCooldown = DefaultBreakerCooldown
	}
	return c, nil
}

func parseBaseURL(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "", fmt.Errorf("detector URL: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("detector URL %q: must be an absolute http or https URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("detector URL %q: must not have a query or fragment", raw)
	}
	return strings.TrimRight(u.String(), "/") + detectionPath, nil
}

// Client asks a DeepStack / CodeProject.AI Server detector what a picture shows.
// It is safe for concurrent use.
type Client struct {
	endpoint    string
	apiKey      string
	timeout     time.Duration
	maxResponse int64
	retries     int
	http        *http.Client
	breaker     *gobreaker.CircuitBreaker[[]application.Detection]
	metrics     *Metrics
}

var _ application.Detector = (*Client)(nil)

// NewClient validates cfg and builds a client; metrics may be nil.
func NewClient(cfg Config, metrics *Metrics) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	endpoint, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		endpoint:    endpoint,
		apiKey:      cfg.APIKey,
		timeout:     cfg.Timeout,
		maxResponse: cfg.MaxResponseBytes,
		retries:     cfg.Retries,
		metrics:     metrics,
		http:        &http.Client{Timeout: cfg.Timeout, Transport: newTransport(cfg.Timeout)},
	}
	failures := uint64(cfg.BreakerFailures)
	c.breaker = gobreaker.NewCircuitBreaker[[]application.Detection](gobreaker.Settings{
		Name: "detector",
		// One probe at a time while half-open: a detector just back up is not flooded.
		MaxRequests: 1,
		Timeout:     cfg.BreakerCooldown,
		ReadyToTrip: func(counts gobreaker.Counts) bool { return uint64(counts.ConsecutiveFailures) >= failures },
		// A caller who gave up says nothing about the detector's health.
		IsExcluded:    func(err error) bool { var f *failure; return errors.As(err, &f) && f.callerGone },
		OnStateChange: func(_ string, _, to gobreaker.State) { metrics.breakerState(to) },
	})
	metrics.breakerState(gobreaker.StateClosed)
	return c, nil
}

// newTransport keeps a small pool: a detector is one CPU- or GPU-bound host
// that gains nothing from hundreds of parallel connections.
func newTransport(timeout time.Duration) *http.Transport {
	dialer := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   16,
		MaxConnsPerHost:       32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
	}
}

// Outcomes label the request duration histogram.
const (
	outcomeOK          = "ok"
	outcomeUnavailable = "unavailable"
	outcomeTimeout     = "timeout"
	outcomeBadAnswer   = "bad_answer"
	outcomeHTTPError   = "http_error"
	outcomeOpen        = "open"
)

// failure is one failed call: the error callers see plus how to count it.
type failure struct {
	outcome    string
	callerGone bool
	err        error
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

func fail(outcome, format string, args ...any) *failure {
	return &failure{outcome: outcome, err: fmt.Errorf(format+": %w", append(args, application.ErrDetectionUnavailable)...)}
}

// Detect sends image to the detector and returns what it found at or above
// minConfidence. Every error wraps application.ErrDetectionUnavailable.
func (c *Client) Detect(ctx context.Context, image []byte, minConfidence float64) ([]application.Detection, error) {
	if len(image) == 0 {
		return nil, fmt.Errorf("detector: empty image: %w", application.ErrDetectionUnavailable)
	}
	if math.IsNaN(minConfidence) || minConfidence < 0 || minConfidence > 1 {
		return nil, fmt.Errorf("detector: min confidence %v outside 0..1: %w", minConfidence, application.ErrDetectionUnavailable)
	}
	body, contentType, err := c.encode(image, minConfidence)
	if err != nil {
		return nil, fmt.Errorf("detector: %w: %w", err, application.ErrDetectionUnavailable)
	}

	start := time.Now()
	detections, err := c.breaker.Execute(func() ([]application.Detection, error) {
		return c.call(ctx, body, contentType)
	})
	outcome := outcomeOK
	if err != nil {
		var f *failure
		switch {
		case errors.As(err, &f):
			outcome = f.outcome
		case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
			outcome = outcomeOpen
			err = fmt.Errorf("detector failing, not asked until it recovers (%w): %w", err, application.ErrDetectionUnavailable)
		default:
			outcome = outcomeUnavailable
			err = fmt.Errorf("detector: %w: %w", err, application.ErrDetectionUnavailable)
		}
	}
	c.metrics.observe(outcome, time.Since(start))
	if err != nil {
		return nil, err
	}
	return detections, nil
}

// encode builds the multipart body once so that retries can resend it.
func (c *Client) encode(image []byte, minConfidence float64) ([]byte, string, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	header := textproto.MIMEHeader{}
	header.Set("Content-Disposition", `form-data; name="image"; filename="image"`)
	header.Set("Content-Type", http.DetectContentType(image))
	part, err := w.CreatePart(header)
	if err != nil {
		return nil, "", fmt.Errorf("encode request: %w", err)
	}
	if _, err := part.Write(image); err != nil {
		return nil, "", fmt.Errorf("encode request: %w", err)
	}
	if err := w.WriteField("min_confidence", strconv.FormatFloat(minConfidence, 'f', -1, 64)); err != nil {
		return nil, "", fmt.Errorf("encode request: %w", err)
	}
	if c.apiKey != "" {
		if err := w.WriteField("api_key", c.apiKey); err != nil {
			return nil, "", fmt.Errorf("encode request: %w", err)
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", fmt.Errorf("encode request: %w", err)
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

// call is one breaker-guarded exchange, connection retries included.
func (c *Client) call(parent context.Context, body []byte, contentType string) ([]application.Detection, error) {
	ctx, cancel := context.WithTimeout(parent, c.timeout)
	defer cancel()

	resp, err := c.send(ctx, body, contentType)
	if err != nil {
		return nil, c.transportFailure(parent, err)
	}
	defer func() {
		// Drain a little so the connection can be reused.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		_ = resp.Body.Close()
	}()

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fail(outcomeHTTPError, "detector answered HTTP %d%s", resp.StatusCode, errorDetail(resp.Body))
	}
	if resp.ContentLength > c.maxResponse {
		return nil, fail(outcomeBadAnswer, "detector answer of %d bytes exceeds the %d-byte limit", resp.ContentLength, c.maxResponse)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, c.maxResponse+1))
	if err != nil {
		return nil, c.transportFailure(parent, fmt.Errorf("read answer: %w", err))
	}
	if int64(len(raw)) > c.maxResponse {
		return nil, fail(outcomeBadAnswer, "detector answer exceeds the %d-byte limit", c.maxResponse)
	}
	return parseAnswer(raw)
}

// send posts the request, retrying only when the connection failed before any
// answer: the request then never reached the detector, or died with it.
func (c *Client) send(ctx context.Context, body []byte, contentType string) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
		if err != nil {
			return nil, fmt.Errorf("build request: %w", err)
		}
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Accept", "application/json")
		resp, err := c.http.Do(req)
		if err == nil {
			return resp, nil
		}
		if attempt >= c.retries || !retryable(err) || ctx.Err() != nil {
			return nil, err
		}
		// A short pause lets a restarting detector finish binding its port.
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(time.Duration(attempt+1) * 25 * time.Millisecond):
		}
	}
}

func retryable(err error) bool {
	if isTimeout(err) {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// transportFailure names why no answer came: the caller gave up, the detector
// was too slow, or it could not be reached.
func (c *Client) transportFailure(parent context.Context, err error) *failure {
	if cause := parent.Err(); cause != nil {
		return &failure{outcome: outcomeUnavailable, callerGone: true,
			err: fmt.Errorf("detector call abandoned: %w: %w", cause, application.ErrDetectionUnavailable)}
	}
	if isTimeout(err) {
		return fail(outcomeTimeout, "detector timed out after %s", c.timeout)
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return fail(outcomeUnavailable, "detector refused the connection at %s", c.endpoint)
	}
	return fail(outcomeUnavailable, "detector unreachable: %w", err)
}

// errorDetail reads the `error` of a JSON error answer, or a short excerpt.
func errorDetail(body io.Reader) string {
	raw, _ := io.ReadAll(io.LimitReader(body, 4<<10))
	var answer struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(raw, &answer) == nil && answer.Error != "" {
		return ": " + excerpt(answer.Error)
	}
	if s := excerpt(string(raw)); s != "" {
		return ": " + s
	}
	return ""
}

func excerpt(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "") + "..."
	}
	return s
}

type answer struct {
	Success     *bool        `json:"success"`
	Error       string       `json:"error"`
	Predictions []prediction `json:"predictions"`
}

type prediction struct {
	Label      *string  `json:"label"`
	Confidence *float64 `json:"confidence"`
	XMin       float64  `json:"x_min"`
	YMin       float64  `json:"y_min"`
	XMax       float64  `json:"x_max"`
	YMax       float64  `json:"y_max"`
}

func parseAnswer(raw []byte) ([]application.Detection, error) {
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil, fail(outcomeBadAnswer, "detector answer is not valid JSON (%v)", err)
	}
	if a.Success == nil {
		return nil, fail(outcomeBadAnswer, "detector answer lacks the success field")
	}
	if !*a.Success {
		if a.Error != "" {
			return nil, fail(outcomeBadAnswer, "detector reported failure: %s", excerpt(a.Error))
		}
		return nil, fail(outcomeBadAnswer, "detector reported failure without a reason")
	}
	detections := make([]application.Detection, 0, len(a.Predictions))
	for i, p := range a.Predictions {
		if p.Label == nil || strings.TrimSpace(*p.Label) == "" {
			return nil, fail(outcomeBadAnswer, "detector prediction %d has no label", i)
		}
		if p.Confidence == nil || math.IsNaN(*p.Confidence) || *p.Confidence < 0 || *p.Confidence > 1 {
			return nil, fail(outcomeBadAnswer, "detector prediction %d (%q) has no confidence within 0..1", i, *p.Label)
		}
		detections = append(detections, application.Detection{
			Label:      strings.TrimSpace(*p.Label),
			Confidence: *p.Confidence,
			// Some servers send fractional pixels; boxes are whole pixels here.
			Box: application.Box{
				XMin: int(math.Round(p.XMin)), YMin: int(math.Round(p.YMin)),
				XMax: int(math.Round(p.XMax)), YMax: int(math.Round(p.YMax)),
			},
		})
	}
	return detections, nil
}
