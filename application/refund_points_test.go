package application_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/point"
)

func (f pointsFixture) refund() *application.RefundPoints {
	return application.NewRefundPoints(f.points, f.tx, f.clock)
}

func TestRefundPointsRefusesAnAmountOutOfRange(t *testing.T) {
	for _, amount := range []int64{-5, 0, 100_000_001} {
		f := newPointsFixture(t)

		_, err := f.refund().Execute(context.Background(), 7, amount)

		assert.Equal(t, []string{"amount"}, validationFieldNames(t, err), "amount %d", amount)
	}
}

func TestRefundPointsWithdrawsAndRecordsInOneTransaction(t *testing.T) {
	f := newPointsFixture(t)
	after := point.RestoreBalance(700, 500)
	expectOneTx(f.tx)
	gomock.InOrder(
		f.points.EXPECT().Refund(inTx(), int64(7), point.Amount(300)).Return(after, nil),
		f.points.EXPECT().AppendLedger(inTx(), point.RestoreLedgerEntry(7, point.EntryRefund, 300, 0, fixedTestNow)).Return(nil),
	)

	got, err := f.refund().Execute(context.Background(), 7, 300)

	require.NoError(t, err)
	assert.Equal(t, after, got)
}

func TestRefundPointsBeyondAvailableRecordsNothing(t *testing.T) {
	f := newPointsFixture(t)
	expectOneTx(f.tx)
	f.points.EXPECT().Refund(inTx(), int64(7), point.Amount(900)).Return(point.Balance{}, point.ErrInsufficientPoints)
	// No ledger entry: gomock fails on AppendLedger.

	_, err := f.refund().Execute(context.Background(), 7, 900)

	assert.ErrorIs(t, err, point.ErrInsufficientPoints)
}

func TestRefundPointsFailsWhenTheLedgerCannotBeWritten(t *testing.T) {
	f := newPointsFixture(t)
	boom := errors.New("boom")
	expectOneTx(f.tx)
	f.points.EXPECT().Refund(inTx(), gomock.Any(), gomock.Any()).Return(point.RestoreBalance(0, 0), nil)
	f.points.EXPECT().AppendLedger(inTx(), gomock.Any()).Return(boom)

	_, err := f.refund().Execute(context.Background(), 7, 10)

	assert.ErrorIs(t, err, boom)
}
