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

func TestUnlikeArtTakesTheLikeBack(t *testing.T) {
	likes := mock.NewMockLikeStore(gomock.NewController(t))
	likes.EXPECT().Unlike(gomock.Any(), int64(7), int64(42)).Return(nil)

	err := application.NewUnlikeArt(likes).Execute(context.Background(), 7, 42)

	assert.NoError(t, err)
}

func TestUnlikeArtErrors(t *testing.T) {
	errDB := errors.New("connection reset")
	for _, storeErr := range []error{art.ErrNotFound, errDB} {
		t.Run(storeErr.Error(), func(t *testing.T) {
			likes := mock.NewMockLikeStore(gomock.NewController(t))
			likes.EXPECT().Unlike(gomock.Any(), int64(7), int64(404)).Return(storeErr)

			err := application.NewUnlikeArt(likes).Execute(context.Background(), 7, 404)

			assert.ErrorIs(t, err, storeErr)
		})
	}
}
