package application_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
)

func TestMemberBidStanding(t *testing.T) {
	tests := []struct {
		name     string
		auction  *auction.Auction
		buyerID  int64
		memberID int64
		want     string
	}{
		{name: "open, I lead", auction: storedAuction(auctionLedBy(bobID, 2100)), memberID: bobID, want: application.StandingLeading},
		{name: "open, someone else leads", auction: storedAuction(auctionLedBy(annID, 2200)), memberID: bobID, want: application.StandingOutbid},
		{name: "open past its end, not closed yet: still leading", auction: storedAuction(auctionLedBy(bobID, 2100), auctionEndingAt(fixedTestNow.Add(-time.Second))),
			memberID: bobID, want: application.StandingLeading},
		{name: "closed, I won", auction: storedAuction(auctionLedBy(bobID, 2100), auctionStatus(auction.StatusClosed)),
			buyerID: bobID, memberID: bobID, want: application.StandingWon},
		{name: "closed, someone else won", auction: storedAuction(auctionLedBy(annID, 2200), auctionStatus(auction.StatusClosed)),
			buyerID: annID, memberID: bobID, want: application.StandingLost},
		{name: "bought out by me while someone else led", auction: storedAuction(auctionLedBy(annID, 2200), auctionStatus(auction.StatusBoughtOut)),
			buyerID: bobID, memberID: bobID, want: application.StandingWon},
		{name: "bought out by me while I led", auction: storedAuction(auctionLedBy(bobID, 2200), auctionStatus(auction.StatusBoughtOut)),
			buyerID: bobID, memberID: bobID, want: application.StandingWon},
		{name: "bought out by someone else while I led: lost", auction: storedAuction(auctionLedBy(bobID, 2200), auctionStatus(auction.StatusBoughtOut)),
			buyerID: carlID, memberID: bobID, want: application.StandingLost},
		{name: "bought out by someone else while a third led", auction: storedAuction(auctionLedBy(annID, 2200), auctionStatus(auction.StatusBoughtOut)),
			buyerID: carlID, memberID: bobID, want: application.StandingLost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := application.MemberBid{Auction: tt.auction, MyBid: 2100, BuyerID: tt.buyerID}

			assert.Equal(t, tt.want, b.Standing(tt.memberID))
		})
	}
}

func TestMemberBidStandingOfEveryBidderOfOneAuction(t *testing.T) {
	closed := storedAuction(auctionLedBy(carlID, 3000), auctionStatus(auction.StatusClosed))
	boughtOut := storedAuction(auctionLedBy(carlID, 3000), auctionStatus(auction.StatusBoughtOut))

	for _, m := range []int64{annID, bobID, carlID} {
		want := application.StandingLost
		if m == carlID {
			want = application.StandingWon
		}
		assert.Equal(t, want, application.MemberBid{Auction: closed, BuyerID: carlID}.Standing(m), "closed, member %d", m)
	}
	for _, m := range []int64{annID, bobID, carlID} {
		want := application.StandingLost
		if m == annID {
			want = application.StandingWon
		}
		assert.Equal(t, want, application.MemberBid{Auction: boughtOut, BuyerID: annID}.Standing(m), "bought out by ann, member %d", m)
	}
}
