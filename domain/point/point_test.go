package point_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/validation"
)

func TestNewTransferAmount(t *testing.T) {
	tests := []struct {
		value   int64
		wantErr bool
	}{
		{value: -1, wantErr: true},
		{value: 0, wantErr: true},
		{value: 1},
		{value: 100_000_000},
		{value: 100_000_001, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.value), func(t *testing.T) {
			got, err := point.NewTransferAmount(tt.value)

			if tt.wantErr {
				var verr *validation.Error
				require.ErrorAs(t, err, &verr)
				require.Len(t, verr.Fields(), 1)
				assert.Equal(t, "amount", verr.Fields()[0].Field)
				assert.Zero(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.value, got.Int64())
		})
	}
}

func TestBalanceParts(t *testing.T) {
	b := point.RestoreBalance(1000, 400)

	assert.Equal(t, int64(1000), b.Total())
	assert.Equal(t, int64(400), b.Available())
	assert.Equal(t, int64(600), b.Held())
}

func mustAmount(t *testing.T, v int64) point.Amount {
	t.Helper()
	a, err := point.NewTransferAmount(v)
	require.NoError(t, err)
	return a
}

func TestChargeRaisesTotalAndAvailable(t *testing.T) {
	tests := []struct {
		name   string
		before point.Balance
		amount int64
		want   point.Balance
	}{
		{name: "empty balance", before: point.Balance{}, amount: 1, want: point.RestoreBalance(1, 1)},
		{name: "with a hold", before: point.RestoreBalance(1000, 400), amount: 500, want: point.RestoreBalance(1500, 900)},
		{name: "largest charge", before: point.RestoreBalance(5, 5), amount: point.MaxChargeAmount,
			want: point.RestoreBalance(point.MaxChargeAmount+5, point.MaxChargeAmount+5)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.before.Charge(mustAmount(t, tt.amount))

			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.before.Held(), got.Held(), "a charge never changes the hold")
		})
	}
}

func TestRefund(t *testing.T) {
	tests := []struct {
		name    string
		before  point.Balance
		amount  int64
		want    point.Balance
		wantErr error
	}{
		{name: "part of available", before: point.RestoreBalance(1000, 1000), amount: 300, want: point.RestoreBalance(700, 700)},
		{name: "all available", before: point.RestoreBalance(1000, 400), amount: 400, want: point.RestoreBalance(600, 0)},
		{name: "more than available", before: point.RestoreBalance(1000, 1000), amount: 1001,
			want: point.RestoreBalance(1000, 1000), wantErr: point.ErrInsufficientPoints},
		{name: "held points cannot be withdrawn", before: point.RestoreBalance(1000, 400), amount: 401,
			want: point.RestoreBalance(1000, 400), wantErr: point.ErrInsufficientPoints},
		{name: "empty balance", before: point.Balance{}, amount: 1,
			want: point.Balance{}, wantErr: point.ErrInsufficientPoints},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.before.Refund(mustAmount(t, tt.amount))

			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.before.Held(), got.Held(), "a refund never changes the hold")
		})
	}
}

func TestParseEntryType(t *testing.T) {
	tests := []struct {
		raw     string
		want    point.EntryType
		wantErr bool
	}{
		{raw: "CHARGE", want: point.EntryCharge},
		{raw: "REFUND", want: point.EntryRefund},
		{raw: "PURCHASE", want: point.EntryPurchase},
		{raw: "SALE", want: point.EntrySale},
		{raw: "charge", wantErr: true},
		{raw: "", wantErr: true},
		{raw: "BONUS", wantErr: true},
		{raw: " SALE", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := point.ParseEntryType(tt.raw)

			if tt.wantErr {
				assert.Error(t, err)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestNewLedgerEntry(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

	e := point.NewLedgerEntry(7, point.EntryPurchase, mustAmount(t, 2500), 42, at)

	assert.Equal(t, int64(7), e.MemberID())
	assert.Equal(t, point.EntryPurchase, e.Type())
	assert.Equal(t, int64(2500), e.Amount())
	assert.Equal(t, int64(42), e.ArtID())
	assert.Equal(t, at, e.CreatedAt())
	assert.Equal(t, point.RestoreLedgerEntry(7, point.EntryPurchase, 2500, 42, at), e)
}
