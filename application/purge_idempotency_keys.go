package application

import (
	"context"
	"fmt"
)

// PurgeIdempotencyKeys deletes the keys older than the replay window; the
// background worker runs it.
type PurgeIdempotencyKeys struct {
	store IdempotencyStore
	clock Clock
}

// NewPurgeIdempotencyKeys builds the use case.
func NewPurgeIdempotencyKeys(store IdempotencyStore, clock Clock) *PurgeIdempotencyKeys {
	return &PurgeIdempotencyKeys{store: store, clock: clock}
}

// Execute returns how many keys it deleted.
func (uc *PurgeIdempotencyKeys) Execute(ctx context.Context) (int, error) {
	n, err := uc.store.PurgeBefore(ctx, uc.clock.Now().Add(-IdempotencyWindow))
	if err != nil {
		return 0, fmt.Errorf("purge idempotency keys: %w", err)
	}
	return n, nil
}
