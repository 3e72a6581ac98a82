package metrics

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/artauction/artauction/application"
)

// Live counts live-auction watchers and the events they get.
type Live struct {
	watchers  prometheus.Gauge
	published *prometheus.CounterVec
	delivered *prometheus.CounterVec
	lag       prometheus.Histogram
	dropped   prometheus.Counter
}

var _ application.LiveMetrics = (*Live)(nil)

// NewLive registers the metrics.
func NewLive(reg *prometheus.Registry) (*Live, error) {
	l := &Live{
		watchers: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "live_watchers", Help: "Watchers connected to this instance's live auction streams.",
		}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "live_events_published_total", Help: "Auction events this instance announced to every instance, by kind.",
		}, []string{"kind"}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "live_events_delivered_total", Help: "Live auction events written to watchers, by kind.",
		}, []string{"kind"}),
		lag: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "live_delivery_lag_seconds",
			Help:    "Time from an auction change to its event being written to a watcher.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "live_watchers_dropped_total", Help: "Watchers cut off for falling behind the live events.",
		}),
	}
	for _, c := range []prometheus.Collector{l.watchers, l.published, l.delivered, l.lag, l.dropped} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register live metrics: %w", err)
		}
	}
	return l, nil
}

// WatcherConnected counts a watcher in.
func (l *Live) WatcherConnected() { l.watchers.Inc() }

// WatcherDisconnected counts a watcher out.
func (l *Live) WatcherDisconnected() { l.watchers.Dec() }

// EventPublished counts an announced event.
func (l *Live) EventPublished(kind application.AuctionEventKind) {
	l.published.WithLabelValues(string(kind)).Inc()
}

// EventDelivered counts a written event and observes its lag.
func (l *Live) EventDelivered(kind application.AuctionEventKind, lag time.Duration) {
	l.delivered.WithLabelValues(string(kind)).Inc()
	l.lag.Observe(max(lag, 0).Seconds())
}

// WatcherDropped counts a watcher cut off for falling behind.
func (l *Live) WatcherDropped() { l.dropped.Inc() }
