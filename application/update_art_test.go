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

func TestUpdateArtStoresTheChangeThenReadsThePage(t *testing.T) {
	tests := []struct {
		name         string
		record       []func(*art.Record)
		change       art.Change
		wantName     string
		wantHashtags []string
	}{
		{
			name:     "name and hashtags",
			change:   art.Change{Name: strPtr(" Dawn "), Hashtags: []string{"#Dawn", "sea"}, HasHashtags: true},
			wantName: "Dawn", wantHashtags: []string{"dawn", "sea"},
		},
		{
			name:     "an auction art with bids",
			record:   []func(*art.Record){auctionArtWithBids},
			change:   art.Change{Hashtags: []string{"dawn"}, HasHashtags: true},
			wantName: "Sunset", wantHashtags: []string{"dawn"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arts := mock.NewMockArtStore(gomock.NewController(t))
			want := storedArtDetail()
			var stored *art.Art
			gomock.InOrder(
				arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(tt.record...), nil),
				arts.EXPECT().Update(gomock.Any(), gomock.Any()).DoAndReturn(func(_ context.Context, a *art.Art) error {
					stored = a
					return nil
				}),
				arts.EXPECT().Detail(gomock.Any(), int64(42), int64(7)).Return(want, nil),
			)

			d, err := application.NewUpdateArt(arts).Execute(context.Background(), 7, 42, tt.change)

			require.NoError(t, err)
			assert.Equal(t, want, d)
			require.NotNil(t, stored)
			assert.Equal(t, int64(42), stored.ID())
			assert.Equal(t, tt.wantName, stored.Name())
			assert.Equal(t, "Oil on canvas", stored.Description())
			assert.Equal(t, tt.wantHashtags, stored.Hashtags().List())
		})
	}
}

func TestUpdateArtRefusedWithoutStoring(t *testing.T) {
	tests := []struct {
		name     string
		record   []func(*art.Record)
		memberID int64
		change   art.Change
		wantErr  error
	}{
		{name: "a stranger", memberID: 9, change: art.Change{Name: strPtr("Mine")}, wantErr: art.ErrNotOwner},
		{name: "a stranger on a sold art", record: []func(*art.Record){soldArt}, memberID: 9, change: art.Change{Name: strPtr("Mine")}, wantErr: art.ErrNotOwner},
		{name: "the owner of a sold art", record: []func(*art.Record){soldArt}, memberID: 7, change: art.Change{Name: strPtr("Dawn")}, wantErr: art.ErrSold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arts := mock.NewMockArtStore(gomock.NewController(t))
			arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(tt.record...), nil)

			d, err := application.NewUpdateArt(arts).Execute(context.Background(), tt.memberID, 42, tt.change)

			assert.ErrorIs(t, err, tt.wantErr)
			assert.Equal(t, application.ArtDetail{}, d)
		})
	}
}

func TestUpdateArtValidationWithoutStoring(t *testing.T) {
	arts := mock.NewMockArtStore(gomock.NewController(t))
	arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(), nil)

	_, err := application.NewUpdateArt(arts).Execute(context.Background(), 7, 42,
		art.Change{Name: strPtr(""), Description: strPtr("ok"), Hashtags: []string{"black cat"}, HasHashtags: true})

	assert.Equal(t, []string{"name", "hashtags"}, validationFieldNames(t, err))
}

func TestUpdateArtOfAnUnknownArt(t *testing.T) {
	arts := mock.NewMockArtStore(gomock.NewController(t))
	arts.EXPECT().ByID(gomock.Any(), int64(404)).Return(nil, art.ErrNotFound)

	_, err := application.NewUpdateArt(arts).Execute(context.Background(), 7, 404, art.Change{Name: strPtr("Dawn")})

	assert.ErrorIs(t, err, art.ErrNotFound)
}

func TestUpdateArtWhenTheStoreRefuses(t *testing.T) {
	errDB := errors.New("connection reset")
	for _, storeErr := range []error{art.ErrSold, errDB} {
		t.Run(storeErr.Error(), func(t *testing.T) {
			arts := mock.NewMockArtStore(gomock.NewController(t))
			arts.EXPECT().ByID(gomock.Any(), int64(42)).Return(storedArt(), nil)
			arts.EXPECT().Update(gomock.Any(), gomock.Any()).Return(storeErr)

			d, err := application.NewUpdateArt(arts).Execute(context.Background(), 7, 42, art.Change{Name: strPtr("Dawn")})

			assert.ErrorIs(t, err, storeErr)
			assert.Equal(t, application.ArtDetail{}, d)
		})
	}
}
