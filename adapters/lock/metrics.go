package lock

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics observes the guard: how long locks take to get, how often the
// conditional writes lose and are retried, and how often callers get a 503.
// A nil *Metrics observes nothing.
type Metrics struct {
	strategy       string
	lockWait       *prometheus.HistogramVec
	retries        *prometheus.CounterVec
	unlockFailures *prometheus.CounterVec
	unavailable    *prometheus.CounterVec
}

// NewMetrics registers the guard's metrics on reg, labeled with strategy.
func NewMetrics(reg *prometheus.Registry, strategy string) (*Metrics, error) {
	labels := []string{"strategy"}
	m := &Metrics{
		strategy: strategy,
		lockWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "lock_wait_seconds",
			Help: "Time to obtain an auction or art lock, by lock strategy.",
			// 0.5 ms to about 4 s: a free lock costs a round trip, a busy one up to AUCTION_LOCK_WAIT.
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, labels),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "optimistic_retries_total",
			Help: "Guarded transactions run again after losing a conditional write, by lock strategy.",
		}, labels),
		unlockFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lock_unlock_failures_total",
			Help: "Redis locks found expired or unreachable at unlock, after their transaction ended.",
		}, labels),
		unavailable: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "lock_unavailable_total",
			Help: "Guarded calls that gave up with LOCK_UNAVAILABLE, by lock strategy.",
		}, labels),
	}
	for _, c := range []prometheus.Collector{m.lockWait, m.retries, m.unlockFailures, m.unavailable} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register lock metrics: %w", err)
		}
	}
	return m, nil
}

func (m *Metrics) observeWait(d time.Duration) {
	if m != nil {
		m.lockWait.WithLabelValues(m.strategy).Observe(d.Seconds())
	}
}

func (m *Metrics) retried() {
	if m != nil {
		m.retries.WithLabelValues(m.strategy).Inc()
	}
}

func (m *Metrics) unlockFailed() {
	if m != nil {
		m.unlockFailures.WithLabelValues(m.strategy).Inc()
	}
}

func (m *Metrics) gaveUp() {
	if m != nil {
		m.unavailable.WithLabelValues(m.strategy).Inc()
	}
}
