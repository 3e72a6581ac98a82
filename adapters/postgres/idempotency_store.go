package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
)

var _ application.IdempotencyStore = (*IdempotencyStore)(nil)

type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	MemberID    int64             `bun:"member_id,pk"`
	Operation   string            `bun:"operation,pk"`
	Key         string            `bun:"key,pk"`
	RequestHash []byte            `bun:"request_hash"`
	Status      int               `bun:"status"`
	Headers     map[string]string `bun:"headers,type:jsonb"`
	Body        []byte            `bun:"body"`
	CreatedAt   time.Time         `bun:"created_at"`
}

// IdempotencyStore keeps answered Idempotency-Keys in idempotency_keys.
type IdempotencyStore struct {
	db *bun.DB
}

// NewIdempotencyStore builds an IdempotencyStore over db.
func NewIdempotencyStore(db *bun.DB) *IdempotencyStore {
	return &IdempotencyStore{db: db}
}

// TryLock takes a transaction-scoped advisory lock on a 64-bit hash of the key.
// The one-argument form keeps it apart from the auction guard's two-argument
// locks; a hash collision only makes a request wait for a retry.
func (s *IdempotencyStore) TryLock(ctx context.Context, key application.IdempotencyKey) (bool, error) {
	db := idb(ctx, s.db)
	if _, inTx := db.(bun.Tx); !inTx {
		return false, errors.New("idempotency key lock outside a transaction would outlive it")
	}
	var locked bool
	err := db.NewRaw("SELECT pg_try_advisory_xact_lock(hashtextextended(?, 0))", lockName(key)).Scan(ctx, &locked)
	if err != nil {
		return false, fmt.Errorf("try lock on idempotency key: %w", err)
	}
	return locked, nil
}

// lockName joins the key's parts with a line feed, which none of them holds
// (keys are visible ASCII) and which, unlike NUL, Postgres text may hold.
func lockName(key application.IdempotencyKey) string {
	return fmt.Sprintf("%d\n%s\n%s", key.MemberID, key.Operation, key.Key)
}

// Find reads a key's record.
func (s *IdempotencyStore) Find(ctx context.Context, key application.IdempotencyKey) (application.IdempotencyRecord, bool, error) {
	var row idempotencyRow
	err := idb(ctx, s.db).NewSelect().Model(&row).
		Where("member_id = ? AND operation = ? AND key = ?", key.MemberID, key.Operation, key.Key).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return application.IdempotencyRecord{}, false, nil
	}
	if err != nil {
		return application.IdempotencyRecord{}, false, fmt.Errorf("select idempotency key: %w", err)
	}
	return application.IdempotencyRecord{
		Key:         key,
		RequestHash: row.RequestHash,
		Answer:      application.RecordedAnswer{Status: row.Status, Headers: row.Headers, Body: row.Body},
		CreatedAt:   row.CreatedAt,
	}, true, nil
}

// Save inserts a record, or overwrites an expired record of the same key that
// the purge has not reached yet.
func (s *IdempotencyStore) Save(ctx context.Context, rec application.IdempotencyRecord) error {
	headers := rec.Answer.Headers
	if headers == nil {
		headers = map[string]string{}
	}
	row := idempotencyRow{
		MemberID: rec.Key.MemberID, Operation: rec.Key.Operation, Key: rec.Key.Key,
		RequestHash: rec.RequestHash, Status: rec.Answer.Status, Headers: headers, Body: rec.Answer.Body,
		CreatedAt: rec.CreatedAt,
	}
	_, err := idb(ctx, s.db).NewInsert().Model(&row).
		On("CONFLICT (member_id, operation, key) DO UPDATE").
		Set("request_hash = EXCLUDED.request_hash, status = EXCLUDED.status, headers = EXCLUDED.headers").
		Set("body = EXCLUDED.body, created_at = EXCLUDED.created_at").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("insert idempotency key: %w", err)
	}
	return nil
}

// PurgeBefore deletes the records created before t.
func (s *IdempotencyStore) PurgeBefore(ctx context.Context, t time.Time) (int, error) {
	res, err := idb(ctx, s.db).NewDelete().Model((*idempotencyRow)(nil)).Where("created_at < ?", t).Exec(ctx)
	if err != nil {
		return 0, fmt.Errorf("delete expired idempotency keys: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("count deleted idempotency keys: %w", err)
	}
	return int(n), nil
}
