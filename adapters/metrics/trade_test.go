package metrics_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/metrics"
)

func TestTradeMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m, err := metrics.NewTrade(reg, "row")
	require.NoError(t, err)
	m.BidOutcome("accepted")
	m.BidOutcome("accepted")
	m.BidOutcome("bid_too_low")
	m.CloseLag(1500 * time.Millisecond)
	m.CloseLag(-time.Second)

	n, err := testutil.GatherAndCount(reg, "bids_total")
	require.NoError(t, err)
	assert.Equal(t, 2, n, "one series per outcome")
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		switch f.GetName() {
		case "bids_total":
			for _, metric := range f.GetMetric() {
				labels := map[string]string{}
				for _, l := range metric.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				assert.Equal(t, "row", labels["strategy"])
				want := map[string]int{"accepted": 2, "bid_too_low": 1}[labels["outcome"]]
				assert.Equal(t, want, int(metric.GetCounter().GetValue()), "bids are counted whole")
			}
		case "auction_close_lag_seconds":
			h := f.GetMetric()[0].GetHistogram()
			assert.Equal(t, uint64(2), h.GetSampleCount())
			assert.InDelta(t, 1.5, h.GetSampleSum(), 1e-9, "a negative lag counts as zero")
		}
	}
	_, err = metrics.NewTrade(reg, "row")
	assert.Error(t, err, "registering twice is refused")
}
