// Package purchase records sales: who bought which art from whom, for how much, and how.
package purchase

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is an unknown purchase.
var ErrNotFound = errors.New("purchase not found")

// Kind is how an art was bought.
type Kind string

// The kinds of the OpenAPI document.
const (
	KindGeneral Kind = "general"
	KindAuction Kind = "auction"
	KindBuyNow  Kind = "buy_now"
)

// ParseKind reads a stored kind.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case KindGeneral, KindAuction, KindBuyNow:
		return k, nil
	}
	return "", fmt.Errorf("unknown purchase kind %q", s)
}

// Purchase is one sale; an art is sold at most once.
type Purchase struct {
	id          int64
	artID       int64
	buyerID     int64
	sellerID    int64
	price       int64
	kind        Kind
	purchasedAt time.Time
}

// New records a sale.
func New(artID, buyerID, sellerID, price int64, kind Kind, at time.Time) (Purchase, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return Purchase{}, err
	}
	if artID < 1 || buyerID < 1 || sellerID < 1 || buyerID == sellerID || price < 1 {
		return Purchase{}, fmt.Errorf("purchase: invalid sale of art %d from %d to %d for %d", artID, sellerID, buyerID, price)
	}
	return Purchase{artID: artID, buyerID: buyerID, sellerID: sellerID, price: price, kind: kind, purchasedAt: at.UTC()}, nil
}

// Restore rebuilds a purchase read from storage.
func Restore(id, artID, buyerID, sellerID, price int64, kind Kind, at time.Time) Purchase {
	return Purchase{id: id, artID: artID, buyerID: buyerID, sellerID: sellerID, price: price, kind: kind, purchasedAt: at}
}

func (p Purchase) ID() int64              { return p.id }
func (p Purchase) ArtID() int64           { return p.artID }
func (p Purchase) BuyerID() int64         { return p.buyerID }
func (p Purchase) SellerID() int64        { return p.sellerID }
func (p Purchase) Price() int64           { return p.price }
func (p Purchase) Kind() Kind             { return p.kind }
func (p Purchase) PurchasedAt() time.Time { return p.purchasedAt }
