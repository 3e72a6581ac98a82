package application

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Removal of images of deleted arts.
const (
	// ImageRemovalBatchSize is how many removals one run claims.
	ImageRemovalBatchSize = 50
	// ImageRemovalLease reserves a claimed removal for its instance; it
	// outlasts a batch, whose every call the store bounds to seconds.
	ImageRemovalLease = time.Minute

	imageRemovalRetryBase = 2 * time.Second
	imageRemovalRetryMax  = 5 * time.Minute
)

// RemoveImages removes from the image store the images whose removal is due.
type RemoveImages struct {
	removals ImageRemovals
	images   ImageStore
	clock    Clock
}

// NewRemoveImages builds the use case.
func NewRemoveImages(removals ImageRemovals, images ImageStore, clock Clock) *RemoveImages {
	return &RemoveImages{removals: removals, images: images, clock: clock}
}

// Execute carries out one batch of due removals and returns how many were done.
//
// A removal the store fails is due again after a backoff (2s, 4s, ... at most
// 5 minutes; an image is never given up), and its error is returned too,
// joined with the others. An error of the list itself, or a cancelled ctx,
// ends the batch: the removals not yet handled are due again when their lease
// runs out.
func (uc *RemoveImages) Execute(ctx context.Context) (int, error) {
	due, err := uc.removals.ClaimDue(ctx, uc.clock.Now(), ImageRemovalBatchSize, ImageRemovalLease)
	if err != nil {
		return 0, fmt.Errorf("claim due image removals: %w", err)
	}
	done := 0
	var failures []error
	for _, r := range due {
		if err := ctx.Err(); err != nil {
			return done, errors.Join(append(failures, fmt.Errorf("remove image %s: %w", r.Key, err))...)
		}
		if removeErr := uc.images.Delete(ctx, r.Key); removeErr != nil {
			attempts := r.Attempts + 1
			retryAt := uc.clock.Now().Add(imageRemovalBackoff(attempts))
			if err := uc.removals.Retry(ctx, r.Key, attempts, retryAt, removeErr.Error()); err != nil {
				return done, errors.Join(append(failures, fmt.Errorf("reschedule removal of image %s: %w (remove: %w)", r.Key, err, removeErr))...)
			}
			failures = append(failures, fmt.Errorf("remove image %s (attempt %d): %w", r.Key, attempts, removeErr))
			continue
		}
		if err := uc.removals.Done(ctx, r.Key); err != nil {
			return done, errors.Join(append(failures, fmt.Errorf("forget removal of image %s: %w", r.Key, err))...)
		}
		done++
	}
	return done, errors.Join(failures...)
}

// imageRemovalBackoff is the wait after the given number of failed attempts.
func imageRemovalBackoff(attempts int) time.Duration {
	return min(imageRemovalRetryBase<<min(attempts-1, 20), imageRemovalRetryMax)
}
