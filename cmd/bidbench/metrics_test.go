package main

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const scrape = `# HELP lock_wait_seconds Time to obtain an auction or art lock, by lock strategy.
# TYPE lock_wait_seconds histogram
lock_wait_seconds_bucket{strategy="row",le="0.001"} 50
lock_wait_seconds_bucket{strategy="row",le="0.002"} 90
lock_wait_seconds_bucket{strategy="row",le="0.004"} 100
lock_wait_seconds_bucket{strategy="row",le="+Inf"} 100
lock_wait_seconds_sum{strategy="row"} 0.12
lock_wait_seconds_count{strategy="row"} 100
lock_wait_seconds_bucket{strategy="redis",le="0.001"} 1
lock_wait_seconds_bucket{strategy="redis",le="0.002"} 1
lock_wait_seconds_bucket{strategy="redis",le="0.004"} 1
lock_wait_seconds_bucket{strategy="redis",le="+Inf"} 1
lock_wait_seconds_sum{strategy="redis"} 0.0005
lock_wait_seconds_count{strategy="redis"} 1
# HELP optimistic_retries_total Guarded transactions run again after losing a conditional write, by lock strategy.
# TYPE optimistic_retries_total counter
optimistic_retries_total{strategy="row"} 3
`

func TestParseMetricsReadsTheStrategysHistogram(t *testing.T) {
	t.Parallel()
	m, err := parseMetrics(strings.NewReader(scrape), "row")
	require.NoError(t, err)
	assert.Equal(t, []bucket{{0.001, 50}, {0.002, 90}, {0.004, 100}, {math.Inf(1), 100}}, m.lockWait)
	assert.InDelta(t, 3, m.retries, 0)

	p50, ok := quantile(0.5, m.lockWait)
	require.True(t, ok)
	assert.InDelta(t, 0.001, p50, 1e-9, "the 50th observation ends the first bucket")
	p95, _ := quantile(0.95, m.lockWait)
	assert.InDelta(t, 0.003, p95, 1e-9, "halfway through the (2 ms, 4 ms] bucket")
}

func TestParseMetricsOfAStrategyNotYetObserved(t *testing.T) {
	t.Parallel()
	m, err := parseMetrics(strings.NewReader(scrape), "optimistic")
	require.NoError(t, err)
	_, ok := quantile(0.99, m.lockWait)
	assert.False(t, ok, "no lock wait at all")
	assert.Zero(t, m.retries)
}

func TestMetricsSinceAnEarlierScrape(t *testing.T) {
	t.Parallel()
	before := serviceMetrics{lockWait: []bucket{{0.001, 40}, {0.002, 40}, {math.Inf(1), 40}}, retries: 1}
	after := serviceMetrics{lockWait: []bucket{{0.001, 40}, {0.002, 140}, {math.Inf(1), 140}}, retries: 4}
	d := after.since(before)
	assert.Equal(t, []bucket{{0.001, 0}, {0.002, 100}, {math.Inf(1), 100}}, d.lockWait)
	assert.InDelta(t, 3, d.retries, 0)
	p99, ok := quantile(0.99, d.lockWait)
	require.True(t, ok)
	assert.InDelta(t, 0.00199, p99, 1e-9, "only the run's own observations count")
}

func TestQuantileBeyondTheLastFiniteBucket(t *testing.T) {
	t.Parallel()
	p99, ok := quantile(0.99, []bucket{{0.001, 10}, {math.Inf(1), 100}})
	require.True(t, ok)
	assert.InDelta(t, 0.001, p99, 0, "the last finite bound, as Prometheus answers")
}
