package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/point"
)

// ChargePoints adds points bought by a member, with a ledger entry.
type ChargePoints struct {
	points PointStore
	tx     Transactor
	clock  Clock
}

// NewChargePoints builds the use case.
func NewChargePoints(points PointStore, tx Transactor, clock Clock) *ChargePoints {
	return &ChargePoints{points: points, tx: tx, clock: clock}
}

// Execute returns the balance after the charge.
func (uc *ChargePoints) Execute(ctx context.Context, memberID int64, amount int64) (point.Balance, error) {
	a, err := point.NewTransferAmount(amount)
	if err != nil {
		return point.Balance{}, err
	}
	var balance point.Balance
	err = uc.tx.WithinTx(ctx, func(ctx context.Context) error {
		balance, err = uc.points.Charge(ctx, memberID, a)
		if err != nil {
			return fmt.Errorf("charge points: %w", err)
		}
		entry := point.NewLedgerEntry(memberID, point.EntryCharge, a, 0, uc.clock.Now())
		if err := uc.points.AppendLedger(ctx, entry); err != nil {
			return fmt.Errorf("record charge: %w", err)
		}
		return nil
	})
	return balance, err
}
