package auction_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/validation"
)

var now = time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)

func fieldNames(t *testing.T, err error) []string {
	t.Helper()
	var verr *validation.Error
	require.ErrorAs(t, err, &verr)
	names := make([]string, 0, len(verr.Fields()))
	for _, f := range verr.Fields() {
		names = append(names, f.Field)
	}
	return names
}

// termsInput is an auction.TermsInput with a way to read it at now.
type termsInput struct{ auction.TermsInput }

func validInput() termsInput {
	return termsInput{auction.TermsInput{EndAt: given(now.Add(24 * time.Hour)), StartPrice: 1000}}
}

func (in termsInput) terms() (auction.Terms, error) {
	return auction.NewTerms(in.TermsInput, now)
}

func mustTerms(t *testing.T, in termsInput) auction.Terms {
	t.Helper()
	terms, err := in.terms()
	require.NoError(t, err)
	return terms
}

// given is an optional field as a client gives it.
func given[T any](v T) *T { return &v }

func TestNewTermsAccepts(t *testing.T) {
	tests := []struct {
		name             string
		edit             func(*termsInput)
		wantStartAt      time.Time
		wantEndAt        time.Time
		wantBuyNowPrice  int64
		wantBidIncrement int64
		wantReservePrice int64
	}{
		{
			name:        "the fewest fields: zero start means now, no buy-now, increment 1",
			edit:        func(*termsInput) {},
			wantStartAt: now, wantEndAt: now.Add(24 * time.Hour), wantBuyNowPrice: 0, wantBidIncrement: 1,
		},
		{
			name:        "a later start",
			edit:        func(in *termsInput) { in.StartAt = given(now.Add(time.Hour)) },
			wantStartAt: now.Add(time.Hour), wantEndAt: now.Add(24 * time.Hour), wantBidIncrement: 1,
		},
		{
			name:        "a start a minute ago: a client's now that took a while to arrive",
			edit:        func(in *termsInput) { in.StartAt = given(now.Add(-auction.StartAtTolerance)) },
			wantStartAt: now.Add(-time.Minute), wantEndAt: now.Add(24 * time.Hour), wantBidIncrement: 1,
		},
		{
			name:        "an end one nanosecond ahead",
			edit:        func(in *termsInput) { in.EndAt = given(now.Add(time.Nanosecond)) },
			wantStartAt: now, wantEndAt: now.Add(time.Nanosecond), wantBidIncrement: 1,
		},
		{
			name:        "a buy-now price one above the start price",
			edit:        func(in *termsInput) { in.BuyNowPrice = given[int64](1001) },
			wantStartAt: now, wantEndAt: now.Add(24 * time.Hour), wantBuyNowPrice: 1001, wantBidIncrement: 1,
		},
		{
			name:        "an increment of 1",
			edit:        func(in *termsInput) { in.BidIncrement = given[int64](1) },
			wantStartAt: now, wantEndAt: now.Add(24 * time.Hour), wantBidIncrement: 1,
		},
		{
			name:        "an increment of 500",
			edit:        func(in *termsInput) { in.BidIncrement = given[int64](500) },
			wantStartAt: now, wantEndAt: now.Add(24 * time.Hour), wantBidIncrement: 500,
		},
		{
			name: "times in another zone are kept in UTC",
			edit: func(in *termsInput) {
				kst := time.FixedZone("KST", 9*60*60)
				in.StartAt, in.EndAt = given(now.Add(time.Hour).In(kst)), given(now.Add(2*time.Hour).In(kst))
			},
			wantStartAt: now.Add(time.Hour), wantEndAt: now.Add(2 * time.Hour), wantBidIncrement: 1,
		},
		{
			name:        "a reserve at the start price, without buy-now",
			edit:        func(in *termsInput) { in.ReservePrice = given[int64](1000) },
			wantStartAt: now, wantEndAt: now.Add(24 * time.Hour), wantBidIncrement: 1, wantReservePrice: 1000,
		},
		{
			name: "a reserve one below the buy-now price",
			edit: func(in *termsInput) {
				in.BuyNowPrice, in.ReservePrice = given[int64](5000), given[int64](4999)
			},
			wantStartAt: now, wantEndAt: now.Add(24 * time.Hour), wantBuyNowPrice: 5000, wantBidIncrement: 1, wantReservePrice: 4999,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)

			terms := mustTerms(t, in)

			assert.Equal(t, tt.wantStartAt, terms.StartAt())
			assert.Equal(t, time.UTC, terms.StartAt().Location())
			assert.Equal(t, tt.wantEndAt, terms.EndAt())
			assert.Equal(t, time.UTC, terms.EndAt().Location())
			assert.Equal(t, in.StartPrice, terms.StartPrice())
			assert.Equal(t, tt.wantBuyNowPrice, terms.BuyNowPrice())
			assert.Equal(t, tt.wantBidIncrement, terms.BidIncrement())
			assert.Equal(t, tt.wantReservePrice, terms.ReservePrice())
		})
	}
}

func TestNewTermsZeroStartMeansNowInUTC(t *testing.T) {
	kstNow := now.In(time.FixedZone("KST", 9*60*60))

	terms, err := auction.NewTerms(auction.TermsInput{EndAt: given(now.Add(time.Hour)), StartPrice: 1000}, kstNow)

	require.NoError(t, err)
	assert.Equal(t, now, terms.StartAt())
	assert.Equal(t, time.UTC, terms.StartAt().Location())
}

func TestNewTermsRefuses(t *testing.T) {
	tests := []struct {
		name       string
		edit       func(*termsInput)
		wantFields []string
	}{
		{name: "no end", edit: func(in *termsInput) { in.EndAt = nil }, wantFields: []string{"end_at"}},
		{
			name:       "an end before the start",
			edit:       func(in *termsInput) { in.StartAt, in.EndAt = given(now.Add(2*time.Hour)), given(now.Add(time.Hour)) },
			wantFields: []string{"end_at"},
		},
		{
			name:       "an end at the start",
			edit:       func(in *termsInput) { in.StartAt, in.EndAt = given(now.Add(time.Hour)), given(now.Add(time.Hour)) },
			wantFields: []string{"end_at"},
		},
		{
			name: "an end already past, after a start within the minute",
			edit: func(in *termsInput) {
				in.StartAt, in.EndAt = given(now.Add(-time.Minute)), given(now.Add(-time.Second))
			},
			wantFields: []string{"end_at"},
		},
		{
			name:       "an end at now with no start: neither after the start nor ahead",
			edit:       func(in *termsInput) { in.EndAt = given(now) },
			wantFields: []string{"end_at", "end_at"},
		},
		{name: "a buy-now price equal to the start price", edit: func(in *termsInput) { in.BuyNowPrice = given[int64](1000) }, wantFields: []string{"buy_now_price"}},
		{name: "a buy-now price below the start price", edit: func(in *termsInput) { in.BuyNowPrice = given[int64](999) }, wantFields: []string{"buy_now_price"}},
		{name: "a negative buy-now price", edit: func(in *termsInput) { in.BuyNowPrice = given[int64](-1) }, wantFields: []string{"buy_now_price"}},
		{name: "a negative increment", edit: func(in *termsInput) { in.BidIncrement = given[int64](-1) }, wantFields: []string{"bid_increment"}},
		{name: "an increment of 0 given", edit: func(in *termsInput) { in.BidIncrement = given[int64](0) }, wantFields: []string{"bid_increment"}},
		{name: "a buy-now price of 0 given", edit: func(in *termsInput) { in.BuyNowPrice = given[int64](0) }, wantFields: []string{"buy_now_price"}},
		{
			name:       "a start a minute and a millisecond ago",
			edit:       func(in *termsInput) { in.StartAt = given(now.Add(-time.Minute - time.Millisecond)) },
			wantFields: []string{"start_at"},
		},
		{
			name:       "a start an hour ago",
			edit:       func(in *termsInput) { in.StartAt = given(now.Add(-time.Hour)) },
			wantFields: []string{"start_at"},
		},
		{name: "a reserve below the start price", edit: func(in *termsInput) { in.ReservePrice = given[int64](999) }, wantFields: []string{"reserve_price"}},
		{name: "a reserve of 0", edit: func(in *termsInput) { in.ReservePrice = given[int64](0) }, wantFields: []string{"reserve_price"}},
		{
			name:       "a reserve above the largest price",
			edit:       func(in *termsInput) { in.ReservePrice = given[int64](math.MaxInt64) },
			wantFields: []string{"reserve_price"},
		},
		{
			name:       "a reserve at the buy-now price",
			edit:       func(in *termsInput) { in.BuyNowPrice, in.ReservePrice = given[int64](5000), given[int64](5000) },
			wantFields: []string{"reserve_price"},
		},
		{
			name:       "a reserve above the buy-now price",
			edit:       func(in *termsInput) { in.BuyNowPrice, in.ReservePrice = given[int64](5000), given[int64](6000) },
			wantFields: []string{"reserve_price"},
		},
		{
			name: "every field at once",
			edit: func(in *termsInput) {
				in.StartAt, in.EndAt = given(now.Add(-time.Hour)), nil
				in.BuyNowPrice, in.BidIncrement, in.ReservePrice = given[int64](500), given[int64](-3), given[int64](600)
			},
			wantFields: []string{"start_at", "end_at", "buy_now_price", "bid_increment", "reserve_price", "reserve_price"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := validInput()
			tt.edit(&in)

			terms, err := in.terms()

			assert.Equal(t, tt.wantFields, fieldNames(t, err))
			assert.Equal(t, auction.Terms{}, terms)
		})
	}
}

// Whatever terms NewTerms accepts, the next bid must be above the highest one:
// an increment near math.MaxInt64 makes highest + increment wrap around to a
// negative minimum, which would let any amount through a BID_TOO_LOW check.
func TestMinNextBidNeverWrapsAroundForAcceptedTerms(t *testing.T) {
	for _, increment := range []int64{math.MaxInt64, math.MaxInt64 - 999, math.MaxInt64 / 2} {
		in := validInput()
		in.BidIncrement = given(increment)
		terms, err := in.terms()
		if err != nil {
			assert.Equal(t, []string{"bid_increment"}, fieldNames(t, err), "increment %d", increment)
			continue
		}
		highest := terms.StartPrice() + 4000
		a := auction.Restore(auction.Record{
			ID: 1, ArtID: 2, StartAt: terms.StartAt(), EndAt: terms.EndAt(), StartPrice: terms.StartPrice(),
			BidIncrement: terms.BidIncrement(), Status: auction.StatusOpen, HighestAmount: highest, HighestBidderID: 9, BidCount: 1,
		})

		assert.Greater(t, a.MinNextBid(), a.HighestAmount(), "increment %d accepted, yet the next bid may be lower than the highest", increment)
	}
}

func TestNewOpensAnAuctionWithoutBids(t *testing.T) {
	terms := mustTerms(t, termsInput{auction.TermsInput{EndAt: given(now.Add(time.Hour)), StartPrice: 5000,
		BuyNowPrice: given[int64](9000), BidIncrement: given[int64](100)}})

	a := auction.New(terms)

	assert.Zero(t, a.ID())
	assert.Zero(t, a.ArtID())
	assert.Equal(t, terms, a.Terms())
	assert.Equal(t, auction.StatusOpen, a.StoredStatus())
	assert.Equal(t, auction.StatusOpen, a.StatusAt(now))
	assert.False(t, a.HasBids())
	assert.Zero(t, a.BidCount())
	assert.Zero(t, a.ReadBidCount())
	assert.Zero(t, a.HighestAmount())
	assert.Zero(t, a.HighestBidderID())
}

func TestStatusAt(t *testing.T) {
	start := now.Add(time.Hour)
	end := now.Add(2 * time.Hour)
	stored := func(s auction.Status) *auction.Auction {
		return auction.Restore(auction.Record{ID: 1, ArtID: 2, StartAt: start, EndAt: end, StartPrice: 1000, BidIncrement: 1, Status: s})
	}
	tests := []struct {
		name     string
		stored   auction.Status
		at       time.Time
		want     auction.Status
		finished bool
	}{
		{name: "open before its start is scheduled", stored: auction.StatusOpen, at: start.Add(-time.Nanosecond), want: auction.StatusScheduled},
		{name: "open long before its start is scheduled", stored: auction.StatusOpen, at: now, want: auction.StatusScheduled},
		{name: "open at its start", stored: auction.StatusOpen, at: start, want: auction.StatusOpen},
		{name: "open after its start", stored: auction.StatusOpen, at: start.Add(time.Minute), want: auction.StatusOpen},
		{name: "open past its end until the closer finishes it", stored: auction.StatusOpen, at: end.Add(time.Hour), want: auction.StatusOpen},
		{name: "closed stays closed", stored: auction.StatusClosed, at: end.Add(time.Hour), want: auction.StatusClosed, finished: true},
		{name: "bought out stays bought out", stored: auction.StatusBoughtOut, at: start.Add(time.Minute), want: auction.StatusBoughtOut, finished: true},
		{name: "failed stays failed", stored: auction.StatusFailed, at: end.Add(time.Hour), want: auction.StatusFailed, finished: true},
		{name: "failed before its start is not scheduled", stored: auction.StatusFailed, at: now, want: auction.StatusFailed, finished: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := stored(tt.stored)

			assert.Equal(t, tt.want, a.StatusAt(tt.at))
			assert.Equal(t, tt.stored, a.StoredStatus())
			assert.Equal(t, tt.finished, a.Finished())
		})
	}
}

func TestNewAuctionWithALaterStartIsScheduledUntilThen(t *testing.T) {
	start := now.Add(30 * time.Minute)
	a := auction.New(mustTerms(t, termsInput{auction.TermsInput{StartAt: &start, EndAt: given(now.Add(time.Hour)), StartPrice: 1000}}))

	assert.Equal(t, auction.StatusScheduled, a.StatusAt(now))
	assert.Equal(t, auction.StatusOpen, a.StatusAt(start))
	assert.Equal(t, auction.StatusOpen, a.StoredStatus(), "scheduled is never stored")
}

func TestPricesWithAndWithoutBids(t *testing.T) {
	tests := []struct {
		name             string
		record           auction.Record
		wantHasBids      bool
		wantMinNextBid   int64
		wantCurrentPrice int64
	}{
		{
			name:           "no bid: the start price",
			record:         auction.Record{StartPrice: 5000, BidIncrement: 100},
			wantMinNextBid: 5000, wantCurrentPrice: 5000,
		},
		{
			name:           "no bid, default increment",
			record:         auction.Record{StartPrice: 1000, BidIncrement: 1},
			wantMinNextBid: 1000, wantCurrentPrice: 1000,
		},
		{
			name:           "one bid at the start price",
			record:         auction.Record{StartPrice: 5000, BidIncrement: 100, HighestAmount: 5000, HighestBidderID: 9, BidCount: 1},
			wantHasBids:    true,
			wantMinNextBid: 5100, wantCurrentPrice: 5000,
		},
		{
			name:           "several bids",
			record:         auction.Record{StartPrice: 5000, BidIncrement: 250, HighestAmount: 7300, HighestBidderID: 9, BidCount: 4},
			wantHasBids:    true,
			wantMinNextBid: 7550, wantCurrentPrice: 7300,
		},
		{
			name:           "increment 1",
			record:         auction.Record{StartPrice: 1000, BidIncrement: 1, HighestAmount: 1000, HighestBidderID: 9, BidCount: 1},
			wantHasBids:    true,
			wantMinNextBid: 1001, wantCurrentPrice: 1000,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.record
			r.ID, r.ArtID, r.Status = 1, 2, auction.StatusOpen
			r.StartAt, r.EndAt = now, now.Add(time.Hour)

			a := auction.Restore(r)

			assert.Equal(t, tt.wantHasBids, a.HasBids())
			assert.Equal(t, tt.wantMinNextBid, a.MinNextBid())
			assert.Equal(t, tt.wantCurrentPrice, a.CurrentPrice())
		})
	}
}

func TestRestoreKeepsEveryField(t *testing.T) {
	a := auction.Restore(auction.Record{
		ID: 1, ArtID: 2, StartAt: now, EndAt: now.Add(time.Hour), StartPrice: 5000, BuyNowPrice: 9000,
		BidIncrement: 100, ReservePrice: 8000, Status: auction.StatusClosed, HighestAmount: 7000, HighestBidderID: 9, BidCount: 3,
	})

	assert.Equal(t, int64(1), a.ID())
	assert.Equal(t, int64(2), a.ArtID())
	assert.Equal(t, now, a.Terms().StartAt())
	assert.Equal(t, now.Add(time.Hour), a.Terms().EndAt())
	assert.Equal(t, int64(5000), a.Terms().StartPrice())
	assert.Equal(t, int64(9000), a.Terms().BuyNowPrice())
	assert.Equal(t, int64(100), a.Terms().BidIncrement())
	assert.Equal(t, int64(8000), a.Terms().ReservePrice())
	assert.Equal(t, auction.StatusClosed, a.StoredStatus())
	assert.Equal(t, int64(7000), a.HighestAmount())
	assert.Equal(t, int64(9), a.HighestBidderID())
	assert.Equal(t, int64(3), a.BidCount())
	assert.Equal(t, int64(3), a.ReadBidCount())
	assert.True(t, a.HasBids())
}

func TestParseStatus(t *testing.T) {
	for _, s := range []auction.Status{auction.StatusOpen, auction.StatusClosed, auction.StatusBoughtOut, auction.StatusFailed} {
		got, err := auction.ParseStatus(string(s))

		require.NoError(t, err)
		assert.Equal(t, s, got)
	}
	for _, s := range []string{"scheduled", "", "OPEN", "cancelled"} {
		_, err := auction.ParseStatus(s)

		assert.Error(t, err, "ParseStatus(%q)", s)
	}
}
