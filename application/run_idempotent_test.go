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

type idempotencyFixture struct {
	tx    *mock.MockTransactor
	store *mock.MockIdempotencyStore
	clock *mock.MockClock
}

func newIdempotencyFixture(t *testing.T) idempotencyFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	return idempotencyFixture{tx: mock.NewMockTransactor(ctrl), store: mock.NewMockIdempotencyStore(ctrl), clock: newFixedClock(ctrl)}
}

func (f idempotencyFixture) run(t *testing.T, retries int) *application.RunIdempotent {
	t.Helper()
	uc, err := application.NewRunIdempotent(f.tx, f.store, f.clock, retries)
	require.NoError(t, err)
	return uc
}

var (
	retriedKey     = application.IdempotencyKey{MemberID: 7, Operation: "POST /api/v1/auctions/:id/bids", Key: "k-1"}
	retriedRequest = application.IdempotentRequest{Key: retriedKey, RequestHash: []byte("hash-a")}
	firstAnswer    = application.RecordedAnswer{Status: 201, Headers: map[string]string{"Content-Type": "application/json"},
		Body: []byte(`{"bid":{"id":1}}`)}
)

func recordOf(hash string, createdAt time.Time) application.IdempotencyRecord {
	return application.IdempotencyRecord{Key: retriedKey, RequestHash: []byte(hash), Answer: firstAnswer, CreatedAt: createdAt}
}

// actionCounter is an action that answers firstAnswer and counts its runs.
type actionCounter struct {
	runs   int
	inTx   bool
	errors []error
}

func (a *actionCounter) act(ctx context.Context) (application.RecordedAnswer, error) {
	a.runs++
	a.inTx = ctx.Value(txMarker{}) != nil
	if len(a.errors) > 0 {
		err := a.errors[0]
		a.errors = a.errors[1:]
		return application.RecordedAnswer{}, err
	}
	return firstAnswer, nil
}

func TestRunIdempotentReplaysAnAnsweredKeyWithoutActing(t *testing.T) {
	f := newIdempotencyFixture(t)
	f.store.EXPECT().Find(outsideTx(), retriedKey).Return(recordOf("hash-a", fixedTestNow.Add(-23*time.Hour)), true, nil)
	var action actionCounter

	answer, replayed, err := f.run(t, 3).Execute(context.Background(), retriedRequest, action.act)

	require.NoError(t, err)
	assert.True(t, replayed)
	assert.Equal(t, firstAnswer, answer)
	assert.Zero(t, action.runs)
}

func TestRunIdempotentRefusesAKeyReusedForAnotherRequest(t *testing.T) {
	f := newIdempotencyFixture(t)
	f.store.EXPECT().Find(outsideTx(), retriedKey).Return(recordOf("hash-b", fixedTestNow.Add(-time.Minute)), true, nil)
	var action actionCounter

	_, _, err := f.run(t, 3).Execute(context.Background(), retriedRequest, action.act)

	require.ErrorIs(t, err, application.ErrIdempotencyKeyReused)
	assert.Zero(t, action.runs)
}

func TestRunIdempotentActsAndRecordsTheAnswerInTheSameTransaction(t *testing.T) {
	for name, earlier := range map[string]struct {
		rec   application.IdempotencyRecord
		found bool
	}{
		"a new key": {},
		// Past the window a key is new again, whatever request it answered.
		"a key past the 24 h window": {rec: recordOf("hash-b", fixedTestNow.Add(-24*time.Hour)), found: true},
	} {
		t.Run(name, func(t *testing.T) {
			f := newIdempotencyFixture(t)
			expectOneTx(f.tx)
			gomock.InOrder(
				f.store.EXPECT().Find(outsideTx(), retriedKey).Return(earlier.rec, earlier.found, nil),
				f.store.EXPECT().TryLock(inTx(), retriedKey).Return(true, nil),
				f.store.EXPECT().Find(inTx(), retriedKey).Return(earlier.rec, earlier.found, nil),
				f.store.EXPECT().Save(inTx(), application.IdempotencyRecord{
					Key: retriedKey, RequestHash: []byte("hash-a"), Answer: firstAnswer, CreatedAt: fixedTestNow,
				}).Return(nil),
			)
			var action actionCounter

			answer, replayed, err := f.run(t, 3).Execute(context.Background(), retriedRequest, action.act)

			require.NoError(t, err)
			assert.False(t, replayed)
			assert.Equal(t, firstAnswer, answer)
			assert.Equal(t, 1, action.runs)
			assert.True(t, action.inTx, "the action runs inside the transaction that records its answer")
		})
	}
}

func TestRunIdempotentAnswersInProgressWhileTheKeyIsHeld(t *testing.T) {
	f := newIdempotencyFixture(t)
	expectOneTx(f.tx)
	f.store.EXPECT().Find(outsideTx(), retriedKey).Return(application.IdempotencyRecord{}, false, nil)
	f.store.EXPECT().TryLock(inTx(), retriedKey).Return(false, nil)
	var action actionCounter

	_, _, err := f.run(t, 3).Execute(context.Background(), retriedRequest, action.act)

	require.ErrorIs(t, err, application.ErrIdempotencyInProgress)
	assert.Zero(t, action.runs)
}

func TestRunIdempotentReplaysWhatTheHolderBeforeItCommitted(t *testing.T) {
	f := newIdempotencyFixture(t)
	expectOneTx(f.tx)
	f.store.EXPECT().Find(outsideTx(), retriedKey).Return(application.IdempotencyRecord{}, false, nil)
	f.store.EXPECT().TryLock(inTx(), retriedKey).Return(true, nil)
	f.store.EXPECT().Find(inTx(), retriedKey).Return(recordOf("hash-a", fixedTestNow), true, nil)
	var action actionCounter

	answer, replayed, err := f.run(t, 3).Execute(context.Background(), retriedRequest, action.act)

	require.NoError(t, err)
	assert.True(t, replayed)
	assert.Equal(t, firstAnswer, answer)
	assert.Zero(t, action.runs)
}

func TestRunIdempotentRecordsNothingWhenTheActionFails(t *testing.T) {
	boom := errors.New("boom")
	f := newIdempotencyFixture(t)
	expectOneTx(f.tx)
	f.store.EXPECT().Find(gomock.Any(), retriedKey).Return(application.IdempotencyRecord{}, false, nil).Times(2)
	f.store.EXPECT().TryLock(inTx(), retriedKey).Return(true, nil)
	// No Save: gomock fails on one.
	action := actionCounter{errors: []error{boom}}

	_, _, err := f.run(t, 3).Execute(context.Background(), retriedRequest, action.act)

	require.ErrorIs(t, err, boom)
}

func TestRunIdempotentRunsALostConditionalWriteAgainInANewTransaction(t *testing.T) {
	f := newIdempotencyFixture(t)
	f.tx.EXPECT().WithinTx(gomock.Any(), gomock.Any()).DoAndReturn(
		func(ctx context.Context, fn func(context.Context) error) error {
			return fn(context.WithValue(ctx, txMarker{}, true))
		}).Times(3)
	f.store.EXPECT().Find(gomock.Any(), retriedKey).Return(application.IdempotencyRecord{}, false, nil).Times(4)
	f.store.EXPECT().TryLock(inTx(), retriedKey).Return(true, nil).Times(3)
	f.store.EXPECT().Save(inTx(), gomock.Any()).Return(nil)
	action := actionCounter{errors: []error{application.ErrWriteConflict, application.ErrWriteConflict}}

	answer, _, err := f.run(t, 3).Execute(context.Background(), retriedRequest, action.act)

	require.NoError(t, err)
	assert.Equal(t, firstAnswer, answer)
	assert.Equal(t, 3, action.runs)
}

func TestRunIdempotentGivesUpAsLockUnavailableAfterItsRetries(t *testing.T) {
	f := newIdempotencyFixture(t)
	f.tx.EXPECT().WithinTx(gomock.Any(), gomock.Any()).DoAndReturn(
		func(ctx context.Context, fn func(context.Context) error) error {
			return fn(context.WithValue(ctx, txMarker{}, true))
		}).Times(2)
	f.store.EXPECT().Find(gomock.Any(), retriedKey).Return(application.IdempotencyRecord{}, false, nil).Times(3)
	f.store.EXPECT().TryLock(inTx(), retriedKey).Return(true, nil).Times(2)
	action := actionCounter{errors: []error{application.ErrWriteConflict, application.ErrWriteConflict}}

	_, _, err := f.run(t, 1).Execute(context.Background(), retriedRequest, action.act)

	require.ErrorIs(t, err, application.ErrLockUnavailable)
	assert.Equal(t, 2, action.runs)
}

func TestRunIdempotentFailsWhenTheStoreFails(t *testing.T) {
	boom := errors.New("boom")
	tests := map[string]func(f idempotencyFixture){
		"find": func(f idempotencyFixture) {
			f.store.EXPECT().Find(outsideTx(), retriedKey).Return(application.IdempotencyRecord{}, false, boom)
		},
		"lock": func(f idempotencyFixture) {
			expectOneTx(f.tx)
			f.store.EXPECT().Find(outsideTx(), retriedKey).Return(application.IdempotencyRecord{}, false, nil)
			f.store.EXPECT().TryLock(inTx(), retriedKey).Return(false, boom)
		},
		"save": func(f idempotencyFixture) {
			expectOneTx(f.tx)
			f.store.EXPECT().Find(gomock.Any(), retriedKey).Return(application.IdempotencyRecord{}, false, nil).Times(2)
			f.store.EXPECT().TryLock(inTx(), retriedKey).Return(true, nil)
			f.store.EXPECT().Save(inTx(), gomock.Any()).Return(boom)
		},
	}
	for name, arrange := range tests {
		t.Run(name, func(t *testing.T) {
			f := newIdempotencyFixture(t)
			arrange(f)
			var action actionCounter

			_, _, err := f.run(t, 3).Execute(context.Background(), retriedRequest, action.act)

			require.ErrorIs(t, err, boom)
		})
	}
}

func TestNewRunIdempotentRefusesNegativeRetries(t *testing.T) {
	f := newIdempotencyFixture(t)
	_, err := application.NewRunIdempotent(f.tx, f.store, f.clock, -1)
	require.Error(t, err)
}

func TestPurgeIdempotencyKeysDeletesWhatIsPastTheWindow(t *testing.T) {
	f := newIdempotencyFixture(t)
	f.store.EXPECT().PurgeBefore(gomock.Any(), fixedTestNow.Add(-24*time.Hour)).Return(3, nil)

	n, err := application.NewPurgeIdempotencyKeys(f.store, f.clock).Execute(context.Background())

	require.NoError(t, err)
	assert.Equal(t, 3, n)
}
