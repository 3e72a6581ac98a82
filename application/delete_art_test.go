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
	"github.com/artauction/artauction/domain/art"
)

type deleteArtMocks struct {
	arts     *mock.MockArtStore
	removals *mock.MockImageRemovals
	tx       *mock.MockTransactor
	uc       *application.DeleteArt
}

func newDeleteArt(t *testing.T) deleteArtMocks {
	ctrl := gomock.NewController(t)
	m := deleteArtMocks{
		arts:     mock.NewMockArtStore(ctrl),
		removals: mock.NewMockImageRemovals(ctrl),
		tx:       mock.NewMockTransactor(ctrl),
	}
	m.uc = application.NewDeleteArt(m.arts, m.removals, m.tx, newFixedClock(ctrl))
	return m
}

func TestDeleteArtRemovesTheRowAndSchedulesTheImageInOneTransaction(t *testing.T) {
	tests := []struct {
		name   string
		record []func(*art.Record)
	}{
		{name: "a general art on sale"},
		{name: "an unsold art", record: []func(*art.Record){func(r *art.Record) { r.Status = art.StatusUnsold }}},
		{name: "an auction art without bids", record: []func(*art.Record){func(r *art.Record) { r.Type = art.TypeAuction }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newDeleteArt(t)
			m.arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(tt.record...), nil)
			expectOneTx(m.tx)
			gomock.InOrder(
				m.arts.EXPECT().Delete(inTx(), int64(42)).Return(nil),
				// The image's removal commits with the row, or neither does.
				m.removals.EXPECT().Schedule(inTx(), storedArtImage().Key(), fixedTestNow).Return(nil),
			)

			require.NoError(t, m.uc.Execute(context.Background(), 7, 42))
		})
	}
}

func TestDeleteArtRefusedDeletesNothing(t *testing.T) {
	tests := []struct {
		name     string
		record   []func(*art.Record)
		memberID int64
		wantErr  error
	}{
		{name: "a stranger", memberID: 9, wantErr: art.ErrNotOwner},
		{name: "a sold art", record: []func(*art.Record){soldArt}, memberID: 7, wantErr: art.ErrSold},
		{name: "an auction with bids", record: []func(*art.Record){auctionArtWithBids}, memberID: 7, wantErr: art.ErrAuctionHasBids},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := newDeleteArt(t)
			m.arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(tt.record...), nil)

			err := m.uc.Execute(context.Background(), tt.memberID, 42)

			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestDeleteArtKeepsTheImageWhenTheRowStays(t *testing.T) {
	errDB := errors.New("connection reset")
	// The store refuses an art sold or bid on after it was read.
	for _, storeErr := range []error{art.ErrSold, art.ErrAuctionHasBids, art.ErrNotFound, errDB} {
		t.Run(storeErr.Error(), func(t *testing.T) {
			m := newDeleteArt(t)
			m.arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(), nil)
			expectOneTx(m.tx)
			m.arts.EXPECT().Delete(gomock.Any(), int64(42)).Return(storeErr)

			err := m.uc.Execute(context.Background(), 7, 42)

			assert.ErrorIs(t, err, storeErr)
		})
	}
}

// A removal that cannot be scheduled fails the transaction, so the row stays
// with its image rather than leaving the image behind for good.
func TestDeleteArtFailsWhenTheRemovalCannotBeScheduled(t *testing.T) {
	m := newDeleteArt(t)
	errDB := errors.New("connection reset")
	m.arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(), nil)
	var txErr error
	m.tx.EXPECT().WithinTx(gomock.Any(), gomock.Any()).DoAndReturn(
		func(ctx context.Context, fn func(context.Context) error) error {
			txErr = fn(ctx)
			return txErr
		})
	m.arts.EXPECT().Delete(gomock.Any(), int64(42)).Return(nil)
	m.removals.EXPECT().Schedule(gomock.Any(), storedArtImage().Key(), fixedTestNow).Return(errDB)

	err := m.uc.Execute(context.Background(), 7, 42)

	require.ErrorIs(t, err, errDB)
	assert.ErrorIs(t, txErr, errDB, "the error rolls the transaction back")
}

func TestDeleteArtOfAnUnknownArt(t *testing.T) {
	m := newDeleteArt(t)
	m.arts.EXPECT().ByID(gomock.Any(), int64(404)).Return(nil, art.ErrNotFound)

	err := m.uc.Execute(context.Background(), 7, 404)

	assert.ErrorIs(t, err, art.ErrNotFound)
}
