package httpapi

import (
	"context"
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
	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
)

// LiveSettings bound the live event streams of one instance.
type LiveSettings struct {
	// MaxWatchers and MaxWatchersPerIP cap open streams on this instance,
	// auction and member streams together.
	MaxWatchers      int
	MaxWatchersPerIP int
	// Heartbeat is the longest a stream stays silent; proxies close idle connections.
	Heartbeat time.Duration
	// WriteTimeout bounds one write to a watcher that stopped reading.
	WriteTimeout time.Duration
	// RetryHint is the reconnect delay a stream suggests when the live feed is down.
	RetryHint time.Duration
}

// LiveUseCases serve the live auction page, the auction and member event
// streams, and the tickets that open a member stream.
type LiveUseCases struct {
	WatchAuction       *application.WatchAuction
	WatchNotifications *application.WatchNotifications
	IssueStreamTicket  *application.IssueStreamTicket
	RedeemStreamTicket *application.RedeemStreamTicket
	Metrics            application.LiveMetrics
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
	uc           LiveUseCases
	authenticate *application.Authenticate
	settings     LiveSettings
	page         livePage
	limits       *watcherLimits
	// stopping is closed when the server shuts down.
	stopping <-chan struct{}
	// unbounded warns, once, that streams run without write deadlines.
	unbounded *onceWarning
}

func (h liveHandlers) register(e *echo.Echo, api *echo.Group) {
	api.GET("/auctions/:id/events", h.auctionEvents)
	e.GET("/auctions/:id/live", h.livePage, withPolicy(h.page.policy))
	api.GET("/me/events", h.memberEvents, streamMember(h.authenticate, h.uc.RedeemStreamTicket))
	api.POST("/me/stream-tickets", h.issueTicket, requireMember(h.authenticate))
}

func (h liveHandlers) livePage(c echo.Context) error {
	if _, err := pathID(c, "id"); err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-cache")
	return c.HTMLBlob(http.StatusOK, h.page.html)
}

// auctionEvents streams one auction's events (the OpenAPI document): the bids
// after Last-Event-ID, then live ones, and the close, which ends the stream.
func (h liveHandlers) auctionEvents(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	return serveLive(h, c, auctionStream, func() (liveWatch[application.AuctionEvent], error) {
		return h.uc.WatchAuction.Execute(c.Request().Context(), id, lastBidCount(c.Request()))
	})
}

// memberEvents streams the caller's notifications (the OpenAPI document): those
// after Last-Event-ID, then each as it is made, on whichever instance.
func (h liveHandlers) memberEvents(c echo.Context) error {
	return serveLive(h, c, memberStream, func() (liveWatch[notification.Notification], error) {
		return h.uc.WatchNotifications.Execute(c.Request().Context(), principal(c).MemberID, lastNotificationID(c.Request()))
	})
}

func (h liveHandlers) issueTicket(c echo.Context) error {
	ticket, err := h.uc.IssueStreamTicket.Execute(c.Request().Context(), principal(c))
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusCreated, streamTicketView{Ticket: ticket, ExpiresIn: int64(application.StreamTicketTTL.Seconds())})
}

type streamTicketView struct {
	Ticket    string `json:"ticket"`
	ExpiresIn int64  `json:"expires_in"`
}

// streamMember authenticates a member stream by its bearer token or, for a
// request without an Authorization header, by a one-use ticket in the query
// (a browser's EventSource sends no header). Missing credentials and a bad,
// used or expired ticket are 401 UNAUTHENTICATED.
func streamMember(authenticate *application.Authenticate, redeem *application.RedeemStreamTicket) echo.MiddlewareFunc {
	bearer := requireMember(authenticate)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		withBearer := bearer(next)
		return func(c echo.Context) error {
			if c.Request().Header.Get(echo.HeaderAuthorization) != "" || !c.QueryParams().Has("ticket") {
				return withBearer(c)
			}
			p, err := redeem.Execute(c.Request().Context(), c.QueryParam("ticket"))
			if err != nil {
				return err
			}
			c.Set(principalKey, p)
			return next(c)
		}
	}
}

// liveWatch is one watcher's stream as a use case starts it: what the
// client missed, then what Accept lets through of the live events, until
// Closed. application.AuctionWatch and application.NotificationWatch are two.
type liveWatch[E any] interface {
	Replay() []E
	Closed() bool
	// Interrupted says the live feed was down as the watch began: nothing
	// follows the replay, and the client should come back.
	Interrupted() bool
	Events() <-chan E
	Accept(e E) bool
	// Dropped tells why Events was closed.
	Dropped() error
	Close()
}

// liveStream is how one kind of stream frames its events and counts them.
type liveStream[E any] struct {
	name    application.LiveStream
	message func(E) *sse.Message
	kind    func(E) string
	// madeAt is when the change behind an event happened, for the delivery lag.
	madeAt func(E) time.Time
}

var (
	auctionStream = liveStream[application.AuctionEvent]{
		name: application.LiveAuctions, message: auctionMessage,
		kind:   func(e application.AuctionEvent) string { return string(e.Kind) },
		madeAt: func(e application.AuctionEvent) time.Time { return e.At },
	}
	memberStream = liveStream[notification.Notification]{
		name: application.LiveMembers, message: notificationMessage,
		kind:   func(notification.Notification) string { return notificationEvent },
		madeAt: notification.Notification.CreatedAt,
	}
)

// serveLive answers a stream: it takes a watcher slot, starts the watch, turns
// the answer into an event stream, writes the replay and then follows the
// live events until the client leaves, the server stops or the watch ends.
// Errors before the stream starts are problems; after, the client has gone
// or is told to come back, and there is no one to answer.
func serveLive[E any](h liveHandlers, c echo.Context, s liveStream[E], start func() (liveWatch[E], error)) error {
	release, err := h.limits.acquire(c.RealIP())
	if err != nil {
		return err
	}
	defer release()
	watch, err := start()
	if err != nil {
		return err
	}
	defer watch.Close()
	stream, err := h.open(c)
	if err != nil {
		return err
	}
	h.uc.Metrics.WatcherConnected(s.name)
	defer h.uc.Metrics.WatcherDisconnected(s.name)

	if !replay(stream, s, watch) {
		return nil
	}
	if watch.Interrupted() {
		_ = stream.retry(h.settings.RetryHint)
		return nil
	}
	follower[E]{h: h, stream: stream, format: s, watch: watch}.follow(c.Request().Context())
	return nil
}

// open commits a 200 event stream. The server's read and write timeouts would
// cut a long stream, so they are lifted; each write gets its own bound instead.
func (h liveHandlers) open(c echo.Context) (eventStream, error) {
	res := c.Response()
	rc := http.NewResponseController(res)
	bounds := writeBounds{rc: rc, timeout: h.settings.WriteTimeout, unsupported: h.unbounded}
	if err := bounds.lift(); err != nil {
		return eventStream{}, err
	}
	res.Header().Set("Cache-Control", "no-cache")
	res.Header().Set("X-Accel-Buffering", "no")
	// Committing through echo first keeps it from writing the header again.
	res.Header().Set(echo.HeaderContentType, "text/event-stream")
	res.WriteHeader(http.StatusOK)
	session, err := sse.Upgrade(res, c.Request())
	if err != nil {
		return eventStream{}, fmt.Errorf("upgrade to an event stream: %w", err)
	}
	return eventStream{session: session, bounds: bounds}, nil
}

// replay writes what the client missed; false when nothing more is to be
// written: the client went away, or the watch is over (an auction that closed).
func replay[E any](stream eventStream, s liveStream[E], watch liveWatch[E]) bool {
	for _, e := range watch.Replay() {
		if err := stream.send(s.message(e)); err != nil {
			return false
		}
	}
	return stream.flush() == nil && !watch.Closed()
}

// follower writes one watch's live events as they come, with heartbeats.
type follower[E any] struct {
	h      liveHandlers
	stream eventStream
	format liveStream[E]
	watch  liveWatch[E]
}

func (f follower[E]) follow(ctx context.Context) {
	heartbeat := time.NewTicker(f.h.settings.Heartbeat)
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-f.h.stopping:
			// Another instance takes the client over.
			_ = f.stream.retry(f.h.settings.RetryHint)
			return
		case <-heartbeat.C:
			if f.stream.heartbeat() != nil {
				return
			}
		case e, ok := <-f.watch.Events():
			if !ok {
				f.dropped()
				return
			}
			if !f.deliver(e) {
				return
			}
		}
	}
}

// dropped ends a stream the feed let go: a watcher that fell behind resumes
// by itself with Last-Event-ID; one whose feed was lost is told when to.
func (f follower[E]) dropped() {
	if errors.Is(f.watch.Dropped(), application.ErrLiveFeedUnavailable) {
		_ = f.stream.retry(f.h.settings.RetryHint)
	}
}

// deliver writes a live event the watcher has not seen; false when the stream
// is over: the client went away, or the event ended the watch.
func (f follower[E]) deliver(e E) bool {
	if !f.watch.Accept(e) {
		return true
	}
	if f.stream.send(f.format.message(e)) != nil || f.stream.flush() != nil {
		return false
	}
	f.h.uc.Metrics.EventDelivered(f.format.name, f.format.kind(e), time.Since(f.format.madeAt(e)))
	return !f.watch.Closed()
}

// lastBidCount reads the bid count a reconnecting auction watcher saw last; a
// missing or malformed header means none, as the SSE processing model says
// to ignore it.
func lastBidCount(r *http.Request) int64 {
	n, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	if err != nil || n < 0 {
		return application.NoLastEventID
	}
	return n
}

// lastNotificationID reads the id of the last notification a reconnecting
// member stream saw; a missing or malformed header means none.
func lastNotificationID(r *http.Request) int64 {
	n, err := strconv.ParseInt(r.Header.Get("Last-Event-ID"), 10, 64)
	if err != nil || n < 1 {
		return application.NoLastNotificationID
	}
	return n
}

// eventStream writes SSE messages, each bounded by the write timeout so a
// client that stopped reading cannot hold its goroutine for long.
type eventStream struct {
	session *sse.Session
	bounds  writeBounds
}

func (s eventStream) send(m *sse.Message) error {
	if err := s.bounds.next(); err != nil {
		return err
	}
	if err := s.session.Send(m); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	return nil
}

func (s eventStream) flush() error {
	if err := s.bounds.next(); err != nil {
		return err
	}
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

// writeBounds sets the deadlines of a stream's connection. A connection that
// cannot take deadlines (a ResponseWriter that hides them) streams without
// bounds, which is logged once; any other failure to set one means the
// connection is gone, and ends the stream like a failed write.
type writeBounds struct {
	rc          *http.ResponseController
	timeout     time.Duration
	unsupported *onceWarning
}

// lift clears the server's read and write deadlines for the stream.
func (b writeBounds) lift() error {
	return errors.Join(b.checked(b.rc.SetReadDeadline(time.Time{})), b.checked(b.rc.SetWriteDeadline(time.Time{})))
}

// next bounds the next write.
func (b writeBounds) next() error {
	return b.checked(b.rc.SetWriteDeadline(time.Now().Add(b.timeout)))
}

func (b writeBounds) checked(err error) error {
	if errors.Is(err, http.ErrNotSupported) {
		b.unsupported.warn(err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("set stream deadline: %w", err)
	}
	return nil
}

// onceWarning logs its first warning and drops the rest: every stream of a
// server would repeat it.
type onceWarning struct {
	once sync.Once
	log  *zap.Logger
	msg  string
}

func (w *onceWarning) warn(err error) {
	w.once.Do(func() { w.log.Warn(w.msg, zap.Error(err)) })
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

// auctionMessage frames an auction event: a bid's id is its bid count, so a
// reconnecting client's Last-Event-ID says which bids it has.
func auctionMessage(e application.AuctionEvent) *sse.Message {
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

// notificationEvent is the type of every event of a member stream.
const notificationEvent = "notification"

// notificationMessage frames a notification as the inbox shows it, its id the
// event's, so a reconnecting client's Last-Event-ID says which ones it has.
func notificationMessage(n notification.Notification) *sse.Message {
	m := &sse.Message{Type: sse.Type(notificationEvent), ID: sse.ID(strconv.FormatInt(n.ID(), 10))}
	data, _ := json.Marshal(toNotificationView(n)) //nolint:errchkjson // a plain struct of numbers, strings and times
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
