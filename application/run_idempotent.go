package application

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// IdempotencyWindow is how long an answered key is replayed (docs/rules.md: 24 h).
const IdempotencyWindow = 24 * time.Hour

// IdempotentRequest is a request that carries an idempotency key: the key and
// a hash of what it asks, so that a key reused for another request is caught.
type IdempotentRequest struct {
	Key         IdempotencyKey
	RequestHash []byte
}

// IdempotentAction performs a request inside the transaction of its context
// and returns the answer to record. An action that fails is not recorded: it
// wrote nothing, so its retry runs again.
type IdempotentAction func(ctx context.Context) (RecordedAnswer, error)

// RunIdempotent performs a request at most once per key. The action, the
// record of its key and its answer commit in one transaction, so an answer a
// client may have seen always has its record, and a crash before the commit
// leaves neither.
type RunIdempotent struct {
	tx      Transactor
	store   IdempotencyStore
	clock   Clock
	retries int
}

// NewRunIdempotent builds the use case; retries bounds how many times an action
// that lost a conditional write runs again in a new transaction, as the
// auction guard would have done had it owned the transaction.
func NewRunIdempotent(tx Transactor, store IdempotencyStore, clock Clock, retries int) (*RunIdempotent, error) {
	if retries < 0 {
		return nil, fmt.Errorf("idempotent requests: negative retries %d", retries)
	}
	return &RunIdempotent{tx: tx, store: store, clock: clock, retries: retries}, nil
}

// Execute returns the recorded answer of an earlier request with the same key
// and replayed = true, or performs act and returns its answer.
// ErrIdempotencyKeyReused: the key answered another request within the window.
// ErrIdempotencyInProgress: a request with the key is running right now.
func (uc *RunIdempotent) Execute(ctx context.Context, req IdempotentRequest, act IdempotentAction) (
	answer RecordedAnswer, replayed bool, err error) {
	// Most retries find their answer here, without a transaction.
	answer, replayed, err = uc.replay(ctx, req)
	if err != nil || replayed {
		return answer, replayed, err
	}
	for attempt := 0; ; attempt++ {
		answer, replayed, err = uc.attempt(ctx, req, act)
		if !errors.Is(err, ErrWriteConflict) {
			return answer, replayed, err
		}
		if attempt >= uc.retries {
			return RecordedAnswer{}, false, fmt.Errorf("idempotent request still losing conditional writes after %d retries: %w",
				uc.retries, ErrLockUnavailable)
		}
		if err := PauseBeforeRetry(ctx, attempt); err != nil {
			return RecordedAnswer{}, false, fmt.Errorf("retry idempotent request: %w", err)
		}
	}
}

// PauseBeforeRetry waits a jittered moment that grows with attempt (from 0),
// so racers that just collided on a conditional write do not collide again in
// step; the auction guard's retries wait the same way.
func PauseBeforeRetry(ctx context.Context, attempt int) error {
	t := time.NewTimer(rand.N(time.Millisecond<<min(attempt, 5)) + time.Millisecond)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (uc *RunIdempotent) attempt(ctx context.Context, req IdempotentRequest, act IdempotentAction) (
	answer RecordedAnswer, replayed bool, err error) {
	err = uc.tx.WithinTx(ctx, func(ctx context.Context) error {
		locked, err := uc.store.TryLock(ctx, req.Key)
		if err != nil {
			return fmt.Errorf("lock idempotency key: %w", err)
		}
		if !locked {
			return ErrIdempotencyInProgress
		}
		// The holder of the lock before us may have just committed its answer.
		if answer, replayed, err = uc.replay(ctx, req); err != nil || replayed {
			return err
		}
		answer, err = act(ctx)
		if err != nil {
			return err
		}
		rec := IdempotencyRecord{Key: req.Key, RequestHash: req.RequestHash, Answer: answer, CreatedAt: uc.clock.Now()}
		if err := uc.store.Save(ctx, rec); err != nil {
			return fmt.Errorf("record idempotency key: %w", err)
		}
		return nil
	})
	if err != nil {
		return RecordedAnswer{}, false, err
	}
	return answer, replayed, nil
}

// replay finds a live record of the key: its answer when the request matches,
// ErrIdempotencyKeyReused when it does not. An expired record counts as none.
func (uc *RunIdempotent) replay(ctx context.Context, req IdempotentRequest) (RecordedAnswer, bool, error) {
	rec, found, err := uc.store.Find(ctx, req.Key)
	if err != nil {
		return RecordedAnswer{}, false, fmt.Errorf("find idempotency key: %w", err)
	}
	if !found || !rec.CreatedAt.After(uc.clock.Now().Add(-IdempotencyWindow)) {
		return RecordedAnswer{}, false, nil
	}
	if !bytes.Equal(rec.RequestHash, req.RequestHash) {
		return RecordedAnswer{}, false, ErrIdempotencyKeyReused
	}
	return rec.Answer, true, nil
}
