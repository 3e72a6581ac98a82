package detection

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"
)

// Metrics observes detector calls and the breaker; a nil *Metrics records nothing.
type Metrics struct {
	duration *prometheus.HistogramVec
	breaker  prometheus.Gauge
}

// NewMetrics registers detector_request_duration_seconds (by outcome: ok,
// unavailable, timeout, bad_answer, http_error, open) and detector_breaker_state
// (0 closed, 1 half-open, 2 open).
func NewMetrics(reg *prometheus.Registry) (*Metrics, error) {
	m := &Metrics{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "detector_request_duration_seconds",
			Help:    "Duration of object detection calls by outcome.",
			Buckets: []float64{.001, .005, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"outcome"}),
		breaker: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "detector_breaker_state",
			Help: "State of the detector circuit breaker: 0 closed, 1 half-open, 2 open.",
		}),
	}
	for _, c := range []prometheus.Collector{m.duration, m.breaker} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register detector metrics: %w", err)
		}
	}
	// Every outcome exists from the start, so rates over them never miss a series.
	for _, o := range []string{outcomeOK, outcomeUnavailable, outcomeTimeout, outcomeBadAnswer, outcomeHTTPError, outcomeOpen} {
		m.duration.WithLabelValues(o)
	}
	return m, nil
}

func (m *Metrics) observe(outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.duration.WithLabelValues(outcome).Observe(d.Seconds())
}

// breakerState maps the states explicitly rather than trusting their order.
func (m *Metrics) breakerState(s gobreaker.State) {
	if m == nil {
		return
	}
	switch s {
	case gobreaker.StateClosed:
		m.breaker.Set(0)
	case gobreaker.StateHalfOpen:
		m.breaker.Set(1)
	case gobreaker.StateOpen:
		m.breaker.Set(2)
	}
}
