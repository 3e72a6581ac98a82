package httpapi

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	sse "github.com/tmaxmax/go-sse"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
)

// LiveSettings bound the live event streams of one instance.
type LiveSettings struct {
	// MaxWatchers and MaxWatchersPerIP cap open streams on this instance.
	MaxWatchers      int
	MaxWatchersPerIP int
	// Heartbeat is the longest a stream stays silent; proxies close idle connections.
	Heartbeat time.Duration
	// WriteTimeout bounds one write to a watcher that stopped reading.
	WriteTimeout time.Duration
	// RetryHint is the reconnect delay a stream suggests when the live feed is down.
	RetryHint time.Duration
}

// LiveUseCases serve the live auction page and its event stream.
type LiveUseCases struct {
	WatchAuction *application.WatchAuction
	Metrics      application.LiveMetrics
}

// Errors of the watcher limits.
var (
	errTooManyWatchersFromIP = errors.New("this address has too many live streams open")
	errTooManyWatchers       = errors.New("this instance has too many live streams open")
)

//go:embed live/auction.html
var liveAuctionPage []byte

// livePage is the live auction page with the policy that lets its inline
// script and style run, and nothing else.
type livePage struct {
	html   []byte
	policy string
}

func newLivePage() (livePage, error) {
	policy, err := pagePolicy(liveAuctionPage)
	if err != nil {
		return livePage{}, fmt.Errorf("live auction page: %w", err)
	}
	return livePage{html: liveAuctionPage, policy: policy}, nil
}

type liveHandlers struct {
	uc       LiveUseCases
	settings LiveSettings
	page     livePage
	limits   *watcherLimits
	// stopping is closed when the server shuts down.
	stopping <-chan struct{}
}

func (h liveHandlers) register(e *echo.Echo, api *echo.Group) {
	api.GET("/auctions/:id/events", h.events)
	e.GET("/auctions/:id/live", h.livePage, withPolicy(h.page.policy))
}

func (h liveHandlers) livePage(c echo.Context) error {
	if _, err := pathID(c, "id"); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTMLBlob(http.StatusOK, h.page.html)
}

// events streams one auction's events (the OpenAPI document): the bids after Last-Event-ID,
// then live ones, heartbeats in between, and the close, which ends the stream.
func (h liveHandlers) events(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	release, err := h.limits.acquire(c.RealIP())
	if err != nil {
		return err
	}
	defer release()
	ctx := c.Request().Context()
	watch, err := h.uc.WatchAuction.Execute(ctx, id, lastEventID(c.Request()))
	if err != nil {
		return err
	}
	defer watch.Close()

	res := c.Response()
	// The server's read and write timeouts would cut a long stream; each write
	// gets its own bound instead.
	rc := http.NewResponseController(res)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	res.Header().Set("Cache-Control", "no-cache")
	res.Header().Set("X-Accel-Buffering", "no")
	// Committing through echo first keeps it from writing the header again.
	res.Header().Set(echo.HeaderContentType, "text/event-stream")
	res.WriteHeader(http.StatusOK)
	session, err := sse.Upgrade(res, c.Request())
	if err != nil {
		return fmt.Errorf("upgrade to an event stream: %w", err)
	}
	h.uc.Metrics.WatcherConnected()
	defer h.uc.Metrics.WatcherDisconnected()
	stream := eventStream{session: session, rc: rc, writeTimeout: h.settings.WriteTimeout}

	for _, e := range watch.Replay {
		if err := stream.send(eventMessage(e)); err != nil {
			return nil //nolint:nilerr // the client went away; there is no one to answer
		}
	}
	if err := stream.flush(); err != nil || watch.Closed {
		return nil //nolint:nilerr // as above, or the stream is complete
	}
	if watch.Interrupted() {
		_ = stream.retry(h.settings.RetryHint)
		return nil
	}
	heartbeat := time.NewTicker(h.settings.Heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-h.stopping:
			// Another instance takes the client over.
			_ = stream.retry(h.settings.RetryHint)
			return nil
		case <-heartbeat.C:
			if err := stream.heartbeat(); err != nil {
				return nil //nolint:nilerr // the client went away
			}
		case e, ok := <-watch.Events():
			if !ok {
				// Fallen behind or feed lost: the client resumes from Last-Event-ID.
				if errors.Is(watch.Dropped(), application.ErrLiveFeedUnavailable) {
					_ = stream.retry(h.settings.RetryHint)
				}
				return nil
			}
			if !watch.Accept(e) {
				continue
			}
			if err := stream.send(eventMessage(e)); err != nil {
				return nil //nolint:nilerr // the client went away
			}
			if err := stream.flush(); err != nil {
				return nil //nolint:nilerr // the client went away
			}
			h.uc.Metrics.EventDelivered(e.Kind, time.Since(e.At))
			if watch.Closed {
				return nil
			}
		}
	}
}

// lastEventID reads the bid count a reconnecting client saw last; a missing or
// malformed header means none, as the SSE processing model says to ignore it.
func lastEventID(r *http.Request) int64 {
	n, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	if err != nil || n < 0 {
		return application.NoLastEventID
	}
	return n
}

// eventStream writes SSE messages, each bounded by the write timeout so a
// client that stopped reading cannot hold its goroutine for long.
type eventStream struct {
	session      *sse.Session
	rc           *http.ResponseController
	writeTimeout time.Duration
}

func (s eventStream) send(m *sse.Message) error {
	_ = s.rc.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	if err := s.session.Send(m); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	return nil
}

func (s eventStream) flush() error {
	_ = s.rc.SetWriteDeadline(time.Now().Add(s.writeTimeout))
	if err := s.session.Flush(); err != nil {
		return fmt.Errorf("flush events: %w", err)
	}
	return nil
}

func (s eventStream) heartbeat() error {
	m := &sse.Message{}
	m.AppendComment("heartbeat")
	if err := s.send(m); err != nil {
		return err
	}
	return s.flush()
}

// retry tells the client how long to wait before it reconnects.
func (s eventStream) retry(after time.Duration) error {
	if err := s.send(&sse.Message{Retry: after}); err != nil {
		return err
	}
	return s.flush()
}

// Event payloads of the OpenAPI document.
type (
	liveBidder struct {
		ID       int64  `json:"id"`
		Nickname string `json:"nickname"`
	}
	liveBidEvent struct {
		AuctionID int64      `json:"auction_id"`
		Amount    int64      `json:"amount"`
		Bidder    liveBidder `json:"bidder"`
		BidCount  int64      `json:"bid_count"`
		EndAt     time.Time  `json:"end_at"`
	}
	liveExtendedEvent struct {
		AuctionID int64     `json:"auction_id"`
		EndAt     time.Time `json:"end_at"`
	}
	liveClosedEvent struct {
		AuctionID int64       `json:"auction_id"`
		Status    string      `json:"status"`
		Winner    *liveBidder `json:"winner,omitempty"`
		Amount    *int64      `json:"amount,omitempty"`
	}
)

// eventMessage frames an event: a bid's id is its bid count, so a
// reconnecting client's Last-Event-ID says which bids it has.
func eventMessage(e application.AuctionEvent) *sse.Message {
	m := &sse.Message{Type: sse.Type(string(e.Kind))}
	var payload any
	switch e.Kind {
	case application.EventBid:
		m.ID = sse.ID(strconv.FormatInt(e.BidCount, 10))
		payload = liveBidEvent{AuctionID: e.AuctionID, Amount: e.Amount,
			Bidder: liveBidder{ID: e.BidderID, Nickname: e.BidderNickname}, BidCount: e.BidCount, EndAt: e.EndAt.UTC()}
	case application.EventExtended:
		payload = liveExtendedEvent{AuctionID: e.AuctionID, EndAt: e.EndAt.UTC()}
	case application.EventClosed:
		closed := liveClosedEvent{AuctionID: e.AuctionID, Status: string(e.Status)}
		if e.BidderID != 0 && e.Status != auction.StatusFailed {
			amount := e.Amount
			closed.Winner, closed.Amount = &liveBidder{ID: e.BidderID, Nickname: e.BidderNickname}, &amount
		}
		payload = closed
	}
	data, _ := json.Marshal(payload) //nolint:errchkjson // plain structs of numbers, strings and times
	m.AppendData(string(data))
	return m
}

// watcherLimits counts open streams per instance and per client address.
type watcherLimits struct {
	maxTotal, maxPerIP int

	mu    sync.Mutex
	total int
	perIP map[string]int
}

func newWatcherLimits(maxTotal, maxPerIP int) *watcherLimits {
	return &watcherLimits{maxTotal: maxTotal, maxPerIP: maxPerIP, perIP: map[string]int{}}
}

// acquire takes a slot for ip, or says which limit is reached; release gives it back.
func (l *watcherLimits) acquire(ip string) (release func(), err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.total >= l.maxTotal:
		return nil, errTooManyWatchers
	case l.perIP[ip] >= l.maxPerIP:
		return nil, errTooManyWatchersFromIP
	}
	l.total++
	l.perIP[ip]++
	var once sync.Once
	return func() {
		once.Do(func() {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.total--
			if l.perIP[ip]--; l.perIP[ip] == 0 {
				delete(l.perIP, ip)
			}
		})
	}, nil
}
