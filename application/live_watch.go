package application

// liveSubscription is a stream's place in a live feed: LiveSubscription for
// an auction's events, NotificationSubscription for a member's notifications.
type liveSubscription[E any] interface {
	Events() <-chan E
	Err() error
	Leave()
}

// liveWatch is what the auction and member streams share: what the client
// missed, read from the database, and the live feed after it.
type liveWatch[E any] struct {
	replay []E
	// live is nil when the feed was down as the watch began.
	live liveSubscription[E]
}

// Replay is what the watcher missed, oldest first.
func (w *liveWatch[E]) Replay() []E { return w.replay }

// Interrupted says no live event will follow: the live feed was down when the
// watch began, so the client should reconnect.
func (w *liveWatch[E]) Interrupted() bool { return w.live == nil }

// events delivers live events; nil (blocking forever) when Interrupted.
func (w *liveWatch[E]) events() <-chan E {
	if w.live == nil {
		return nil
	}
	return w.live.Events()
}

// Dropped tells why the live events were closed.
func (w *liveWatch[E]) Dropped() error {
	if w.live == nil {
		return ErrLiveFeedUnavailable
	}
	return w.live.Err()
}

// Close leaves the live feed.
func (w *liveWatch[E]) Close() {
	if w.live != nil {
		w.live.Leave()
	}
}
