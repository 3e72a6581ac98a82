package application

import (
	"errors"
	"fmt"
	"time"
)

// RateLimitedError says a rate limit is used up and when to try again.
type RateLimitedError struct {
	Rule       string
	RetryAfter time.Duration
}

func (e *RateLimitedError) Error() string {
	return fmt.Sprintf("rate limit %s exceeded, retry after %s", e.Rule, e.RetryAfter)
}

// Errors of idempotent retries (docs/rules.md, Idempotent retries).
var (
	// ErrIdempotencyKeyReused means the key already answered a different request.
	ErrIdempotencyKeyReused = errors.New("this idempotency key was used for a different request")
	// ErrIdempotencyInProgress means a request with the same key is still running.
	ErrIdempotencyInProgress = errors.New("a request with this idempotency key is still running")
)

// ErrUnavailable means a dependency of the service (the database, Redis) could
// not be reached or dropped the connection: the request may succeed if retried
// shortly. The adapters mark their connection failures with it, so that such a
// failure reads as "try again", not as a fault of the service.
var ErrUnavailable = errors.New("a service dependency is unavailable")
