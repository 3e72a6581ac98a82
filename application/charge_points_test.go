package application_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/point"
)

type pointsFixture struct {
	points *mock.MockPointStore
	tx     *mock.MockTransactor
	clock  *mock.MockClock
}

func newPointsFixture(t *testing.T) pointsFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	return pointsFixture{points: mock.NewMockPointStore(ctrl), tx: mock.NewMockTransactor(ctrl), clock: newFixedClock(ctrl)}
}

func (f pointsFixture) charge() *application.ChargePoints {
	return application.NewChargePoints(f.points, f.tx, f.clock)
}

func TestChargePointsRefusesAnAmountOutOfRange(t *testing.T) {
	for _, amount := range []int64{-5, 0, 100_000_001} {
		f := newPointsFixture(t)
		// No transaction is even started: gomock fails on it.

		_, err := f.charge().Execute(context.Background(), 7, amount)

		assert.Equal(t, []string{"amount"}, validationFieldNames(t, err), "amount %d", amount)
	}
}

func TestChargePointsChargesAndRecordsInOneTransaction(t *testing.T) {
	for _, amount := range []int64{1, 100_000_000} {
		f := newPointsFixture(t)
		after := point.RestoreBalance(1000+amount, 800+amount)
		expectOneTx(f.tx)
		gomock.InOrder(
			f.points.EXPECT().Charge(inTx(), int64(7), point.Amount(amount)).Return(after, nil),
			f.points.EXPECT().AppendLedger(inTx(),
				point.RestoreLedgerEntry(7, point.EntryCharge, amount, 0, fixedTestNow)).Return(nil),
		)

		got, err := f.charge().Execute(context.Background(), 7, amount)

		require.NoError(t, err)
		assert.Equal(t, after, got)
	}
}

func TestChargePointsFailures(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name    string
		arrange func(f pointsFixture)
	}{
		{
			name: "charging fails: nothing is recorded",
			arrange: func(f pointsFixture) {
				f.points.EXPECT().Charge(inTx(), gomock.Any(), gomock.Any()).Return(point.Balance{}, boom)
			},
		},
		{
			name: "recording fails: the transaction fails with it",
			arrange: func(f pointsFixture) {
				f.points.EXPECT().Charge(inTx(), gomock.Any(), gomock.Any()).Return(point.RestoreBalance(10, 10), nil)
				f.points.EXPECT().AppendLedger(inTx(), gomock.Any()).Return(boom)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newPointsFixture(t)
			expectOneTx(f.tx)
			tt.arrange(f)

			_, err := f.charge().Execute(context.Background(), 7, 10)

			assert.ErrorIs(t, err, boom)
		})
	}
}

func TestChargePointsReportsAFailedCommit(t *testing.T) {
	f := newPointsFixture(t)
	commitErr := errors.New("commit failed")
	f.tx.EXPECT().WithinTx(gomock.Any(), gomock.Any()).DoAndReturn(func(ctx context.Context, fn func(context.Context) error) error {
		if err := fn(context.WithValue(ctx, txMarker{}, true)); err != nil {
			return err
		}
		return commitErr
	})
	f.points.EXPECT().Charge(inTx(), gomock.Any(), gomock.Any()).Return(point.RestoreBalance(10, 10), nil)
	f.points.EXPECT().AppendLedger(inTx(), gomock.Any()).Return(nil)

	_, err := f.charge().Execute(context.Background(), 7, 10)

	assert.ErrorIs(t, err, commitErr)
}
