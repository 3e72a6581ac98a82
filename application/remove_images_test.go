package application_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
)

type removeImagesMocks struct {
	removals *mock.MockImageRemovals
	images   *mock.MockImageStore
	uc       *application.RemoveImages
}

func newRemoveImages(t *testing.T) removeImagesMocks {
	ctrl := gomock.NewController(t)
	m := removeImagesMocks{removals: mock.NewMockImageRemovals(ctrl), images: mock.NewMockImageStore(ctrl)}
	m.uc = application.NewRemoveImages(m.removals, m.images, newFixedClock(ctrl))
	return m
}

func (m removeImagesMocks) claim(removals ...application.ImageRemoval) {
	m.removals.EXPECT().ClaimDue(gomock.Any(), fixedTestNow, application.ImageRemovalBatchSize, application.ImageRemovalLease).
		Return(removals, nil)
}

func TestRemoveImagesRemovesThenForgets(t *testing.T) {
	m := newRemoveImages(t)
	m.claim(application.ImageRemoval{Key: "ab/one.png"}, application.ImageRemoval{Key: "cd/two.jpg", Attempts: 3})
	gomock.InOrder(
		m.images.EXPECT().Delete(gomock.Any(), "ab/one.png").Return(nil),
		m.removals.EXPECT().Done(gomock.Any(), "ab/one.png").Return(nil),
		m.images.EXPECT().Delete(gomock.Any(), "cd/two.jpg").Return(nil),
		m.removals.EXPECT().Done(gomock.Any(), "cd/two.jpg").Return(nil),
	)

	done, err := m.uc.Execute(context.Background())

	require.NoError(t, err)
	assert.Equal(t, 2, done)
}

func TestRemoveImagesRetriesWhatTheStoreFailsWithBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempts int
		wait     time.Duration
	}{
		{0, 2 * time.Second},
		{1, 4 * time.Second},
		{4, 32 * time.Second},
		{10, 5 * time.Minute},
		{1000, 5 * time.Minute},
	} {
		m := newRemoveImages(t)
		errDown := errors.New("object store: connection refused")
		m.claim(application.ImageRemoval{Key: "ab/down.png", Attempts: tc.attempts}, application.ImageRemoval{Key: "cd/fine.png"})
		m.images.EXPECT().Delete(gomock.Any(), "ab/down.png").Return(errDown)
		m.removals.EXPECT().Retry(gomock.Any(), "ab/down.png", tc.attempts+1, fixedTestNow.Add(tc.wait), errDown.Error()).Return(nil)
		m.images.EXPECT().Delete(gomock.Any(), "cd/fine.png").Return(nil)
		m.removals.EXPECT().Done(gomock.Any(), "cd/fine.png").Return(nil)

		done, err := m.uc.Execute(context.Background())

		require.ErrorIs(t, err, errDown, "the failure is reported")
		assert.Equal(t, 1, done, "and the others are removed")
	}
}

func TestRemoveImagesStopsWhenTheListFails(t *testing.T) {
	errDB := errors.New("connection reset")

	m := newRemoveImages(t)
	m.removals.EXPECT().ClaimDue(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, errDB)
	done, err := m.uc.Execute(context.Background())
	require.ErrorIs(t, err, errDB)
	assert.Zero(t, done)

	// The rest of the batch keeps its lease and is due again when it runs out.
	m = newRemoveImages(t)
	m.claim(application.ImageRemoval{Key: "ab/one.png"}, application.ImageRemoval{Key: "cd/two.png"})
	m.images.EXPECT().Delete(gomock.Any(), "ab/one.png").Return(nil)
	m.removals.EXPECT().Done(gomock.Any(), "ab/one.png").Return(errDB)
	done, err = m.uc.Execute(context.Background())
	require.ErrorIs(t, err, errDB)
	assert.Zero(t, done)
}

func TestRemoveImagesStopsWhenCancelled(t *testing.T) {
	m := newRemoveImages(t)
	ctx, cancel := context.WithCancel(context.Background())
	m.removals.EXPECT().ClaimDue(gomock.Any(), gomock.Any(), gomock.Any(), gomock.Any()).DoAndReturn(
		func(context.Context, time.Time, int, time.Duration) ([]application.ImageRemoval, error) {
			cancel()
			return []application.ImageRemoval{{Key: "ab/one.png"}}, nil
		})

	done, err := m.uc.Execute(ctx)

	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, done)
}
