package metrics

import (
	"fmt"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/artauction/artauction/application"
)

// Live counts the watchers of live streams and the events they get, by
// stream: "auction" (an auction's events) or "member" (a member's notifications).
type Live struct {
	watchers  *prometheus.GaugeVec
	published *prometheus.CounterVec
	delivered *prometheus.CounterVec
	lag       *prometheus.HistogramVec
	dropped   *prometheus.CounterVec
}

var _ application.LiveMetrics = (*Live)(nil)

// NewLive registers the metrics.
func NewLive(reg *prometheus.Registry) (*Live, error) {
	l := &Live{
		watchers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "live_watchers", Help: "Watchers connected to this instance's live streams, by stream.",
		}, []string{"stream"}),
		published: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "live_events_published_total", Help: "Live events this instance announced to every instance, by stream and kind.",
		}, []string{"stream", "kind"}),
		delivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "live_events_delivered_total", Help: "Live events written to watchers, by stream and kind.",
		}, []string{"stream", "kind"}),
		lag: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "live_delivery_lag_seconds",
			Help:    "Time from a change to its event being written to a watcher, by stream.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"stream"}),
		dropped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "live_watchers_dropped_total", Help: "Watchers cut off for falling behind the live events, by stream.",
		}, []string{"stream"}),
	}
	for _, c := range []prometheus.Collector{l.watchers, l.published, l.delivered, l.lag, l.dropped} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("register live metrics: %w", err)
		}
	}
	return l, nil
}

// WatcherConnected counts a watcher in.
func (l *Live) WatcherConnected(stream application.LiveStream) {
	l.watchers.WithLabelValues(string(stream)).Inc()
}

// WatcherDisconnected counts a watcher out.
func (l *Live) WatcherDisconnected(stream application.LiveStream) {
	l.watchers.WithLabelValues(string(stream)).Dec()
}

// EventPublished counts an announced event.
func (l *Live) EventPublished(stream application.LiveStream, kind string) {
	l.published.WithLabelValues(string(stream), kind).Inc()
}

// EventDelivered counts a written event and observes its lag.
func (l *Live) EventDelivered(stream application.LiveStream, kind string, lag time.Duration) {
	l.delivered.WithLabelValues(string(stream), kind).Inc()
	l.lag.WithLabelValues(string(stream)).Observe(max(lag, 0).Seconds())
}

// WatcherDropped counts a watcher cut off for falling behind.
func (l *Live) WatcherDropped(stream application.LiveStream) {
	l.dropped.WithLabelValues(string(stream)).Inc()
}
