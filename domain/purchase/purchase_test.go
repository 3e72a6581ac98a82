package purchase_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/purchase"
)

var soldAt = time.Date(2026, 4, 1, 10, 0, 0, 0, time.FixedZone("KST", 9*3600))

func TestNewRecordsASale(t *testing.T) {
	for _, kind := range []purchase.Kind{purchase.KindGeneral, purchase.KindAuction, purchase.KindBuyNow} {
		p, err := purchase.New(42, 9, 7, 5000, kind, soldAt)

		require.NoError(t, err, kind)
		assert.Zero(t, p.ID(), "the store gives the id")
		assert.Equal(t, int64(42), p.ArtID())
		assert.Equal(t, int64(9), p.BuyerID())
		assert.Equal(t, int64(7), p.SellerID())
		assert.Equal(t, int64(5000), p.Price())
		assert.Equal(t, kind, p.Kind())
		assert.True(t, soldAt.Equal(p.PurchasedAt()))
		assert.Equal(t, time.UTC, p.PurchasedAt().Location())
	}
}

func TestNewAcceptsTheSmallestValues(t *testing.T) {
	_, err := purchase.New(1, 1, 2, 1, purchase.KindGeneral, soldAt)

	assert.NoError(t, err)
}

func TestNewRefuses(t *testing.T) {
	tests := []struct {
		name                     string
		artID, buyerID, sellerID int64
		price                    int64
	}{
		{name: "no art", artID: 0, buyerID: 9, sellerID: 7, price: 5000},
		{name: "negative art", artID: -1, buyerID: 9, sellerID: 7, price: 5000},
		{name: "no buyer", artID: 42, buyerID: 0, sellerID: 7, price: 5000},
		{name: "negative buyer", artID: 42, buyerID: -9, sellerID: 7, price: 5000},
		{name: "no seller", artID: 42, buyerID: 9, sellerID: 0, price: 5000},
		{name: "negative seller", artID: 42, buyerID: 9, sellerID: -7, price: 5000},
		{name: "buyer is the seller", artID: 42, buyerID: 7, sellerID: 7, price: 5000},
		{name: "free", artID: 42, buyerID: 9, sellerID: 7, price: 0},
		{name: "negative price", artID: 42, buyerID: 9, sellerID: 7, price: -5000},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := purchase.New(tt.artID, tt.buyerID, tt.sellerID, tt.price, purchase.KindGeneral, soldAt)

			require.Error(t, err)
			assert.Equal(t, purchase.Purchase{}, p)
		})
	}
}

// docs/architecture.md: entities are built by constructors that validate, and enumerations
// are typed with a parse function. A kind that ParseKind refuses must not make
// a purchase either.
func TestNewRefusesAnUnknownKind(t *testing.T) {
	for _, kind := range []purchase.Kind{"", "gift", "GENERAL"} {
		_, err := purchase.New(42, 9, 7, 5000, kind, soldAt)

		assert.Error(t, err, "kind %q", kind)
	}
}

func TestRestoreKeepsEveryField(t *testing.T) {
	p := purchase.Restore(3, 42, 9, 7, 5000, purchase.KindBuyNow, soldAt)

	assert.Equal(t, int64(3), p.ID())
	assert.Equal(t, int64(42), p.ArtID())
	assert.Equal(t, int64(9), p.BuyerID())
	assert.Equal(t, int64(7), p.SellerID())
	assert.Equal(t, int64(5000), p.Price())
	assert.Equal(t, purchase.KindBuyNow, p.Kind())
	assert.Equal(t, soldAt, p.PurchasedAt())
}

func TestParseKind(t *testing.T) {
	for _, k := range []purchase.Kind{purchase.KindGeneral, purchase.KindAuction, purchase.KindBuyNow} {
		got, err := purchase.ParseKind(string(k))

		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
	for _, s := range []string{"", "gift", "BUY_NOW", "buy-now"} {
		_, err := purchase.ParseKind(s)

		assert.Error(t, err, s)
	}
}
