package notification_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/notification"
)

// draft is a Draft's fields, to compare.
type draft struct {
	member                        int64
	kind                          notification.Kind
	art, auction, amount, actorID int64
}

func drafts(s notification.Set) []draft {
	var got []draft
	for _, d := range s.Drafts() {
		got = append(got, draft{d.MemberID(), d.Kind(), d.ArtID(), d.AuctionID(), d.Amount(), d.ActorID()})
	}
	return got
}

func TestParseKindKnowsTheKindsOfTheContract(t *testing.T) {
	for _, s := range []string{"outbid", "auction_won", "auction_lost", "art_sold", "auction_failed", "new_work"} {
		k, err := notification.ParseKind(s)
		require.NoError(t, err)
		assert.Equal(t, notification.Kind(s), k)
	}
	for _, s := range []string{"", "OUTBID", "sold"} {
		_, err := notification.ParseKind(s)
		assert.Error(t, err, "%q", s)
	}
}

func TestBidPlacedTellsTheLeaderItPassed(t *testing.T) {
	first := notification.BidPlaced(42, 5, 1000, 0)
	assert.True(t, first.Empty(), "a first bid outbids nobody")

	s := notification.BidPlaced(42, 5, 2100, 9)
	assert.Equal(t, []draft{{9, notification.KindOutbid, 42, 5, 2100, 0}}, drafts(s), "the amount is the new highest")
	_, ok := s.Losers()
	assert.False(t, ok)
	assert.False(t, s.Empty())
}

func TestAuctionSoldTellsBuyerSellerAndEveryOtherBidder(t *testing.T) {
	s := notification.AuctionSold(42, 5, 7, 9, 5000)

	assert.Equal(t, []draft{
		{9, notification.KindAuctionWon, 42, 5, 5000, 0},
		{7, notification.KindArtSold, 42, 5, 5000, 9},
	}, drafts(s), "no outbid: the auction ended instead")
	losers, ok := s.Losers()
	require.True(t, ok)
	assert.Equal(t, [4]int64{5, 42, 9, 5000}, [4]int64{losers.AuctionID(), losers.ArtID(), losers.BuyerID(), losers.Price()},
		"every bidder but the buyer lost, at the price")
}

func TestAuctionFailedTellsTheSellerAndEveryBidder(t *testing.T) {
	noBid := notification.AuctionFailed(42, 5, 7, false)
	assert.Equal(t, []draft{{7, notification.KindAuctionFailed, 42, 5, 0, 0}}, drafts(noBid))
	_, ok := noBid.Losers()
	assert.False(t, ok, "nobody bid, nobody lost")

	belowReserve := notification.AuctionFailed(42, 5, 7, true)
	assert.Equal(t, drafts(noBid), drafts(belowReserve))
	losers, ok := belowReserve.Losers()
	require.True(t, ok)
	assert.Equal(t, [4]int64{5, 42, 0, 0}, [4]int64{losers.AuctionID(), losers.ArtID(), losers.BuyerID(), losers.Price()},
		"every bidder lost, the leader too, with no price: nothing sold")
}

func TestArtPurchasedTellsTheSellerOnly(t *testing.T) {
	s := notification.ArtPurchased(42, 7, 9, 5000)

	assert.Equal(t, []draft{{7, notification.KindArtSold, 42, 0, 5000, 9}}, drafts(s), "no auction; the buyer is the actor")
	_, ok := s.Losers()
	assert.False(t, ok)
}

func TestWorkListedTellsEachFollower(t *testing.T) {
	s := notification.WorkListed(42, 7, []int64{3, 9})

	assert.Equal(t, []draft{
		{3, notification.KindNewWork, 42, 0, 0, 7},
		{9, notification.KindNewWork, 42, 0, 0, 7},
	}, drafts(s), "the artist is the actor")
	assert.True(t, notification.WorkListed(42, 7, nil).Empty())
}

func TestRestoreKeepsWhatStorageHolds(t *testing.T) {
	at := time.Date(2026, 5, 7, 10, 0, 0, 0, time.UTC)
	actor := &notification.Actor{ID: 9, Nickname: "bob"}
	n := notification.Restore(notification.Record{ID: 100, MemberID: 7, Seq: 3, Kind: notification.KindArtSold, ArtID: 42,
		AuctionID: 5, Amount: 5000, Actor: actor, Read: true, CreatedAt: at})
	actor.Nickname = "changed"

	assert.Equal(t, []int64{100, 7, 3, 42, 5, 5000}, []int64{n.ID(), n.MemberID(), n.Seq(), n.ArtID(), n.AuctionID(), n.Amount()})
	assert.Equal(t, notification.KindArtSold, n.Kind())
	assert.True(t, n.Read())
	assert.Equal(t, at, n.CreatedAt())
	got, ok := n.Actor()
	require.True(t, ok)
	assert.Equal(t, notification.Actor{ID: 9, Nickname: "bob"}, got, "a copy, not the record's")

	_, ok = notification.Restore(notification.Record{ID: 101, Kind: notification.KindOutbid}).Actor()
	assert.False(t, ok)
}
