package main

import (
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/anishathalye/porcupine"

	"github.com/artauction/artauction/adapters/postgres/invariant"
)

// Latencies are recorded in microseconds, from 1 µs to 2 minutes, to 3
// significant figures.
const (
	latencyMin     = 1
	latencyMax     = int64(2 * time.Minute / time.Microsecond)
	latencyFigures = 3
	// keptErrors is how many error messages a log keeps for the report.
	keptErrors = 5
)

// bidResult is the outcome of one bid, over HTTP or straight in the database.
type bidResult struct {
	// code is "" for an accepted bid, else the rejection's code.
	code  string
	bidID int64
	// minNextBid is what a BID_TOO_LOW answer asks for.
	minNextBid int64
	// status is the HTTP status, or the one the service would have answered.
	status int
	// reserve is what an accepted bid's answer says of the reserve (a
	// reserveState).
	reserve string
	// err means no answer came: the bid's fate is unknown.
	err error
}

// opLog records what one worker sent and got; workers merge theirs at the
// end, so recording takes no lock.
type opLog struct {
	epoch    time.Time
	latency  *hdrhistogram.Histogram
	accepted []invariant.Bid
	// answered counts the bids answered with a decision, accepted or
	// refused: every answer but a 5xx (LOCK_UNAVAILABLE too) and no answer.
	answered   int64
	rejections map[string]int64
	buyNows    map[string]int64
	reads      int64
	// serverErrors counts 5xx answers to any request (LOCK_UNAVAILABLE too,
	// which also counts among the rejections); failures counts requests
	// that got no usable answer. The run fails on either.
	serverErrors int64
	failures     int64
	errors       []string
	history      []porcupine.Operation
}

func newOpLog(epoch time.Time) *opLog {
	return &opLog{
		epoch:      epoch,
		latency:    hdrhistogram.New(latencyMin, latencyMax, latencyFigures),
		rejections: map[string]int64{},
		buyNows:    map[string]int64{},
	}
}

// bidInput and buyNowInput are the linearizability model's inputs; outcome
// is its output.
type bidInput struct {
	Auction auctionTerms
	Bidder  int64
	Amount  int64
}

type buyNowInput struct {
	Auction auctionTerms
	Buyer   int64
}

type outcome struct {
	// Code is "" when the request succeeded.
	Code string
	// MinNextBid is what a BID_TOO_LOW answer said the auction takes: it
	// pins the state the bid was decided in. 0 when not known.
	MinNextBid int64
	// Unknown is an answer that never came: the request may or may not
	// have taken effect.
	Unknown bool
	// Reserve is what an accepted bid's answer said of the reserve.
	Reserve string
}

func (l *opLog) since(t time.Time) int64 { return t.Sub(l.epoch).Nanoseconds() }

func (l *opLog) bid(worker int, in bidInput, start, end time.Time, res bidResult) {
	if err := l.latency.RecordValue(min(max(end.Sub(start).Microseconds(), latencyMin), latencyMax)); err != nil {
		l.keep(fmt.Errorf("record latency: %w", err))
	}
	out := outcome{Code: res.code}
	if res.code == codeBidTooLow {
		out.MinNextBid = res.minNextBid
	}
	switch {
	case res.err != nil:
		l.fail(fmt.Errorf("bid %d on auction %d: %w", in.Amount, in.Auction.ID, res.err))
		out = outcome{Unknown: true}
	case res.code == "":
		out.Reserve = res.reserve
		l.accepted = append(l.accepted, invariant.Bid{AuctionID: in.Auction.ID, BidderID: in.Bidder, Amount: in.Amount, ID: res.bidID})
	default:
		l.rejections[res.code]++
	}
	if res.err == nil && res.status < http.StatusInternalServerError {
		l.answered++
	}
	l.countStatus(res.status, res.code)
	l.history = append(l.history, l.operation(worker, in, out, start, end))
}

func (l *opLog) buyNow(worker int, in buyNowInput, start, end time.Time, a answer, err error) {
	out := outcome{}
	switch {
	case err != nil:
		l.fail(fmt.Errorf("buy-now on auction %d: %w", in.Auction.ID, err))
		out = outcome{Unknown: true}
	case a.status == http.StatusCreated:
		l.buyNows["BOUGHT"]++
	default:
		out.Code = errorCode(a)
		l.buyNows[out.Code]++
	}
	l.countStatus(a.status, a.code)
	l.history = append(l.history, l.operation(worker, in, out, start, end))
}

func (l *opLog) read(a answer, err error) {
	switch {
	case err != nil:
		l.fail(fmt.Errorf("list arts: %w", err))
	case a.status >= 500:
	case a.status != http.StatusOK:
		l.fail(fmt.Errorf("list arts: %d %s", a.status, a.code))
	default:
		l.reads++
	}
	l.countStatus(a.status, a.code)
}

func (l *opLog) operation(worker int, in, out any, start, end time.Time) porcupine.Operation {
	ret := l.since(end)
	if o, ok := out.(outcome); ok && o.Unknown {
		// It may take effect any time after the call.
		ret = 1<<62 - 1
	}
	return porcupine.Operation{ClientId: worker, Input: in, Call: l.since(start), Output: out, Return: ret}
}

func (l *opLog) countStatus(status int, code string) {
	if status >= 500 {
		l.serverErrors++
		l.keep(fmt.Errorf("server error %d %s", status, code))
	}
}

// fail counts a request that got no usable answer.
func (l *opLog) fail(err error) {
	l.failures++
	l.keep(err)
}

func (l *opLog) keep(err error) {
	if len(l.errors) < keptErrors {
		l.errors = append(l.errors, err.Error())
	}
}

func (l *opLog) merge(o *opLog) {
	l.latency.Merge(o.latency)
	l.accepted = append(l.accepted, o.accepted...)
	l.answered += o.answered
	for k, v := range o.rejections {
		l.rejections[k] += v
	}
	for k, v := range o.buyNows {
		l.buyNows[k] += v
	}
	l.reads += o.reads
	l.serverErrors += o.serverErrors
	l.failures += o.failures
	for _, e := range o.errors {
		if len(l.errors) < keptErrors {
			l.errors = append(l.errors, e)
		}
	}
	l.history = append(l.history, o.history...)
}

// latencySummary is a latency distribution in milliseconds.
type latencySummary struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

func summarize(h *hdrhistogram.Histogram) latencySummary {
	ms := func(us int64) float64 { return float64(us) / 1000 }
	if h.TotalCount() == 0 {
		return latencySummary{}
	}
	return latencySummary{
		P50: ms(h.ValueAtQuantile(50)), P95: ms(h.ValueAtQuantile(95)),
		P99: ms(h.ValueAtQuantile(99)), Max: ms(h.Max()),
	}
}

// perSecond divides every count by the elapsed time.
func perSecond(counts map[string]int64, elapsed time.Duration) map[string]float64 {
	rates := make(map[string]float64, len(counts))
	for k, v := range maps.All(counts) {
		rates[k] = rate(v, elapsed)
	}
	return rates
}

func rate(n int64, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(n) / elapsed.Seconds()
}

// ratio is a/b, or nil when there is no b to compare with.
func ratio(a, b float64) *float64 {
	if b <= 0 {
		return nil
	}
	r := a / b
	return &r
}
