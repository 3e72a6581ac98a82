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

func TestDeleteArtRemovesTheRowThenTheImage(t *testing.T) {
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
			ctrl := gomock.NewController(t)
			arts, images := mock.NewMockArtStore(ctrl), mock.NewMockImageStore(ctrl)
			gomock.InOrder(
				arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(tt.record...), nil),
				arts.EXPECT().Delete(gomock.Any(), int64(42)).Return(nil),
				images.EXPECT().Delete(gomock.Any(), storedArtImage().Key()).Return(nil),
			)

			err := application.NewDeleteArt(arts, images).Execute(context.Background(), 7, 42)

			require.NoError(t, err)
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
			ctrl := gomock.NewController(t)
			arts, images := mock.NewMockArtStore(ctrl), mock.NewMockImageStore(ctrl)
			arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(tt.record...), nil)

			err := application.NewDeleteArt(arts, images).Execute(context.Background(), tt.memberID, 42)

			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestDeleteArtKeepsTheImageWhenTheRowStays(t *testing.T) {
	errDB := errors.New("connection reset")
	// The store refuses an art sold or bid on after it was read.
	for _, storeErr := range []error{art.ErrSold, art.ErrAuctionHasBids, art.ErrNotFound, errDB} {
		t.Run(storeErr.Error(), func(t *testing.T) {
			ctrl := gomock.NewController(t)
			arts, images := mock.NewMockArtStore(ctrl), mock.NewMockImageStore(ctrl)
			arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(), nil)
			arts.EXPECT().Delete(gomock.Any(), int64(42)).Return(storeErr)

			err := application.NewDeleteArt(arts, images).Execute(context.Background(), 7, 42)

			assert.ErrorIs(t, err, storeErr)
		})
	}
}

func TestDeleteArtOfAnUnknownArt(t *testing.T) {
	ctrl := gomock.NewController(t)
	arts, images := mock.NewMockArtStore(ctrl), mock.NewMockImageStore(ctrl)
	arts.EXPECT().ByID(gomock.Any(), int64(404)).Return(nil, art.ErrNotFound)

	err := application.NewDeleteArt(arts, images).Execute(context.Background(), 7, 404)

	assert.ErrorIs(t, err, art.ErrNotFound)
}
