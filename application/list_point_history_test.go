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

func TestListPointHistoryReturnsOnePageWithTheTotal(t *testing.T) {
	points := mock.NewMockPointStore(gomock.NewController(t))
	request := mustPage(t, 2, 20)
	entries := []point.LedgerEntry{
		point.RestoreLedgerEntry(7, point.EntrySale, 5000, 42, fixedTestNow),
		point.RestoreLedgerEntry(7, point.EntryCharge, 10000, 0, fixedTestNow.Add(-1)),
	}
	points.EXPECT().History(gomock.Any(), int64(7), request).Return(application.StoredPage[point.LedgerEntry]{Items: entries, Total: application.Total{Count: 57}}, nil)

	page, err := application.NewListPointHistory(points).Execute(context.Background(), 7, request)

	require.NoError(t, err)
	assert.Equal(t, entries, page.Items)
	assert.Equal(t, request, page.Request)
	assert.Equal(t, 57, page.TotalItems)
	assert.Equal(t, 3, page.TotalPages())
}

func TestListPointHistoryOfAMemberWithoutEntries(t *testing.T) {
	points := mock.NewMockPointStore(gomock.NewController(t))
	request := mustPage(t, 1, 20)
	points.EXPECT().History(gomock.Any(), int64(7), request).Return(application.StoredPage[point.LedgerEntry]{}, nil)

	page, err := application.NewListPointHistory(points).Execute(context.Background(), 7, request)

	require.NoError(t, err)
	assert.Empty(t, page.Items)
	assert.Equal(t, 0, page.TotalPages())
}

func TestListPointHistoryFailure(t *testing.T) {
	points := mock.NewMockPointStore(gomock.NewController(t))
	boom := errors.New("boom")
	points.EXPECT().History(gomock.Any(), gomock.Any(), gomock.Any()).Return(application.StoredPage[point.LedgerEntry]{}, boom)

	_, err := application.NewListPointHistory(points).Execute(context.Background(), 7, mustPage(t, 1, 20))

	assert.ErrorIs(t, err, boom)
}
