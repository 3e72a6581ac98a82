package application

import (
	"context"

	"github.com/artauction/artauction/domain/point"
)

// ChargePoints adds points bought by a member, with a ledger entry.
type ChargePoints struct {
	transfer pointTransfer
}

// NewChargePoints builds the use case.
func NewChargePoints(points PointStore, tx Transactor, clock Clock) *ChargePoints {
	return &ChargePoints{transfer: pointTransfer{points: points, tx: tx, clock: clock}}
}

// Execute returns the balance after the charge.
func (uc *ChargePoints) Execute(ctx context.Context, memberID int64, amount int64) (point.Balance, error) {
	return uc.transfer.run(ctx, memberID, amount, point.EntryCharge, uc.transfer.points.Charge)
}
