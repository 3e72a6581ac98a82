// Package point holds the member's points: an integer currency, never a float.
package point

import (
	"errors"
	"fmt"

	"github.com/artauction/artauction/domain/validation"
)

// MaxChargeAmount bounds one charge or refund so that balances stay far from
// int64 overflow.
const MaxChargeAmount int64 = 100_000_000

// MaxPrice bounds any price, bid or increment: far below int64 overflow even
// when added together.
const MaxPrice int64 = 1_000_000_000_000

// ErrInsufficientPoints is returned when available points do not cover an amount.
var ErrInsufficientPoints = errors.New("insufficient points")

// Amount is a strictly positive number of points.
type Amount int64

// NewTransferAmount validates an amount to charge or refund (1..MaxChargeAmount).
func NewTransferAmount(v int64) (Amount, error) {
	if v < 1 || v > MaxChargeAmount {
		return 0, validation.Field("amount", fmt.Sprintf("must be between 1 and %d", MaxChargeAmount))
	}
	return Amount(v), nil
}

// Int64 returns the amount as a plain integer.
func (a Amount) Int64() int64 { return int64(a) }

// Balance is what a member owns: total, and the part of it not held by bids.
type Balance struct {
	total     int64
	available int64
}

// RestoreBalance rebuilds a balance read from storage.
func RestoreBalance(total, available int64) Balance {
	return Balance{total: total, available: available}
}

// Total is every point the member owns, holds included.
func (b Balance) Total() int64 { return b.total }

// Available is what the member may spend now.
func (b Balance) Available() int64 { return b.available }

// Held is what open auctions the member leads keep on hold.
func (b Balance) Held() int64 { return b.total - b.available }

// Charge adds points to both total and available.
func (b Balance) Charge(a Amount) Balance {
	return Balance{total: b.total + int64(a), available: b.available + int64(a)}
}

// Refund withdraws points; only available points may be withdrawn.
func (b Balance) Refund(a Amount) (Balance, error) {
	if b.available < int64(a) {
		return b, ErrInsufficientPoints
	}
	return Balance{total: b.total - int64(a), available: b.available - int64(a)}, nil
}

// EntryType says why a member's total changed.
type EntryType string

// The ledger entry types of docs/rules.md.
const (
	EntryCharge   EntryType = "CHARGE"
	EntryRefund   EntryType = "REFUND"
	EntryPurchase EntryType = "PURCHASE"
	EntrySale     EntryType = "SALE"
)

// ParseEntryType turns stored text back into an EntryType.
func ParseEntryType(s string) (EntryType, error) {
	switch t := EntryType(s); t {
	case EntryCharge, EntryRefund, EntryPurchase, EntrySale:
		return t, nil
	}
	return "", fmt.Errorf("unknown ledger entry type %q", s)
}
