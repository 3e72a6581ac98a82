package application

//go:generate go tool mockgen -source=idempotency_ports.go -destination=mock/idempotency_ports.go -package=mock

import (
	"context"
	"time"
)

// IdempotencyKey names one client retry chain: the member, the operation and
// the key the client chose. Keys of different members or operations never meet.
type IdempotencyKey struct {
	MemberID  int64
	Operation string
	Key       string
}

// RecordedAnswer is what a request answered, as the adapter that served it
// recorded it: the use case keeps it with its key and hands it back to a
// retry unread, so the retry gets the same answer byte for byte.
type RecordedAnswer struct {
	Status  int
	Headers map[string]string
	Body    []byte
}

// IdempotencyRecord is a key's request and the answer it got.
type IdempotencyRecord struct {
	Key         IdempotencyKey
	RequestHash []byte
	Answer      RecordedAnswer
	CreatedAt   time.Time
}

// IdempotencyStore keeps answered keys. TryLock, Find and Save take part in the
// transaction of their context.
type IdempotencyStore interface {
	// TryLock takes a lock on key that lasts until the transaction ends; false
	// when another transaction holds it.
	TryLock(ctx context.Context, key IdempotencyKey) (bool, error)
	// Find reads a key's record; found is false when there is none.
	Find(ctx context.Context, key IdempotencyKey) (rec IdempotencyRecord, found bool, err error)
	// Save stores a record, replacing an expired one of the same key.
	Save(ctx context.Context, rec IdempotencyRecord) error
	// PurgeBefore deletes the records created before t and says how many.
	PurgeBefore(ctx context.Context, t time.Time) (int, error)
}
