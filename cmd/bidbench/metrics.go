package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// The service's metrics the report reads (adapters/lock/metrics.go).
const (
	lockWaitMetric = "lock_wait_seconds"
	retriesMetric  = "optimistic_retries_total"
)

// bucket is a cumulative histogram bucket: count observations at most upper.
type bucket struct {
	upper float64
	count float64
}

// serviceMetrics is what one scrape of /metrics said about a strategy.
type serviceMetrics struct {
	lockWait []bucket
	retries  float64
}

// scrapeMetrics reads /metrics of every instance and adds them up.
func scrapeMetrics(ctx context.Context, client *http.Client, urls []string, strategy string) (serviceMetrics, error) {
	var sum serviceMetrics
	for _, base := range urls {
		m, err := scrapeOne(ctx, client, base, strategy)
		if err != nil {
			return serviceMetrics{}, err
		}
		sum.lockWait = addBuckets(sum.lockWait, m.lockWait)
		sum.retries += m.retries
	}
	return sum, nil
}

func scrapeOne(ctx context.Context, client *http.Client, base, strategy string) (serviceMetrics, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return serviceMetrics{}, fmt.Errorf("scrape %s: %w", base, err)
	}
	res, err := client.Do(req)
	if err != nil {
		return serviceMetrics{}, fmt.Errorf("scrape %s: %w", base, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return serviceMetrics{}, fmt.Errorf("scrape %s: status %d", base, res.StatusCode)
	}
	return parseMetrics(res.Body, strategy)
}

// parseMetrics reads the Prometheus text format; series of other strategies
// are ignored, and a metric not yet observed counts as zero.
func parseMetrics(r io.Reader, strategy string) (serviceMetrics, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(r)
	if err != nil {
		return serviceMetrics{}, fmt.Errorf("parse metrics: %w", err)
	}
	var m serviceMetrics
	for _, metric := range families[lockWaitMetric].GetMetric() {
		if labelValue(metric, "strategy") != strategy {
			continue
		}
		for _, b := range metric.GetHistogram().GetBucket() {
			m.lockWait = append(m.lockWait, bucket{upper: b.GetUpperBound(), count: float64(b.GetCumulativeCount())})
		}
		if n := len(m.lockWait); n == 0 || !math.IsInf(m.lockWait[n-1].upper, 1) {
			m.lockWait = append(m.lockWait, bucket{upper: math.Inf(1), count: float64(metric.GetHistogram().GetSampleCount())})
		}
	}
	for _, metric := range families[retriesMetric].GetMetric() {
		if labelValue(metric, "strategy") == strategy {
			m.retries += metric.GetCounter().GetValue()
		}
	}
	return m, nil
}

func labelValue(m *dto.Metric, name string) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// since is what happened between an earlier scrape and this one.
func (m serviceMetrics) since(before serviceMetrics) serviceMetrics {
	negated := make([]bucket, len(before.lockWait))
	for i, b := range before.lockWait {
		negated[i] = bucket{upper: b.upper, count: -b.count}
	}
	return serviceMetrics{lockWait: addBuckets(m.lockWait, negated), retries: m.retries - before.retries}
}

// addBuckets adds two cumulative histograms bucket by bucket; a histogram
// with no buckets is zero.
func addBuckets(a, b []bucket) []bucket {
	if len(a) == 0 {
		return slices.Clone(b)
	}
	if len(b) == 0 {
		return slices.Clone(a)
	}
	sum := slices.Clone(a)
	for i := range sum {
		sum[i].count += b[i].count
	}
	return sum
}

// quantile estimates the q-quantile (0..1) of a cumulative histogram the way
// Prometheus's histogram_quantile does: linearly within the bucket it falls
// in, the upper bound of the last finite bucket when it falls beyond. ok is
// false when the histogram holds no observation.
func quantile(q float64, buckets []bucket) (value float64, ok bool) {
	if len(buckets) == 0 || buckets[len(buckets)-1].count <= 0 {
		return 0, false
	}
	total := buckets[len(buckets)-1].count
	rank := q * total
	lower, below := 0.0, 0.0
	for _, b := range buckets {
		if b.count >= rank {
			if math.IsInf(b.upper, 1) {
				return lower, true
			}
			if b.count == below {
				return b.upper, true
			}
			return lower + (b.upper-lower)*(rank-below)/(b.count-below), true
		}
		lower, below = b.upper, b.count
	}
	return lower, true
}
