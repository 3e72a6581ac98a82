package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/notification"
)

// Fan-out of new works to the artists' followers.
const (
	// NewWorkBatchSize is how many followers one transaction tells: an
	// artist with 100,000 followers takes 200 of them, each short, taking
	// turns with other fan-outs and leaving the listing itself untouched.
	NewWorkBatchSize = 500
	// newWorkBatchesPerRun bounds one run of the worker; the next run goes on.
	newWorkBatchesPerRun = 40
)

// FanOutNewWork tells the followers of artists who listed a work, a batch at
// a time: each batch's notifications are written, and its fan-out moved on,
// in one transaction, so a crash repeats no batch and skips none; several
// instances work on different fan-outs at once.
type FanOutNewWork struct {
	tx        Transactor
	fanOuts   NewWorkFanOuts
	notifier  Notifier
	publisher NotificationPublisher
	clock     Clock
}

// NewFanOutNewWork builds the use case.
func NewFanOutNewWork(tx Transactor, fanOuts NewWorkFanOuts, notifier Notifier, publisher NotificationPublisher,
	clock Clock) *FanOutNewWork {
	return &FanOutNewWork{tx: tx, fanOuts: fanOuts, notifier: notifier, publisher: publisher, clock: clock}
}

// Execute tells batches until no fan-out waits, at most newWorkBatchesPerRun
// of them, and returns how many followers it told. An idle run costs one read.
func (uc *FanOutNewWork) Execute(ctx context.Context) (int, error) {
	waiting, err := uc.fanOuts.Waiting(ctx)
	if err != nil || !waiting {
		return 0, err
	}
	told := 0
	for range newWorkBatchesPerRun {
		made, claimed, err := uc.tellBatch(ctx)
		told += len(made)
		if err != nil || !claimed {
			return told, err
		}
	}
	return told, nil
}

// tellBatch tells one batch and, once it committed, the followers' streams;
// claimed is false when no fan-out waited.
func (uc *FanOutNewWork) tellBatch(ctx context.Context) (made []notification.Notification, claimed bool, err error) {
	err = uc.tx.WithinTx(ctx, func(ctx context.Context) error {
		made, claimed = nil, false
		b, ok, err := uc.fanOuts.Claim(ctx, NewWorkBatchSize)
		if err != nil || !ok {
			return err
		}
		claimed = true
		now := uc.clock.Now()
		made, err = uc.notifier.Notify(ctx, Notices{Notifications: notification.WorkListed(b.ArtID, b.ArtistID, b.Followers), At: now})
		if err != nil {
			return fmt.Errorf("tell %d followers of member %d of art %d: %w", len(b.Followers), b.ArtistID, b.ArtID, err)
		}
		if err := uc.fanOuts.Advance(ctx, b, now); err != nil {
			return fmt.Errorf("move the fan-out of art %d on: %w", b.ArtID, err)
		}
		return nil
	})
	if err != nil {
		return nil, false, fmt.Errorf("fan a new work out: %w", err)
	}
	if len(made) > 0 {
		uc.publisher.Publish(ctx, made)
	}
	return made, claimed, nil
}
