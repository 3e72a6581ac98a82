package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/point"
)

// pointTransfer moves points in or out of a member's account and records the
// move in the ledger within one transaction; charges and refunds share it.
type pointTransfer struct {
	points PointStore
	tx     Transactor
	clock  Clock
}

type pointMove func(ctx context.Context, memberID int64, amount point.Amount) (point.Balance, error)

func (t pointTransfer) run(ctx context.Context, memberID, amount int64, entryType point.EntryType, move pointMove) (point.Balance, error) {
	a, err := point.NewTransferAmount(amount)
	if err != nil {
		return point.Balance{}, err
	}
	var balance point.Balance
	err = t.tx.WithinTx(ctx, func(ctx context.Context) error {
		balance, err = move(ctx, memberID, a)
		if err != nil {
			return fmt.Errorf("%s points: %w", entryType, err)
		}
		entry := point.NewLedgerEntry(memberID, entryType, a, 0, t.clock.Now())
		if err := t.points.AppendLedger(ctx, entry); err != nil {
			return fmt.Errorf("record %s: %w", entryType, err)
		}
		return nil
	})
	return balance, err
}
