package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
)

var _ application.ImageRemovals = (*ImageRemovals)(nil)

type imageRemovalRow struct {
	bun.BaseModel `bun:"table:image_removals"`

	Key      string `bun:"key,pk"`
	Attempts int    `bun:"attempts"`
}

// ImageRemovals is the list of images to remove, in the image_removals table.
type ImageRemovals struct {
	db *bun.DB
}

// NewImageRemovals builds the list over db.
func NewImageRemovals(db *bun.DB) *ImageRemovals {
	return &ImageRemovals{db: db}
}

// Schedule records the removal in the transaction of ctx if any. A key
// scheduled already keeps the earlier of the two times.
func (r *ImageRemovals) Schedule(ctx context.Context, key string, at time.Time) error {
	_, err := idb(ctx, r.db).NewRaw(`
		INSERT INTO image_removals (key, due_at) VALUES (?0, ?1)
		ON CONFLICT (key) DO UPDATE SET due_at = LEAST(image_removals.due_at, EXCLUDED.due_at)`,
		key, at).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("schedule removal of image %s: %w", key, err)
	}
	return nil
}

// ClaimDue leases up to limit due removals, the longest due first, in one
// statement: rows another claimer has locked are skipped rather than waited
// for, and the due time moved ahead by the lease keeps later claimers away.
func (r *ImageRemovals) ClaimDue(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]application.ImageRemoval, error) {
	var rows []imageRemovalRow
	err := idb(ctx, r.db).NewRaw(`
		WITH due AS (
			SELECT key FROM image_removals
			WHERE due_at <= ?0
			ORDER BY due_at
			LIMIT ?1
			FOR UPDATE SKIP LOCKED
		)
		UPDATE image_removals AS r SET due_at = ?2
		FROM due WHERE r.key = due.key
		RETURNING r.key, r.attempts`,
		now, limit, now.Add(lease)).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("claim due image removals: %w", err)
	}
	removals := make([]application.ImageRemoval, 0, len(rows))
	for _, row := range rows {
		removals = append(removals, application.ImageRemoval{Key: row.Key, Attempts: row.Attempts})
	}
	return removals, nil
}

// Done deletes the row of a removal carried out; one already gone is no error.
func (r *ImageRemovals) Done(ctx context.Context, key string) error {
	if _, err := idb(ctx, r.db).NewDelete().Model((*imageRemovalRow)(nil)).Where("key = ?", key).Exec(ctx); err != nil {
		return fmt.Errorf("forget removal of image %s: %w", key, err)
	}
	return nil
}

// Retry records a failed attempt; the removal is due again at at.
func (r *ImageRemovals) Retry(ctx context.Context, key string, attempts int, at time.Time, reason string) error {
	_, err := idb(ctx, r.db).NewUpdate().Model((*imageRemovalRow)(nil)).
		Set("attempts = ?", attempts).
		Set("due_at = ?", at).
		Set("last_error = ?", reason).
		Where("key = ?", key).
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("reschedule removal of image %s: %w", key, err)
	}
	return nil
}

// Pending counts the removals not yet carried out.
func (r *ImageRemovals) Pending(ctx context.Context) (int, error) {
	n, err := idb(ctx, r.db).NewSelect().Model((*imageRemovalRow)(nil)).Count(ctx)
	if err != nil {
		return 0, fmt.Errorf("count pending image removals: %w", err)
	}
	return int(n), nil
}
