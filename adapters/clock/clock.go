// Package clock is the real time source behind application.Clock.
package clock

import (
	"time"

	"github.com/artauction/artauction/application"
)

// System tells the wall-clock time in UTC.
type System struct{}

var _ application.Clock = System{}

// Now returns the current time in UTC.
func (System) Now() time.Time { return time.Now().UTC() }
