package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/point"
)

// RefundPoints withdraws available points, with a ledger entry.
type RefundPoints struct {
	points PointStore
	tx     Transactor
	clock  Clock
}

// NewRefundPoints builds the use case.
func NewRefundPoints(points PointStore, tx Transactor, clock Clock) *RefundPoints {
	return &RefundPoints{points: points, tx: tx, clock: clock}
}

// Execute returns point.ErrInsufficientPoints when available points fall short;
// points held by bids cannot be withdrawn.
func (uc *RefundPoints) Execute(ctx context.Context, memberID int64, amount int64) (point.Balance, error) {
	a, err := point.NewTransferAmount(amount)
	if err != nil {
		return point.Balance{}, err
	}
	var balance point.Balance
	err = uc.tx.WithinTx(ctx, func(ctx context.Context) error {
		balance, err = uc.points.Refund(ctx, memberID, a)
		if err != nil {
			return fmt.Errorf("refund points: %w", err)
		}
		entry := point.NewLedgerEntry(memberID, point.EntryRefund, a, 0, uc.clock.Now())
		if err := uc.points.AppendLedger(ctx, entry); err != nil {
			return fmt.Errorf("record refund: %w", err)
		}
		return nil
	})
	return balance, err
}
