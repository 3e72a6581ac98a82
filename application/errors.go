package application

import (
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
