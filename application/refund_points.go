package application

import (
	"context"

	"github.com/artauction/artauction/domain/point"
)

// RefundPoints withdraws available points, with a ledger entry.
type RefundPoints struct {
	transfer pointTransfer
}

// NewRefundPoints builds the use case.
func NewRefundPoints(points PointStore, tx Transactor, clock Clock) *RefundPoints {
	return &RefundPoints{transfer: pointTransfer{points: points, tx: tx, clock: clock}}
}

// Execute returns point.ErrInsufficientPoints when available points fall short;
// points held by bids cannot be withdrawn.
func (uc *RefundPoints) Execute(ctx context.Context, memberID int64, amount int64) (point.Balance, error) {
	return uc.transfer.run(ctx, memberID, amount, point.EntryRefund, uc.transfer.points.Refund)
}
