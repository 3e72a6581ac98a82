package art_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/point"
)

func auctionArt(r *art.Record) { r.Type = art.TypeAuction }

func TestPurchaseRefusals(t *testing.T) {
	tests := []struct {
		name      string
		art       *art.Art
		buyerID   int64
		available int64
		want      error
	}{
		{name: "the owner", art: storedArt(), buyerID: ownerID, available: 1_000_000, want: art.ErrOwnArt},
		{name: "the owner of a sold auction art without points: OWN_ART first",
			art: storedArt(auctionArt, sold), buyerID: ownerID, available: 0, want: art.ErrOwnArt},

		{name: "sold", art: storedArt(sold), buyerID: strangerID, available: 1_000_000, want: art.ErrSold},
		{name: "sold auction art without points: ART_SOLD before NOT_FOR_DIRECT_SALE",
			art: storedArt(auctionWithBids, sold), buyerID: strangerID, available: 0, want: art.ErrSold},

		{name: "an auction art on sale", art: storedArt(auctionArt), buyerID: strangerID, available: 1_000_000, want: art.ErrNotForDirectSale},
		{name: "an auction art with bids", art: storedArt(auctionWithBids), buyerID: strangerID, available: 1_000_000, want: art.ErrNotForDirectSale},
		{name: "an auction art without points: NOT_FOR_DIRECT_SALE before INSUFFICIENT_POINTS",
			art: storedArt(auctionArt), buyerID: strangerID, available: 0, want: art.ErrNotForDirectSale},

		{name: "one point short", art: storedArt(), buyerID: strangerID, available: 4999, want: point.ErrInsufficientPoints},
		{name: "no points", art: storedArt(), buyerID: strangerID, available: 0, want: point.ErrInsufficientPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status := tt.art.Status()

			err := tt.art.Purchase(tt.buyerID, tt.available)

			require.ErrorIs(t, err, tt.want)
			for _, other := range []error{art.ErrOwnArt, art.ErrSold, art.ErrNotForDirectSale, point.ErrInsufficientPoints} {
				if !errors.Is(other, tt.want) {
					assert.NotErrorIs(t, err, other)
				}
			}
			assert.Equal(t, status, tt.art.Status(), "a refused purchase changes nothing")
		})
	}
}

func TestPurchaseOfAnUnsoldAuctionArtIsRefused(t *testing.T) {
	a := storedArt(auctionArt, unsold)

	err := a.Purchase(strangerID, 1_000_000)

	require.Error(t, err)
	assert.Equal(t, art.StatusUnsold, a.Status())
}

func TestPurchaseMarksTheArtSold(t *testing.T) {
	for _, available := range []int64{5000, 5001, 1_000_000} {
		a := storedArt()

		err := a.Purchase(strangerID, available)

		require.NoError(t, err, "available %d", available)
		assert.Equal(t, art.StatusSold, a.Status())
		assert.Equal(t, int64(5000), a.Price())
		assert.Equal(t, ownerID, a.OwnerID())
	}
}

func TestPurchaseTwiceIsSold(t *testing.T) {
	a := storedArt()
	require.NoError(t, a.Purchase(strangerID, 5000))

	err := a.Purchase(strangerID+1, 5000)

	assert.ErrorIs(t, err, art.ErrSold)
}

func TestFollowBidShowsTheAuctionsHighestBidAndCount(t *testing.T) {
	a := storedArt(auctionWithBids)

	a.FollowBid(7500, 4)

	assert.Equal(t, int64(7500), a.CurrentPrice())
	assert.Equal(t, int64(4), a.BidCount())
	assert.Equal(t, int64(5000), a.Price(), "the starting price stays")
	assert.Equal(t, art.StatusOnSale, a.Status())
}

func TestSellAtMarksTheArtSoldAtThePrice(t *testing.T) {
	a := storedArt(auctionWithBids)

	a.SellAt(9000)

	assert.Equal(t, art.StatusSold, a.Status())
	assert.Equal(t, int64(9000), a.CurrentPrice())
	assert.Equal(t, int64(3), a.BidCount())
}
