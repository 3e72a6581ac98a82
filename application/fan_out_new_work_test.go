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
	"github.com/artauction/artauction/domain/notification"
)

type fanOutFixture struct {
	tx        *mock.MockTransactor
	fanOuts   *mock.MockNewWorkFanOuts
	notifier  *mock.MockNotifier
	publisher *mock.MockNotificationPublisher
	uc        *application.FanOutNewWork
	// inTx tells whether a transaction is running.
	inTx *bool
}

func newFanOutFixture(t *testing.T) fanOutFixture {
	ctrl := gomock.NewController(t)
	running := false
	f := fanOutFixture{tx: mock.NewMockTransactor(ctrl), fanOuts: mock.NewMockNewWorkFanOuts(ctrl),
		notifier: mock.NewMockNotifier(ctrl), publisher: mock.NewMockNotificationPublisher(ctrl), inTx: &running}
	f.tx.EXPECT().WithinTx(outsideTx(), gomock.Any()).DoAndReturn(func(ctx context.Context, fn func(context.Context) error) error {
		running = true
		defer func() { running = false }()
		return fn(context.WithValue(ctx, txMarker{}, true))
	}).AnyTimes()
	f.uc = application.NewFanOutNewWork(f.tx, f.fanOuts, f.notifier, f.publisher, newFixedClock(ctrl))
	return f
}

// expectWaiting makes the run find fan-outs waiting, outside a transaction.
func (f fanOutFixture) expectWaiting() *gomock.Call {
	return f.fanOuts.EXPECT().Waiting(outsideTx()).Return(true, nil)
}

// followers are n member ids from 100.
func followers(from, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(100 + from + i)
	}
	return ids
}

// expectBatch expects one claimed batch of art 42 by alice told in its
// transaction, and its notifications published after it.
func (f fanOutFixture) expectBatch(t *testing.T, b application.NewWorkBatch) *gomock.Call {
	want := notification.WorkListed(b.ArtID, b.ArtistID, b.Followers)
	made := madeFrom(want)
	claim := f.fanOuts.EXPECT().Claim(inTx(), application.NewWorkBatchSize).Return(b, true, nil)
	notify := f.notifier.EXPECT().Notify(inTx(), noticesOf(want)).Return(made, nil).After(claim)
	advance := f.fanOuts.EXPECT().Advance(inTx(), b, fixedTestNow).Return(nil).After(notify)
	if len(made) == 0 {
		return advance
	}
	return f.publisher.EXPECT().Publish(outsideTx(), made).Do(func(context.Context, []notification.Notification) {
		assert.False(t, *f.inTx, "published before the batch committed")
	}).After(advance)
}

func TestFanOutNewWorkTellsBatchesUntilNoneWaits(t *testing.T) {
	f := newFanOutFixture(t)
	first := application.NewWorkBatch{ArtID: 42, ArtistID: aliceID, Followers: followers(0, application.NewWorkBatchSize),
		After: application.Keyset{1, 599}}
	last := application.NewWorkBatch{ArtID: 42, ArtistID: aliceID, Followers: followers(application.NewWorkBatchSize, 3), Last: true}
	gomock.InOrder(
		f.expectWaiting(),
		f.expectBatch(t, first),
		f.expectBatch(t, last),
		f.fanOuts.EXPECT().Claim(inTx(), application.NewWorkBatchSize).Return(application.NewWorkBatch{}, false, nil),
	)

	told, err := f.uc.Execute(context.Background())

	require.NoError(t, err)
	assert.Equal(t, application.NewWorkBatchSize+3, told)
}

func TestFanOutNewWorkEndsAFanOutWhoseFollowersLeft(t *testing.T) {
	f := newFanOutFixture(t)
	empty := application.NewWorkBatch{ArtID: 42, ArtistID: aliceID, Last: true}
	gomock.InOrder(
		f.expectWaiting(),
		f.expectBatch(t, empty),
		f.fanOuts.EXPECT().Claim(inTx(), application.NewWorkBatchSize).Return(application.NewWorkBatch{}, false, nil),
	)

	told, err := f.uc.Execute(context.Background())

	require.NoError(t, err)
	assert.Zero(t, told, "nothing to publish either")
}

func TestFanOutNewWorkBoundsOneRun(t *testing.T) {
	f := newFanOutFixture(t)
	batch := application.NewWorkBatch{ArtID: 42, ArtistID: aliceID, Followers: followers(0, 1), After: application.Keyset{1, 100}}
	made := madeFrom(notification.WorkListed(42, aliceID, batch.Followers))
	f.expectWaiting()
	f.fanOuts.EXPECT().Claim(inTx(), gomock.Any()).Return(batch, true, nil).Times(40)
	f.notifier.EXPECT().Notify(inTx(), gomock.Any()).Return(made, nil).Times(40)
	f.fanOuts.EXPECT().Advance(inTx(), batch, fixedTestNow).Return(nil).Times(40)
	f.publisher.EXPECT().Publish(outsideTx(), made).Times(40)

	told, err := f.uc.Execute(context.Background())

	require.NoError(t, err)
	assert.Equal(t, 40, told, "the next run goes on")
}

func TestFanOutNewWorkIdleCostsOneReadAndNoTransaction(t *testing.T) {
	ctrl := gomock.NewController(t)
	fanOuts := mock.NewMockNewWorkFanOuts(ctrl)
	// No transactor, notifier or publisher call: gomock fails on them.
	uc := application.NewFanOutNewWork(mock.NewMockTransactor(ctrl), fanOuts, mock.NewMockNotifier(ctrl),
		mock.NewMockNotificationPublisher(ctrl), newFixedClock(ctrl))
	fanOuts.EXPECT().Waiting(gomock.Any()).Return(false, nil)
	told, err := uc.Execute(context.Background())
	require.NoError(t, err)
	assert.Zero(t, told)

	boom := errors.New("boom")
	fanOuts.EXPECT().Waiting(gomock.Any()).Return(false, boom)
	_, err = uc.Execute(context.Background())
	require.ErrorIs(t, err, boom)
}

func TestFanOutNewWorkFailuresRollTheBatchBack(t *testing.T) {
	boom := errors.New("boom")
	batch := application.NewWorkBatch{ArtID: 42, ArtistID: aliceID, Followers: followers(0, 2), Last: true}
	tests := []struct {
		name    string
		arrange func(f fanOutFixture)
	}{
		{"the claim fails", func(f fanOutFixture) {
			f.fanOuts.EXPECT().Claim(inTx(), gomock.Any()).Return(application.NewWorkBatch{}, false, boom)
		}},
		{"telling fails: the fan-out is not moved on", func(f fanOutFixture) {
			f.fanOuts.EXPECT().Claim(inTx(), gomock.Any()).Return(batch, true, nil)
			f.notifier.EXPECT().Notify(inTx(), gomock.Any()).Return(nil, boom)
		}},
		{"moving on fails", func(f fanOutFixture) {
			f.fanOuts.EXPECT().Claim(inTx(), gomock.Any()).Return(batch, true, nil)
			f.notifier.EXPECT().Notify(inTx(), gomock.Any()).Return(madeFrom(notification.WorkListed(42, aliceID, batch.Followers)), nil)
			f.fanOuts.EXPECT().Advance(inTx(), batch, fixedTestNow).Return(boom)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFanOutFixture(t)
			f.expectWaiting()
			tt.arrange(f)
			// Nothing is published: gomock fails on it.

			told, err := f.uc.Execute(context.Background())

			require.ErrorIs(t, err, boom)
			assert.Zero(t, told)
		})
	}
}
