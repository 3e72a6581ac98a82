// Package metrics exposes the service's business metrics to Prometheus.
package metrics

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/artauction/artauction/application"
)

// Trade counts bid outcomes and observes how late the closer ends auctions.
type Trade struct {
	bids     *prometheus.CounterVec
	closeLag prometheus.Histogram
	strategy string
}

var _ application.TradeMetrics = (*Trade)(nil)

// NewTrade registers the metrics; strategy labels bids with the lock strategy in use.
func NewTrade(reg *prometheus.Registry, strategy string) (*Trade, error) {
	t := &Trade{
		strategy: strategy,
		bids: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "bids_total", Help: "Bids by outcome (accepted or the error code) and lock strategy.",
		}, []string{"outcome", "strategy"}),
		closeLag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "auction_close_lag_seconds",
			Help:    "Time from an auction's end to its close by the closer.",
			Buckets: []float64{.1, .25, .5, 1, 2, 5, 10, 30, 60, 300},
		}),
	}
	for _, c := range []prometheus.Collector{t.bids, t.closeLag} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register trade metrics: %w", err)
		}
	}
	return t, nil
}

// BidOutcome counts one bid.
func (t *Trade) BidOutcome(outcome string) { t.bids.WithLabelValues(outcome, t.strategy).Inc() }

// CloseLag observes one close.
func (t *Trade) CloseLag(d time.Duration) { t.closeLag.Observe(max(d, 0).Seconds()) }
