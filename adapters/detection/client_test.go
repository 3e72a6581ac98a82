package detection_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/detection"
	"github.com/artauction/artauction/adapters/detection/detectortest"
	"github.com/artauction/artauction/application"
)

// pngBytes starts like a PNG so the client sniffs image/png.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR fake picture \x00\xff\x01")

const realAnswer = `{
  "success": true,
  "predictions": [
    {"label": "cat", "confidence": 0.91, "x_min": 10, "y_min": 20, "x_max": 200, "y_max": 180},
    {"label": "potted plant", "confidence": 0.5234, "x_min": 300, "y_min": 40, "x_max": 420, "y_max": 260},
    {"label": "person", "confidence": 0.4, "x_min": 0, "y_min": 0, "x_max": 639.6, "y_max": 479.2}
  ],
  "count": 3,
  "inferenceMs": 41,
  "processMs": 45,
  "moduleId": "ObjectDetectionYOLOv5-6.2",
  "code": 200
}`

// fakeDetector is an httptest server speaking the DeepStack protocol; reply
// decides each answer and hits counts the requests that reached it.
type fakeDetector struct {
	*httptest.Server
	hits  atomic.Int64
	reply atomic.Value // func(http.ResponseWriter, *http.Request)
}

func newFakeDetector(t *testing.T, reply func(http.ResponseWriter, *http.Request)) *fakeDetector {
	t.Helper()
	f := &fakeDetector{}
	f.reply.Store(reply)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		f.reply.Load().(func(http.ResponseWriter, *http.Request))(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

func (f *fakeDetector) setReply(reply func(http.ResponseWriter, *http.Request)) { f.reply.Store(reply) }

func answerWith(status int, body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}
}

// hang is a detector that never answers. It reads the whole request first:
// only then does the server notice the client hanging up and cancel r's context.
func hang(r *http.Request, release <-chan struct{}) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-release:
	}
}

func newClient(t *testing.T, cfg detection.Config, m *detection.Metrics) *detection.Client {
	t.Helper()
	c, err := detection.NewClient(cfg, m)
	require.NoError(t, err)
	return c
}

type capturedRequest struct {
	method, path, contentType string
	imageFile, imageType      string
	image                     []byte
	minConfidence, apiKey     []string
	hasAPIKey                 bool
	otherFiles                int
}

func TestDetectSendsTheProtocolRequest(t *testing.T) {
	for _, tc := range []struct {
		name, key string
	}{{"with api key", "s3cret"}, {"without api key", ""}} {
		t.Run(tc.name, func(t *testing.T) {
			got := make(chan capturedRequest, 1)
			srv := newFakeDetector(t, func(w http.ResponseWriter, r *http.Request) {
				c := capturedRequest{method: r.Method, path: r.URL.Path, contentType: r.Header.Get("Content-Type")}
				if err := r.ParseMultipartForm(1 << 20); err == nil {
					if files := r.MultipartForm.File["image"]; len(files) == 1 {
						c.imageFile = files[0].Filename
						c.imageType = files[0].Header.Get("Content-Type")
						fh, _ := files[0].Open()
						c.image, _ = io.ReadAll(fh)
						_ = fh.Close()
					}
					c.otherFiles = len(r.MultipartForm.File) - 1
					c.minConfidence = r.MultipartForm.Value["min_confidence"]
					c.apiKey, c.hasAPIKey = r.MultipartForm.Value["api_key"]
				}
				got <- c
				answerWith(http.StatusOK, `{"success":true,"predictions":[]}`)(w, r)
			})
			// A trailing slash on the base URL must not double the path's slash.
			client := newClient(t, detection.Config{BaseURL: srv.URL + "/", APIKey: tc.key}, nil)

			detections, err := client.Detect(context.Background(), pngBytes, 0.4)
			require.NoError(t, err)
			assert.NotNil(t, detections)
			assert.Empty(t, detections)

			c := <-got
			assert.Equal(t, http.MethodPost, c.method)
			assert.Equal(t, "/v1/vision/detection", c.path)
			assert.True(t, strings.HasPrefix(c.contentType, "multipart/form-data; boundary="), c.contentType)
			assert.Equal(t, "image", c.imageFile)
			assert.Equal(t, "image/png", c.imageType)
			assert.Equal(t, pngBytes, c.image, "the exact image bytes")
			assert.Zero(t, c.otherFiles)
			assert.Equal(t, []string{"0.4"}, c.minConfidence)
			if tc.key != "" {
				assert.Equal(t, []string{tc.key}, c.apiKey)
			} else {
				assert.False(t, c.hasAPIKey, "api_key must be absent when not configured")
			}
		})
	}
}

func TestDetectSendsUnknownBytesAsOctetStream(t *testing.T) {
	got := make(chan string, 1)
	srv := newFakeDetector(t, func(w http.ResponseWriter, r *http.Request) {
		_, fh, err := r.FormFile("image")
		if err == nil {
			got <- fh.Header.Get("Content-Type")
		} else {
			got <- err.Error()
		}
		answerWith(http.StatusOK, `{"success":true}`)(w, r)
	})
	_, err := newClient(t, detection.Config{BaseURL: srv.URL}, nil).Detect(context.Background(), []byte{0, 1, 2, 3, 0xfe}, 0.25)
	require.NoError(t, err)
	assert.Equal(t, "application/octet-stream", <-got)
}

func TestDetectParsesARealAnswer(t *testing.T) {
	srv := newFakeDetector(t, answerWith(http.StatusOK, realAnswer))
	client := newClient(t, detection.Config{BaseURL: srv.URL}, nil)

	detections, err := client.Detect(context.Background(), pngBytes, 0.4)

	require.NoError(t, err)
	assert.Equal(t, []application.Detection{
		{Label: "cat", Confidence: 0.91, Box: application.Box{XMin: 10, YMin: 20, XMax: 200, YMax: 180}},
		{Label: "potted plant", Confidence: 0.5234, Box: application.Box{XMin: 300, YMin: 40, XMax: 420, YMax: 260}},
		{Label: "person", Confidence: 0.4, Box: application.Box{XMin: 0, YMin: 0, XMax: 640, YMax: 479}},
	}, detections)
}

func TestDetectFailuresAreUnavailable(t *testing.T) {
	big := `{"success":true,"predictions":[` + strings.Repeat(`{"label":"cat","confidence":0.9},`, 100) +
		`{"label":"cat","confidence":0.9}]}`
	for _, tc := range []struct {
		name   string
		reply  func(http.ResponseWriter, *http.Request)
		detail string
	}{
		{"500 with error text", answerWith(http.StatusInternalServerError, `{"success":false,"error":"model crashed"}`), "HTTP 500: model crashed"},
		{"404 plain", func(w http.ResponseWriter, _ *http.Request) { http.NotFound(w, nil) }, "HTTP 404: 404 page not found"},
		{"503 empty", answerWith(http.StatusServiceUnavailable, ""), "HTTP 503"},
		{"garbled JSON", answerWith(http.StatusOK, `{"success": tru`), "not valid JSON"},
		{"HTML", answerWith(http.StatusOK, `<html>proxy login</html>`), "not valid JSON"},
		{"success false with error", answerWith(http.StatusOK, `{"success":false,"error":"Unable to create tensor"}`), "reported failure: Unable to create tensor"},
		{"success false without error", answerWith(http.StatusOK, `{"success":false}`), "failure without a reason"},
		{"success missing", answerWith(http.StatusOK, `{"predictions":[]}`), "lacks the success field"},
		{"missing label", answerWith(http.StatusOK, `{"success":true,"predictions":[{"confidence":0.5}]}`), "prediction 0 has no label"},
		{"blank label", answerWith(http.StatusOK, `{"success":true,"predictions":[{"label":"cat","confidence":0.5},{"label":"  ","confidence":0.5}]}`), "prediction 1 has no label"},
		{"confidence above 1", answerWith(http.StatusOK, `{"success":true,"predictions":[{"label":"cat","confidence":91}]}`), "no confidence within 0..1"},
		{"confidence below 0", answerWith(http.StatusOK, `{"success":true,"predictions":[{"label":"cat","confidence":-0.1}]}`), "no confidence within 0..1"},
		{"confidence missing", answerWith(http.StatusOK, `{"success":true,"predictions":[{"label":"cat"}]}`), "no confidence within 0..1"},
		{"oversized with length", answerWith(http.StatusOK, big), "exceeds the 1024-byte limit"},
		{"oversized streamed", func(w http.ResponseWriter, _ *http.Request) {
			// Flushing first drops Content-Length, so only the read limit can catch it.
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			_, _ = io.WriteString(w, big)
		}, "exceeds the 1024-byte limit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeDetector(t, tc.reply)
			client := newClient(t, detection.Config{BaseURL: srv.URL, MaxResponseBytes: 1024}, nil)

			detections, err := client.Detect(context.Background(), pngBytes, 0.4)

			require.ErrorIs(t, err, application.ErrDetectionUnavailable)
			assert.Contains(t, err.Error(), tc.detail)
			assert.Nil(t, detections)
			assert.Equal(t, int64(1), srv.hits.Load(), "HTTP errors and bad answers are never retried")
		})
	}
}

func TestDetectTimesOutWithinTheTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := newFakeDetector(t, func(_ http.ResponseWriter, r *http.Request) { hang(r, release) })
	defer close(release) // before srv.Close, which waits for handlers
	client := newClient(t, detection.Config{BaseURL: srv.URL, Timeout: 200 * time.Millisecond}, nil)

	start := time.Now()
	_, err := client.Detect(context.Background(), pngBytes, 0.4)
	elapsed := time.Since(start)

	require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	assert.Contains(t, err.Error(), "timed out after 200ms")
	assert.GreaterOrEqual(t, elapsed, 190*time.Millisecond)
	assert.Less(t, elapsed, time.Second)
	assert.Equal(t, int64(1), srv.hits.Load(), "timeouts are never retried")
}

// resettingListener accepts connections and resets them at once, counting
// them: a detector that dies before answering.
func resettingListener(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var accepted atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			_ = conn.(*net.TCPConn).SetLinger(0) // close with RST, not FIN
			_ = conn.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); <-done })
	return "http://" + ln.Addr().String(), &accepted
}

func TestDetectRetriesConnectionErrorsExactlyRetriesTimes(t *testing.T) {
	for _, tc := range []struct {
		name     string
		retries  int
		attempts int64
	}{{"default", 0, 3}, {"three", 3, 4}, {"none", -1, 1}} {
		t.Run(tc.name, func(t *testing.T) {
			url, accepted := resettingListener(t)
			client := newClient(t, detection.Config{BaseURL: url, Retries: tc.retries}, nil)

			_, err := client.Detect(context.Background(), pngBytes, 0.4)

			require.ErrorIs(t, err, application.ErrDetectionUnavailable)
			assert.Contains(t, err.Error(), "unreachable")
			assert.Equal(t, tc.attempts, accepted.Load())
		})
	}
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

func TestDetectConnectionRefused(t *testing.T) {
	client := newClient(t, detection.Config{BaseURL: closedPort(t)}, nil)

	start := time.Now()
	_, err := client.Detect(context.Background(), pngBytes, 0.4)

	require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	assert.Contains(t, err.Error(), "refused the connection")
	assert.Less(t, time.Since(start), time.Second, "refusals are retried briefly, then given up")
}

func TestBreakerOpensAfterFailuresAndClosesAfterCooldown(t *testing.T) {
	srv := newFakeDetector(t, answerWith(http.StatusInternalServerError, `{"success":false,"error":"busy"}`))
	reg := prometheus.NewRegistry()
	m, err := detection.NewMetrics(reg)
	require.NoError(t, err)
	client := newClient(t, detection.Config{
		BaseURL: srv.URL, BreakerFailures: 3, BreakerCooldown: 200 * time.Millisecond,
	}, m)
	ctx := context.Background()

	for range 3 {
		_, err := client.Detect(ctx, pngBytes, 0.4)
		require.ErrorIs(t, err, application.ErrDetectionUnavailable)
		assert.Contains(t, err.Error(), "HTTP 500")
	}
	require.Equal(t, int64(3), srv.hits.Load())
	assert.InDelta(t, 2, breakerState(t, reg), 0, "open")

	for range 5 {
		start := time.Now()
		_, err := client.Detect(ctx, pngBytes, 0.4)
		require.ErrorIs(t, err, application.ErrDetectionUnavailable)
		assert.Contains(t, err.Error(), "circuit breaker is open")
		assert.Less(t, time.Since(start), 50*time.Millisecond)
	}
	assert.Equal(t, int64(3), srv.hits.Load(), "an open breaker does not call the detector")
	assert.Equal(t, uint64(5), histogramCount(t, reg, "open"))

	// Still failing after the cooldown: the probe fails and the breaker opens again.
	time.Sleep(250 * time.Millisecond)
	_, err = client.Detect(ctx, pngBytes, 0.4)
	require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	assert.Equal(t, int64(4), srv.hits.Load(), "one probe after the cooldown")
	_, err = client.Detect(ctx, pngBytes, 0.4)
	assert.Contains(t, err.Error(), "circuit breaker is open")
	assert.Equal(t, int64(4), srv.hits.Load())

	// Recovered: the next probe after the cooldown succeeds and closes the breaker.
	srv.setReply(answerWith(http.StatusOK, realAnswer))
	time.Sleep(250 * time.Millisecond)
	detections, err := client.Detect(ctx, pngBytes, 0.4)
	require.NoError(t, err)
	assert.Len(t, detections, 3)
	assert.InDelta(t, 0, breakerState(t, reg), 0, "closed")
	for range 3 {
		_, err := client.Detect(ctx, pngBytes, 0.4)
		require.NoError(t, err)
	}
	assert.Equal(t, int64(8), srv.hits.Load())
}

func TestBreakerCountsConnectionFailures(t *testing.T) {
	url, accepted := resettingListener(t)
	client := newClient(t, detection.Config{BaseURL: url, Retries: -1, BreakerFailures: 2, BreakerCooldown: time.Hour}, nil)

	for range 4 {
		_, err := client.Detect(context.Background(), pngBytes, 0.4)
		require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	}
	assert.Equal(t, int64(2), accepted.Load())
}

func TestCallerCancellationIsNotTheDetectorsFault(t *testing.T) {
	release := make(chan struct{})
	srv := newFakeDetector(t, func(_ http.ResponseWriter, r *http.Request) { hang(r, release) })
	defer close(release)
	client := newClient(t, detection.Config{BaseURL: srv.URL, BreakerFailures: 1}, nil)

	for range 3 {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(20*time.Millisecond, cancel)
		start := time.Now()
		_, err := client.Detect(ctx, pngBytes, 0.4)
		require.ErrorIs(t, err, application.ErrDetectionUnavailable)
		require.ErrorIs(t, err, context.Canceled)
		assert.Less(t, time.Since(start), time.Second)
	}
	assert.Equal(t, int64(3), srv.hits.Load(), "cancellations leave the breaker closed")

	srv.setReply(answerWith(http.StatusOK, realAnswer))
	_, err := client.Detect(context.Background(), pngBytes, 0.4)
	require.NoError(t, err)
}

func TestDetectRejectsBadInputWithoutCalling(t *testing.T) {
	srv := newFakeDetector(t, answerWith(http.StatusOK, realAnswer))
	client := newClient(t, detection.Config{BaseURL: srv.URL}, nil)

	_, err := client.Detect(context.Background(), nil, 0.4)
	require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	_, err = client.Detect(context.Background(), pngBytes, 1.5)
	require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	assert.Zero(t, srv.hits.Load())
}

func TestDetectWithTheBundledDetector(t *testing.T) {
	client := newClient(t, detection.Config{BaseURL: detectortest.URL(t), Timeout: 30 * time.Second}, nil)

	detections, err := client.Detect(context.Background(), detectortest.Photo(t, detectortest.CatPhoto), 0.4)

	require.NoError(t, err)
	require.NotEmpty(t, detections)
	cat := detections[0]
	assert.Equal(t, "cat", cat.Label, "%+v", detections)
	assert.GreaterOrEqual(t, cat.Confidence, 0.4)
	// The photo is 451x300 and the cat fills most of it.
	assert.True(t, cat.Box.XMin >= 0 && cat.Box.XMin < cat.Box.XMax && cat.Box.XMax <= 451, "%+v", cat.Box)
	assert.True(t, cat.Box.YMin >= 0 && cat.Box.YMin < cat.Box.YMax && cat.Box.YMax <= 300, "%+v", cat.Box)
	assert.Greater(t, (cat.Box.XMax-cat.Box.XMin)*(cat.Box.YMax-cat.Box.YMin), 451*300/2)
	for _, d := range detections {
		assert.NotEqual(t, "dog", d.Label, "the cat is not taken for a dog")
	}
}

func TestDetectIsSafeForConcurrentUse(t *testing.T) {
	m, err := detection.NewMetrics(prometheus.NewRegistry())
	require.NoError(t, err)
	client := newClient(t, detection.Config{BaseURL: detectortest.URL(t), Timeout: 60 * time.Second}, m)
	photos := map[string][]byte{
		"cat":    detectortest.Photo(t, detectortest.CatPhoto),
		"person": detectortest.Photo(t, detectortest.PersonPhoto),
		"cup":    detectortest.Photo(t, detectortest.CupPhoto),
	}

	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 2 {
		for want, photo := range photos {
			wg.Go(func() {
				d, err := client.Detect(context.Background(), photo, 0.4)
				if err == nil && (len(d) == 0 || d[0].Label != want) {
					err = fmt.Errorf("a photo of a %s: got %+v", want, d)
				}
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestNewClientValidatesConfig(t *testing.T) {
	for _, cfg := range []detection.Config{
		{BaseURL: ""},
		{BaseURL: "detector:5000"},
		{BaseURL: "/v1"},
		{BaseURL: "ftp://detector"},
		{BaseURL: "http://"},
		{BaseURL: "http://detector?x=1"},
		{BaseURL: "http://detector", Timeout: -time.Second},
		{BaseURL: "http://detector", MaxResponseBytes: -1},
		{BaseURL: "http://detector", BreakerFailures: -1},
		{BaseURL: "http://detector", BreakerCooldown: -time.Second},
	} {
		_, err := detection.NewClient(cfg, nil)
		assert.Error(t, err, "%+v", cfg)
	}
	for _, base := range []string{"http://detector:5000", "https://detector.example/ai/", "http://127.0.0.1:32168"} {
		_, err := detection.NewClient(detection.Config{BaseURL: base}, nil)
		assert.NoError(t, err, base)
	}
}

func TestMetricsObserveOutcomes(t *testing.T) {
	srv := newFakeDetector(t, answerWith(http.StatusOK, realAnswer))
	reg := prometheus.NewRegistry()
	m, err := detection.NewMetrics(reg)
	require.NoError(t, err)
	client := newClient(t, detection.Config{BaseURL: srv.URL, Timeout: 100 * time.Millisecond}, m)
	ctx := context.Background()

	_, err = client.Detect(ctx, pngBytes, 0.4)
	require.NoError(t, err)
	srv.setReply(answerWith(http.StatusBadGateway, ""))
	_, _ = client.Detect(ctx, pngBytes, 0.4)
	srv.setReply(answerWith(http.StatusOK, "nope"))
	_, _ = client.Detect(ctx, pngBytes, 0.4)
	srv.setReply(func(_ http.ResponseWriter, r *http.Request) { hang(r, nil) })
	_, _ = client.Detect(ctx, pngBytes, 0.4)

	refused := newClient(t, detection.Config{BaseURL: closedPort(t)}, nil)
	_, _ = refused.Detect(ctx, pngBytes, 0.4) // nil metrics: no panic, nothing recorded

	assert.Equal(t, uint64(1), histogramCount(t, reg, "ok"))
	assert.Equal(t, uint64(1), histogramCount(t, reg, "http_error"))
	assert.Equal(t, uint64(1), histogramCount(t, reg, "bad_answer"))
	assert.Equal(t, uint64(1), histogramCount(t, reg, "timeout"))
	assert.Equal(t, uint64(0), histogramCount(t, reg, "unavailable"))
	assert.Equal(t, uint64(0), histogramCount(t, reg, "open"))
	assert.InDelta(t, 0, breakerState(t, reg), 0)

	_, err = detection.NewMetrics(reg)
	require.Error(t, err, "registering twice fails")
}

func TestMetricsCountUnavailable(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := detection.NewMetrics(reg)
	require.NoError(t, err)
	client := newClient(t, detection.Config{BaseURL: closedPort(t), Retries: -1}, m)

	_, err = client.Detect(context.Background(), pngBytes, 0.4)
	require.Error(t, err)
	assert.Equal(t, uint64(1), histogramCount(t, reg, "unavailable"))
}

func histogramCount(t *testing.T, reg *prometheus.Registry, outcome string) uint64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != "detector_request_duration_seconds" {
			continue
		}
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "outcome" && l.GetValue() == outcome {
					return metric.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	t.Fatalf("no histogram for outcome %q", outcome)
	return 0
}

// breakerState reads detector_breaker_state the way a scrape sees it.
func breakerState(t *testing.T, reg *prometheus.Registry) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == "detector_breaker_state" && len(f.GetMetric()) == 1 {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatal("no detector_breaker_state gauge")
	return 0
}
