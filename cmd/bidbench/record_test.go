package main

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLatencyPercentiles(t *testing.T) {
	t.Parallel()
	log := newOpLog(time.Now())
	start := time.Now()
	for ms := 1; ms <= 100; ms++ {
		log.bid(0, bidInput{Auction: hotTerms, Bidder: 1, Amount: int64(1000 + ms)}, start,
			start.Add(time.Duration(ms)*time.Millisecond), bidResult{code: codeBidTooLow, status: 422})
	}
	s := summarize(log.latency)
	assert.InDelta(t, 50, s.P50, 0.1)
	assert.InDelta(t, 95, s.P95, 0.1)
	assert.InDelta(t, 99, s.P99, 0.1)
	assert.InDelta(t, 100, s.Max, 0.1)
	assert.Equal(t, latencySummary{}, summarize(newOpLog(start).latency), "no bid, no latency")
}

func TestRatesAndRatios(t *testing.T) {
	t.Parallel()
	assert.Equal(t, map[string]float64{"BID_TOO_LOW": 50, "ALREADY_HIGHEST_BIDDER": 2.5},
		perSecond(map[string]int64{"BID_TOO_LOW": 100, "ALREADY_HIGHEST_BIDDER": 5}, 2*time.Second))
	r := ratio(80, 100)
	require.NotNil(t, r)
	assert.InDelta(t, 0.8, *r, 1e-12)
	assert.Nil(t, ratio(80, 0), "no raw limit to compare with")
}

func TestLogCountsServerErrorsAndFailures(t *testing.T) {
	t.Parallel()
	start := time.Now()
	log := newOpLog(start)
	log.bid(0, bidInput{Auction: hotTerms, Bidder: 1, Amount: 1000}, start, start, bidResult{status: 201, bidID: 7})
	log.bid(1, bidInput{Auction: hotTerms, Bidder: 2, Amount: 1001}, start, start, bidResult{code: codeLockUnavailable, status: 503})
	log.bid(2, bidInput{Auction: hotTerms, Bidder: 3, Amount: 1002}, start, start, bidResult{err: errors.New("connection reset")})
	log.bid(3, bidInput{Auction: hotTerms, Bidder: 4, Amount: 1000}, start, start,
		bidResult{code: codeBidTooLow, status: 422, minNextBid: 1001})
	assert.Len(t, log.accepted, 1)
	assert.EqualValues(t, 2, log.answered, "the accepted bid and the refusal; not the 503, not the unanswered")
	assert.EqualValues(t, 1, log.serverErrors)
	assert.EqualValues(t, 1, log.failures)
	assert.Equal(t, map[string]int64{codeLockUnavailable: 1, codeBidTooLow: 1}, log.rejections)
	assert.True(t, log.history[2].Output.(outcome).Unknown, "no answer: its effect is unknown")
}

func TestRatiosAreAgainstTheRawLimitOfTheSameScenario(t *testing.T) {
	t.Parallel()
	r := report{
		RawLimit: []scenarioResult{
			{Strategy: rawStrategy, Scenario: scenarioHot, AcceptedPerSec: 100, AnsweredPerSec: 2000},
			{Strategy: rawStrategy, Scenario: scenarioSpread, AcceptedPerSec: 1000, AnsweredPerSec: 1100},
		},
		Results: []scenarioResult{
			{Strategy: "row", Scenario: scenarioHot, AcceptedPerSec: 90, AnsweredPerSec: 1000},
			{Strategy: "row", Scenario: scenarioSpread, AcceptedPerSec: 800, AnsweredPerSec: 880},
			{Strategy: "row", Scenario: scenarioMixed, AcceptedPerSec: 300, AnsweredPerSec: 320},
		},
	}

	r.fillRatios()

	hot, spread, mixed := r.Results[0], r.Results[1], r.Results[2]
	require.NotNil(t, hot.RatioToRaw)
	require.NotNil(t, hot.AnsweredRatioToRaw)
	assert.InDelta(t, 0.9, *hot.RatioToRaw, 1e-12)
	assert.InDelta(t, 0.5, *hot.AnsweredRatioToRaw, 1e-12)
	assert.InDelta(t, 0.8, *spread.RatioToRaw, 1e-12)
	assert.InDelta(t, 0.8, *spread.AnsweredRatioToRaw, 1e-12)
	assert.Nil(t, mixed.RatioToRaw, "mixed has no raw limit")
	assert.Nil(t, mixed.AnsweredRatioToRaw)
}
