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
	"github.com/artauction/artauction/domain/member"
)

func TestFollowMemberRecordsTheFollowAtTheClockTime(t *testing.T) {
	ctrl := gomock.NewController(t)
	follows := mock.NewMockFollowStore(ctrl)
	follows.EXPECT().Follow(gomock.Any(), aliceID, bobID, fixedTestNow).Return(nil)

	err := application.NewFollowMember(follows, newFixedClock(ctrl)).Execute(context.Background(), aliceID, bobID)

	assert.NoError(t, err)
}

func TestFollowMemberRefusesOneselfBeforeTheStore(t *testing.T) {
	ctrl := gomock.NewController(t)
	// No call to the store or the clock: gomock fails on one.
	uc := application.NewFollowMember(mock.NewMockFollowStore(ctrl), mock.NewMockClock(ctrl))

	err := uc.Execute(context.Background(), aliceID, aliceID)

	require.ErrorIs(t, err, member.ErrCannotFollowSelf)
}

func TestFollowMemberErrors(t *testing.T) {
	for _, storeErr := range []error{member.ErrNotFound, errors.New("connection reset")} {
		t.Run(storeErr.Error(), func(t *testing.T) {
			ctrl := gomock.NewController(t)
			follows := mock.NewMockFollowStore(ctrl)
			follows.EXPECT().Follow(gomock.Any(), aliceID, int64(404), fixedTestNow).Return(storeErr)

			err := application.NewFollowMember(follows, newFixedClock(ctrl)).Execute(context.Background(), aliceID, 404)

			assert.ErrorIs(t, err, storeErr)
		})
	}
}

func TestUnfollowMember(t *testing.T) {
	ctrl := gomock.NewController(t)
	follows := mock.NewMockFollowStore(ctrl)
	follows.EXPECT().Unfollow(gomock.Any(), aliceID, bobID).Return(nil)

	assert.NoError(t, application.NewUnfollowMember(follows).Execute(context.Background(), aliceID, bobID))
}

func TestUnfollowMemberRefusesOneselfBeforeTheStore(t *testing.T) {
	uc := application.NewUnfollowMember(mock.NewMockFollowStore(gomock.NewController(t)))

	err := uc.Execute(context.Background(), bobID, bobID)

	require.ErrorIs(t, err, member.ErrCannotFollowSelf)
}

func TestUnfollowMemberErrors(t *testing.T) {
	for _, storeErr := range []error{member.ErrNotFound, errors.New("connection reset")} {
		t.Run(storeErr.Error(), func(t *testing.T) {
			follows := mock.NewMockFollowStore(gomock.NewController(t))
			follows.EXPECT().Unfollow(gomock.Any(), aliceID, int64(404)).Return(storeErr)

			err := application.NewUnfollowMember(follows).Execute(context.Background(), aliceID, 404)

			assert.ErrorIs(t, err, storeErr)
		})
	}
}
