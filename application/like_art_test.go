package application_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/art"
)

func TestLikeArtRecordsTheLikeAtTheClockTime(t *testing.T) {
	ctrl := gomock.NewController(t)
	likes := mock.NewMockLikeStore(ctrl)
	likes.EXPECT().Like(gomock.Any(), int64(7), int64(42), fixedTestNow).Return(nil)

	err := application.NewLikeArt(likes, newFixedClock(ctrl)).Execute(context.Background(), 7, 42)

	assert.NoError(t, err)
}

func TestLikeArtErrors(t *testing.T) {
	errDB := errors.New("connection reset")
	for _, storeErr := range []error{art.ErrNotFound, errDB} {
		t.Run(storeErr.Error(), func(t *testing.T) {
			ctrl := gomock.NewController(t)
			likes := mock.NewMockLikeStore(ctrl)
			likes.EXPECT().Like(gomock.Any(), int64(7), int64(404), fixedTestNow).Return(storeErr)

			err := application.NewLikeArt(likes, newFixedClock(ctrl)).Execute(context.Background(), 7, 404)

			assert.ErrorIs(t, err, storeErr)
		})
	}
}
