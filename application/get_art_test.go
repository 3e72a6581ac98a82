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
	"github.com/artauction/artauction/domain/auction"
)

func TestGetArtReturnsThePageForTheViewer(t *testing.T) {
	liked := true
	want := storedArtDetail()
	want.Liked = &liked
	tests := []struct {
		name     string
		viewerID int64
		detail   application.ArtDetail
	}{
		{name: "an anonymous viewer", viewerID: 0, detail: storedArtDetail()},
		{name: "a signed-in viewer", viewerID: 9, detail: want},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arts := mock.NewMockArtStore(gomock.NewController(t))
			arts.EXPECT().Detail(gomock.Any(), int64(42), tt.viewerID).Return(tt.detail, nil)

			d, err := application.NewGetArt(arts).Execute(context.Background(), 42, tt.viewerID)

			require.NoError(t, err)
			assert.Equal(t, tt.detail, d)
		})
	}
}

func TestGetArtErrors(t *testing.T) {
	errDB := errors.New("connection reset")
	for _, storeErr := range []error{art.ErrNotFound, errDB} {
		t.Run(storeErr.Error(), func(t *testing.T) {
			arts := mock.NewMockArtStore(gomock.NewController(t))
			arts.EXPECT().Detail(gomock.Any(), int64(404), int64(9)).Return(application.ArtDetail{}, storeErr)

			d, err := application.NewGetArt(arts).Execute(context.Background(), 404, 9)

			assert.ErrorIs(t, err, storeErr)
			assert.Equal(t, application.ArtDetail{}, d)
		})
	}
}

func TestArtDetailShowsTheReserveToItsOwnerOnly(t *testing.T) {
	d := auctionDetailOf(storedAuction(func(r *auction.Record) { r.ReservePrice = 4000 }))
	detail := application.ArtDetail{ArtSummary: d.Art, Auction: d.Auction}

	assert.Equal(t, int64(4000), detail.ReservePriceFor(aliceID), "the owner")
	assert.Zero(t, detail.ReservePriceFor(bobID), "another member")
	assert.Zero(t, detail.ReservePriceFor(0), "an anonymous visitor")
	assert.Zero(t, storedArtDetail().ReservePriceFor(aliceID), "a general art has no auction")
	withoutReserve := auctionDetailOf(storedAuction())
	assert.Zero(t, application.ArtDetail{ArtSummary: withoutReserve.Art, Auction: withoutReserve.Auction}.ReservePriceFor(aliceID))
}
