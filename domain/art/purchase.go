package art

import (
	"errors"

	"github.com/artauction/artauction/domain/point"
)

// Errors of buying an art outright.
var (
	ErrOwnArt           = errors.New("members may not buy their own art")
	ErrNotForDirectSale = errors.New("an auction art is sold by its auction only")
)

// Purchase checks, in the order of docs/rules.md, that buyerID may buy this general art
// with available points now, and marks it sold at its price.
func (a *Art) Purchase(buyerID, available int64) error {
	switch {
	case buyerID == a.ownerID:
		return ErrOwnArt
	case a.status == StatusSold:
		return ErrSold
	case a.artType != TypeGeneral || a.status != StatusOnSale:
		// An unsold art is an auction art whose auction failed: not sold, and
		// still not for direct sale.
		return ErrNotForDirectSale
	case available < a.price:
		return point.ErrInsufficientPoints
	}
	a.status = StatusSold
	return nil
}
