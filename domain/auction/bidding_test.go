package auction_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/point"
)

// Members of the bidding tests.
const (
	sellerID int64 = 7 // the art's owner
	annID    int64 = 3 // a bidder with a lower id than the seller
	bobID    int64 = 9 // a bidder with a higher id than the seller
	carlID   int64 = 12
)

// The terms of the bidding tests' auction: it runs from an hour ago to an hour
// ahead, starts at 1000, buy now at 5000, increment 100.
var (
	bidStart = now.Add(-time.Hour)
	bidEnd   = now.Add(time.Hour)
)

// openAuction is auction 5 of art 42, open now, without bids; edit tweaks the
// record first.
func openAuction(edit ...func(*auction.Record)) *auction.Auction {
	r := auction.Record{
		ID: 5, ArtID: 42, StartAt: bidStart, EndAt: bidEnd, StartPrice: 1000, BuyNowPrice: 5000,
		BidIncrement: 100, Status: auction.StatusOpen,
	}
	for _, e := range edit {
		e(&r)
	}
	return auction.Restore(r)
}

// ledBy gives the auction three bids, bidderID leading at amount.
func ledBy(bidderID, amount int64) func(*auction.Record) {
	return func(r *auction.Record) { r.HighestBidderID, r.HighestAmount, r.BidCount = bidderID, amount, 3 }
}

func withStatus(s auction.Status) func(*auction.Record) {
	return func(r *auction.Record) { r.Status = s }
}

func noBuyNow(r *auction.Record) { r.BuyNowPrice = 0 }

func withReserve(price int64) func(*auction.Record) {
	return func(r *auction.Record) { r.ReservePrice = price }
}

func rich(memberID int64) auction.Participant {
	return auction.Participant{MemberID: memberID, Available: 1_000_000}
}

// snapshot is what a refused call must leave untouched.
type snapshot struct {
	status                 auction.Status
	highest, leader, count int64
	endAt                  time.Time
}

func snap(a *auction.Auction) snapshot {
	return snapshot{a.StoredStatus(), a.HighestAmount(), a.HighestBidderID(), a.BidCount(), a.Terms().EndAt()}
}

func TestPlaceBidRefusals(t *testing.T) {
	tests := []struct {
		name    string
		auction *auction.Auction
		bidder  auction.Participant
		amount  int64
		at      time.Time
		want    error
	}{
		// OWN_AUCTION comes first.
		{name: "the owner", auction: openAuction(), bidder: rich(sellerID), amount: 1000, at: now, want: auction.ErrOwnAuction},
		{name: "the owner of a closed auction: OWN_AUCTION before AUCTION_NOT_OPEN",
			auction: openAuction(withStatus(auction.StatusClosed)), bidder: rich(sellerID), amount: 1000, at: now, want: auction.ErrOwnAuction},
		{name: "the owner bidding too low and without points: OWN_AUCTION first",
			auction: openAuction(ledBy(bobID, 2000)), bidder: auction.Participant{MemberID: sellerID}, amount: 1, at: now, want: auction.ErrOwnAuction},

		// AUCTION_NOT_OPEN.
		{name: "before the start", auction: openAuction(), bidder: rich(bobID), amount: 1000, at: bidStart.Add(-time.Nanosecond), want: auction.ErrNotOpen},
		{name: "exactly at the end", auction: openAuction(), bidder: rich(bobID), amount: 1000, at: bidEnd, want: auction.ErrNotOpen},
		{name: "after the end", auction: openAuction(), bidder: rich(bobID), amount: 1000, at: bidEnd.Add(time.Minute), want: auction.ErrNotOpen},
		{name: "closed", auction: openAuction(withStatus(auction.StatusClosed)), bidder: rich(bobID), amount: 1000, at: now, want: auction.ErrNotOpen},
		{name: "bought out", auction: openAuction(withStatus(auction.StatusBoughtOut)), bidder: rich(bobID), amount: 1000, at: now, want: auction.ErrNotOpen},
		{name: "failed", auction: openAuction(withStatus(auction.StatusFailed)), bidder: rich(bobID), amount: 1000, at: now, want: auction.ErrNotOpen},
		{name: "the leader of a closed auction: AUCTION_NOT_OPEN before ALREADY_HIGHEST_BIDDER",
			auction: openAuction(ledBy(bobID, 2000), withStatus(auction.StatusClosed)), bidder: rich(bobID), amount: 2100, at: now, want: auction.ErrNotOpen},
		{name: "too low after the end: AUCTION_NOT_OPEN before BID_TOO_LOW",
			auction: openAuction(), bidder: rich(bobID), amount: 1, at: bidEnd, want: auction.ErrNotOpen},

		// ALREADY_HIGHEST_BIDDER.
		{name: "the leader bids again", auction: openAuction(ledBy(bobID, 2000)), bidder: rich(bobID), amount: 2100, at: now, want: auction.ErrAlreadyHighestBidder},
		{name: "the leader bids too low: ALREADY_HIGHEST_BIDDER before BID_TOO_LOW",
			auction: openAuction(ledBy(bobID, 2000)), bidder: rich(bobID), amount: 1500, at: now, want: auction.ErrAlreadyHighestBidder},
		{name: "the leader bids the buy-now price without points: ALREADY_HIGHEST_BIDDER first",
			auction: openAuction(ledBy(bobID, 2000)), bidder: auction.Participant{MemberID: bobID}, amount: 5000, at: now, want: auction.ErrAlreadyHighestBidder},

		// USE_BUY_NOW.
		{name: "exactly the buy-now price", auction: openAuction(), bidder: rich(bobID), amount: 5000, at: now, want: auction.ErrUseBuyNow},
		{name: "above the buy-now price", auction: openAuction(ledBy(annID, 2000)), bidder: rich(bobID), amount: 9000, at: now, want: auction.ErrUseBuyNow},
		{name: "the buy-now price without the points: USE_BUY_NOW before INSUFFICIENT_POINTS",
			auction: openAuction(), bidder: auction.Participant{MemberID: bobID, Available: 10}, amount: 5000, at: now, want: auction.ErrUseBuyNow},

		// INSUFFICIENT_POINTS.
		{name: "available one short", auction: openAuction(), bidder: auction.Participant{MemberID: bobID, Available: 1099}, amount: 1100, at: now, want: point.ErrInsufficientPoints},
		{name: "no points at all", auction: openAuction(ledBy(annID, 2000)), bidder: auction.Participant{MemberID: bobID}, amount: 2100, at: now, want: point.ErrInsufficientPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snap(tt.auction)

			out, err := tt.auction.PlaceBid(tt.bidder, sellerID, tt.amount, tt.at, 2*time.Minute)

			require.ErrorIs(t, err, tt.want)
			var tooLow *auction.BidTooLowError
			assert.NotErrorAs(t, err, &tooLow, "not BID_TOO_LOW")
			assert.Equal(t, auction.BidOutcome{}, out)
			assert.Equal(t, before, snap(tt.auction), "a refused bid changes nothing")
		})
	}
}

func TestPlaceBidTooLow(t *testing.T) {
	tests := []struct {
		name    string
		auction *auction.Auction
		bidder  auction.Participant
		amount  int64
		wantMin int64
	}{
		{name: "first bid under the start price", auction: openAuction(), bidder: rich(bobID), amount: 999, wantMin: 1000},
		{name: "first bid far under the start price", auction: openAuction(), bidder: rich(bobID), amount: 1, wantMin: 1000},
		{name: "equal to the highest bid", auction: openAuction(ledBy(annID, 2000)), bidder: rich(bobID), amount: 2000, wantMin: 2100},
		{name: "one under highest + increment", auction: openAuction(ledBy(annID, 2000)), bidder: rich(bobID), amount: 2099, wantMin: 2100},
		{name: "too low without points: BID_TOO_LOW before INSUFFICIENT_POINTS",
			auction: openAuction(ledBy(annID, 2000)), bidder: auction.Participant{MemberID: bobID}, amount: 2050, wantMin: 2100},
		{name: "too low with no buy-now price", auction: openAuction(noBuyNow, ledBy(annID, 2000)), bidder: rich(bobID), amount: 2001, wantMin: 2100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snap(tt.auction)

			_, err := tt.auction.PlaceBid(tt.bidder, sellerID, tt.amount, now, 0)

			var tooLow *auction.BidTooLowError
			require.ErrorAs(t, err, &tooLow)
			assert.Equal(t, tt.wantMin, tooLow.MinNextBid)
			assert.Contains(t, tooLow.Error(), strconv.FormatInt(tt.wantMin, 10))
			assert.Equal(t, before, snap(tt.auction))
		})
	}
}

func TestPlaceBidFirstBidAtExactlyTheStartPrice(t *testing.T) {
	a := openAuction()

	out, err := a.PlaceBid(auction.Participant{MemberID: bobID, Available: 1000}, sellerID, 1000, now, 0)

	require.NoError(t, err)
	assert.Equal(t, auction.BidOutcome{}, out, "no previous leader, nothing extended")
	assert.Equal(t, int64(1000), a.HighestAmount())
	assert.Equal(t, bobID, a.HighestBidderID())
	assert.Equal(t, int64(1), a.BidCount())
	assert.Equal(t, int64(1100), a.MinNextBid())
	assert.Equal(t, auction.StatusOpen, a.StoredStatus())
	assert.Equal(t, bidEnd, a.Terms().EndAt())
}

func TestPlaceBidAtTheStartInstant(t *testing.T) {
	a := openAuction()

	_, err := a.PlaceBid(rich(bobID), sellerID, 1000, bidStart, 0)

	require.NoError(t, err)
}

func TestPlaceBidOutbidsTheLeader(t *testing.T) {
	a := openAuction(ledBy(annID, 2000))

	out, err := a.PlaceBid(auction.Participant{MemberID: bobID, Available: 2100}, sellerID, 2100, now, 0)

	require.NoError(t, err)
	assert.Equal(t, auction.BidOutcome{PreviousLeaderID: annID, PreviousAmount: 2000}, out)
	assert.Equal(t, int64(2100), a.HighestAmount())
	assert.Equal(t, bobID, a.HighestBidderID())
	assert.Equal(t, int64(4), a.BidCount())
}

func TestTheBidCountAsReadOutlivesEveryChange(t *testing.T) {
	a := openAuction(ledBy(annID, 2000))

	_, err := a.PlaceBid(rich(bobID), sellerID, 2100, now, 0)
	require.NoError(t, err)
	_, err = a.PlaceBid(rich(carlID), sellerID, 2200, now, 0)
	require.NoError(t, err)
	_, err = a.BuyNow(rich(annID), sellerID, now)
	require.NoError(t, err)

	assert.Equal(t, int64(5), a.BidCount())
	assert.Equal(t, int64(3), a.ReadBidCount(), "what storage held when the auction was read")
}

func TestPlaceBidJustUnderTheBuyNowPrice(t *testing.T) {
	a := openAuction(ledBy(annID, 2000))

	_, err := a.PlaceBid(rich(bobID), sellerID, 4999, now, 0)

	require.NoError(t, err)
	assert.Equal(t, int64(4999), a.HighestAmount())
}

func TestPlaceBidWithoutBuyNowPriceHasNoCeiling(t *testing.T) {
	a := openAuction(noBuyNow)

	_, err := a.PlaceBid(rich(bobID), sellerID, 900_000, now, 0)

	require.NoError(t, err)
	assert.Equal(t, int64(900_000), a.HighestAmount())
}

func TestPlaceBidASequenceOfBids(t *testing.T) {
	a := openAuction()
	steps := []struct {
		bidder     int64
		amount     int64
		wantPrevID int64
		wantPrev   int64
	}{
		{bobID, 1000, 0, 0},
		{annID, 1100, bobID, 1000},
		{carlID, 1500, annID, 1100},
		{bobID, 1600, carlID, 1500},
	}
	for i, s := range steps {
		out, err := a.PlaceBid(rich(s.bidder), sellerID, s.amount, now, 0)

		require.NoError(t, err, "step %d", i)
		assert.Equal(t, auction.BidOutcome{PreviousLeaderID: s.wantPrevID, PreviousAmount: s.wantPrev}, out, "step %d", i)
		assert.Equal(t, int64(i+1), a.BidCount())
		assert.Equal(t, s.bidder, a.HighestBidderID())
		assert.Equal(t, s.amount, a.HighestAmount())
	}
}

func TestPlaceBidSoftClose(t *testing.T) {
	const window = 2 * time.Minute
	tests := []struct {
		name         string
		at           time.Time
		window       time.Duration
		wantExtended bool
		wantEnd      time.Time
	}{
		{name: "inside the window: the end moves to the bid plus the window",
			at: bidEnd.Add(-30 * time.Second), window: window, wantExtended: true, wantEnd: bidEnd.Add(-30 * time.Second).Add(window)},
		{name: "in the last nanosecond",
			at: bidEnd.Add(-time.Nanosecond), window: window, wantExtended: true, wantEnd: bidEnd.Add(-time.Nanosecond).Add(window)},
		{name: "exactly the window left: the end would not move",
			at: bidEnd.Add(-window), window: window, wantExtended: false, wantEnd: bidEnd},
		{name: "outside the window: unchanged",
			at: bidEnd.Add(-10 * time.Minute), window: window, wantExtended: false, wantEnd: bidEnd},
		{name: "window 0: never extended, even in the last second",
			at: bidEnd.Add(-time.Second), window: 0, wantExtended: false, wantEnd: bidEnd},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := openAuction()

			out, err := a.PlaceBid(rich(bobID), sellerID, 1000, tt.at, tt.window)

			require.NoError(t, err)
			assert.Equal(t, tt.wantExtended, out.Extended)
			assert.True(t, tt.wantEnd.Equal(a.Terms().EndAt()), "end %s, want %s", a.Terms().EndAt(), tt.wantEnd)
			assert.Equal(t, time.UTC, a.Terms().EndAt().Location())
		})
	}
}

func TestPlaceBidSoftCloseKeepsTheAuctionOpenForTheNextBid(t *testing.T) {
	a := openAuction()
	first := bidEnd.Add(-time.Minute)
	_, err := a.PlaceBid(rich(bobID), sellerID, 1000, first, 2*time.Minute)
	require.NoError(t, err)

	// After the original end, before the extended one.
	later := bidEnd.Add(30 * time.Second)
	out, err := a.PlaceBid(rich(annID), sellerID, 1100, later, 2*time.Minute)

	require.NoError(t, err)
	assert.True(t, out.Extended)
	assert.Equal(t, later.Add(2*time.Minute), a.Terms().EndAt())
	_, err = a.Close(later.Add(time.Minute))
	assert.ErrorIs(t, err, auction.ErrNotEnded, "the extended auction is not over yet")
}

func TestBuyNowRefusals(t *testing.T) {
	tests := []struct {
		name    string
		auction *auction.Auction
		buyer   auction.Participant
		at      time.Time
		want    error
	}{
		{name: "the owner", auction: openAuction(), buyer: rich(sellerID), at: now, want: auction.ErrOwnAuction},
		{name: "the owner of a closed auction without buy-now or points: OWN_AUCTION first",
			auction: openAuction(noBuyNow, withStatus(auction.StatusClosed)), buyer: auction.Participant{MemberID: sellerID}, at: now, want: auction.ErrOwnAuction},

		{name: "before the start", auction: openAuction(), buyer: rich(bobID), at: bidStart.Add(-time.Second), want: auction.ErrNotOpen},
		{name: "at the end", auction: openAuction(), buyer: rich(bobID), at: bidEnd, want: auction.ErrNotOpen},
		{name: "after the end", auction: openAuction(), buyer: rich(bobID), at: bidEnd.Add(time.Second), want: auction.ErrNotOpen},
		{name: "already bought out", auction: openAuction(withStatus(auction.StatusBoughtOut)), buyer: rich(bobID), at: now, want: auction.ErrNotOpen},
		{name: "closed", auction: openAuction(withStatus(auction.StatusClosed)), buyer: rich(bobID), at: now, want: auction.ErrNotOpen},
		{name: "failed, without buy-now price or points: AUCTION_NOT_OPEN before the rest",
			auction: openAuction(noBuyNow, withStatus(auction.StatusFailed)), buyer: auction.Participant{MemberID: bobID}, at: now, want: auction.ErrNotOpen},

		{name: "no buy-now price", auction: openAuction(noBuyNow), buyer: rich(bobID), at: now, want: auction.ErrBuyNowUnavailable},
		{name: "the highest bid has reached the buy-now price",
			auction: openAuction(ledBy(annID, 5000)), buyer: rich(bobID), at: now, want: auction.ErrBuyNowUnavailable},
		{name: "the highest bid is above the buy-now price",
			auction: openAuction(ledBy(annID, 6000)), buyer: rich(bobID), at: now, want: auction.ErrBuyNowUnavailable},
		{name: "no buy-now price and no points: BUY_NOW_UNAVAILABLE before INSUFFICIENT_POINTS",
			auction: openAuction(noBuyNow), buyer: auction.Participant{MemberID: bobID}, at: now, want: auction.ErrBuyNowUnavailable},

		{name: "available one short", auction: openAuction(), buyer: auction.Participant{MemberID: bobID, Available: 4999}, at: now, want: point.ErrInsufficientPoints},
		{name: "another member's hold does not count",
			auction: openAuction(ledBy(annID, 3000)), buyer: auction.Participant{MemberID: bobID, Available: 2000}, at: now, want: point.ErrInsufficientPoints},
		{name: "the leader: available plus own hold one short",
			auction: openAuction(ledBy(bobID, 3000)), buyer: auction.Participant{MemberID: bobID, Available: 1999}, at: now, want: point.ErrInsufficientPoints},
		{name: "the leader with nothing available: a hold is always below the price",
			auction: openAuction(ledBy(bobID, 4999)), buyer: auction.Participant{MemberID: bobID}, at: now, want: point.ErrInsufficientPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := snap(tt.auction)

			s, err := tt.auction.BuyNow(tt.buyer, sellerID, tt.at)

			require.ErrorIs(t, err, tt.want)
			for _, other := range []error{auction.ErrOwnAuction, auction.ErrNotOpen, auction.ErrBuyNowUnavailable, point.ErrInsufficientPoints} {
				if !errors.Is(other, tt.want) {
					assert.NotErrorIs(t, err, other)
				}
			}
			assert.Equal(t, auction.Settlement{}, s)
			assert.Equal(t, before, snap(tt.auction), "a refused buy-now changes nothing")
		})
	}
}

func TestBuyNowSettles(t *testing.T) {
	tests := []struct {
		name    string
		auction *auction.Auction
		buyer   auction.Participant
		want    auction.Settlement
	}{
		{name: "no bid yet: nothing held, nothing released",
			auction: openAuction(), buyer: auction.Participant{MemberID: bobID, Available: 5000},
			want: auction.Settlement{BuyerID: bobID, Price: 5000}},
		{name: "another member leads: their hold is released",
			auction: openAuction(ledBy(annID, 3000)), buyer: auction.Participant{MemberID: bobID, Available: 5000},
			want: auction.Settlement{BuyerID: bobID, Price: 5000, ReleasedID: annID, ReleasedAmount: 3000}},
		{name: "the leader: their own hold counts (available + held = price)",
			auction: openAuction(ledBy(bobID, 3000)), buyer: auction.Participant{MemberID: bobID, Available: 2000},
			want: auction.Settlement{BuyerID: bobID, Price: 5000, BuyerHeld: 3000}},
		{name: "the leader with a hold just under the price and 1 available: exactly covered",
			auction: openAuction(ledBy(bobID, 4999)), buyer: auction.Participant{MemberID: bobID, Available: 1},
			want: auction.Settlement{BuyerID: bobID, Price: 5000, BuyerHeld: 4999}},
		{name: "just under the buy-now price is still below it",
			auction: openAuction(ledBy(annID, 4999)), buyer: rich(carlID),
			want: auction.Settlement{BuyerID: carlID, Price: 5000, ReleasedID: annID, ReleasedAmount: 4999}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.auction
			highest, leader, count, end := a.HighestAmount(), a.HighestBidderID(), a.BidCount(), a.Terms().EndAt()

			s, err := a.BuyNow(tt.buyer, sellerID, now)

			require.NoError(t, err)
			assert.Equal(t, tt.want, s)
			assert.Equal(t, auction.StatusBoughtOut, a.StoredStatus())
			assert.Equal(t, auction.StatusBoughtOut, a.StatusAt(now))
			assert.Equal(t, count, a.BidCount(), "buy-now is not a bid")
			assert.Equal(t, highest, a.HighestAmount())
			assert.Equal(t, leader, a.HighestBidderID())
			assert.Equal(t, end, a.Terms().EndAt())

			_, err = a.PlaceBid(rich(carlID+1), sellerID, a.MinNextBid(), now, 0)
			assert.ErrorIs(t, err, auction.ErrNotOpen, "no bid after buy-now")
			_, err = a.BuyNow(rich(carlID+1), sellerID, now)
			assert.ErrorIs(t, err, auction.ErrNotOpen, "no second buy-now")
			_, err = a.Close(bidEnd)
			assert.ErrorIs(t, err, auction.ErrNotOpen, "the closer skips it")
		})
	}
}

func TestCloseBeforeTheEnd(t *testing.T) {
	a := openAuction(ledBy(bobID, 2000))

	c, err := a.Close(bidEnd.Add(-time.Nanosecond))

	require.ErrorIs(t, err, auction.ErrNotEnded)
	assert.Equal(t, auction.Closing{}, c)
	assert.Equal(t, auction.StatusOpen, a.StoredStatus())
}

func TestCloseWithoutBidsFails(t *testing.T) {
	for _, reserve := range []int64{0, 1000, 3000} {
		a := openAuction(withReserve(reserve))

		c, err := a.Close(bidEnd)

		require.NoError(t, err)
		assert.False(t, c.Sold())
		assert.Equal(t, auction.Closing{Failure: auction.FailedNoBid}, c, "reserve %d", reserve)
		assert.Equal(t, auction.StatusFailed, a.StoredStatus())
	}
}

func TestCloseWithBidsSellsToTheLeader(t *testing.T) {
	a := openAuction(ledBy(bobID, 2300))

	c, err := a.Close(bidEnd.Add(time.Second))

	require.NoError(t, err)
	assert.True(t, c.Sold())
	assert.Equal(t, auction.Closing{Sale: auction.Settlement{BuyerID: bobID, Price: 2300, BuyerHeld: 2300}}, c)
	assert.Equal(t, auction.StatusClosed, a.StoredStatus())
	assert.Equal(t, int64(3), a.BidCount())
}

func TestCloseAgainstTheReserve(t *testing.T) {
	tests := []struct {
		name    string
		reserve int64
		highest int64
		want    auction.Closing
		status  auction.Status
	}{
		{name: "the highest bid exactly at the reserve sells", reserve: 2300, highest: 2300,
			want:   auction.Closing{Sale: auction.Settlement{BuyerID: bobID, Price: 2300, BuyerHeld: 2300}},
			status: auction.StatusClosed},
		{name: "above the reserve sells at the highest bid, not the reserve", reserve: 2000, highest: 2300,
			want:   auction.Closing{Sale: auction.Settlement{BuyerID: bobID, Price: 2300, BuyerHeld: 2300}},
			status: auction.StatusClosed},
		{name: "one below the reserve fails and gives the leader's hold back", reserve: 2301, highest: 2300,
			want:   auction.Closing{Failure: auction.FailedBelowReserve, ReleasedID: bobID, ReleasedAmount: 2300},
			status: auction.StatusFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := openAuction(withReserve(tt.reserve), ledBy(bobID, tt.highest))

			c, err := a.Close(bidEnd)

			require.NoError(t, err)
			assert.Equal(t, tt.want, c)
			assert.Equal(t, tt.want.Failure == "", c.Sold())
			assert.Equal(t, tt.status, a.StoredStatus())
			assert.Equal(t, tt.highest, a.HighestAmount(), "a close keeps the bids as they were")
			assert.Equal(t, bobID, a.HighestBidderID())
		})
	}
}

func TestReserveMet(t *testing.T) {
	tests := []struct {
		name           string
		edit           []func(*auction.Record)
		wantMet, wantR bool
	}{
		{name: "no reserve", edit: nil, wantMet: false, wantR: false},
		{name: "no reserve, with bids", edit: []func(*auction.Record){ledBy(bobID, 4000)}, wantMet: false, wantR: false},
		{name: "a reserve and no bid yet", edit: []func(*auction.Record){withReserve(1000)}, wantMet: false, wantR: true},
		{name: "the highest bid below it", edit: []func(*auction.Record){withReserve(3000), ledBy(bobID, 2999)}, wantMet: false, wantR: true},
		{name: "the highest bid at it", edit: []func(*auction.Record){withReserve(3000), ledBy(bobID, 3000)}, wantMet: true, wantR: true},
		{name: "the highest bid above it", edit: []func(*auction.Record){withReserve(3000), ledBy(bobID, 4000)}, wantMet: true, wantR: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			met, hasReserve := openAuction(tt.edit...).ReserveMet()

			assert.Equal(t, tt.wantMet, met)
			assert.Equal(t, tt.wantR, hasReserve)
		})
	}
}

func TestReserveMetFollowsTheBids(t *testing.T) {
	a := openAuction(withReserve(1200))

	_, err := a.PlaceBid(rich(bobID), sellerID, 1000, now, 0)
	require.NoError(t, err)
	met, _ := a.ReserveMet()
	assert.False(t, met, "1000 is below the reserve of 1200")

	_, err = a.PlaceBid(rich(annID), sellerID, 1200, now, 0)
	require.NoError(t, err)
	met, _ = a.ReserveMet()
	assert.True(t, met, "1200 reaches it")
}

func TestBuyNowIgnoresTheReserve(t *testing.T) {
	a := openAuction(withReserve(4000), ledBy(annID, 2000))

	s, err := a.BuyNow(rich(bobID), sellerID, now)

	require.NoError(t, err)
	assert.Equal(t, auction.Settlement{BuyerID: bobID, Price: 5000, ReleasedID: annID, ReleasedAmount: 2000}, s)
	assert.Equal(t, auction.StatusBoughtOut, a.StoredStatus())
}

func TestCloseTwiceIsNotOpen(t *testing.T) {
	for _, a := range []*auction.Auction{openAuction(), openAuction(ledBy(bobID, 2000)), openAuction(withReserve(3000), ledBy(bobID, 2000))} {
		_, err := a.Close(bidEnd)
		require.NoError(t, err)
		status := a.StoredStatus()

		c, err := a.Close(bidEnd.Add(time.Hour))

		require.ErrorIs(t, err, auction.ErrNotOpen)
		assert.Equal(t, auction.Closing{}, c)
		assert.Equal(t, status, a.StoredStatus())
	}
}

func TestCloseOfAnAuctionAlreadyEndedOtherwise(t *testing.T) {
	for _, st := range []auction.Status{auction.StatusClosed, auction.StatusBoughtOut, auction.StatusFailed} {
		// Not ended yet AND not open: AUCTION_NOT_OPEN is what the closer sees.
		a := openAuction(withStatus(st))

		c, err := a.Close(now)

		require.ErrorIs(t, err, auction.ErrNotOpen, st)
		assert.Equal(t, auction.Closing{}, c)
		assert.Equal(t, st, a.StoredStatus())
	}
}

func TestPlaceBidAfterCloseIsNotOpen(t *testing.T) {
	a := openAuction(ledBy(annID, 2000))
	_, err := a.Close(bidEnd)
	require.NoError(t, err)

	// Even with a clock running behind the close, a closed auction takes no bid.
	_, err = a.PlaceBid(rich(bobID), sellerID, 2100, now, 0)

	assert.ErrorIs(t, err, auction.ErrNotOpen)
	assert.Equal(t, int64(2000), a.HighestAmount())
}

func TestBidTooLowErrorMessage(t *testing.T) {
	err := &auction.BidTooLowError{MinNextBid: 2100}

	assert.Equal(t, "the bid must be at least 2100", err.Error())
}
