package httpapi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/notification"
)

func TestAuctionMessageFramesEachKind(t *testing.T) {
	end := time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC)
	bid := auctionMessage(application.AuctionEvent{Kind: application.EventBid, AuctionID: 7, Amount: 1200, BidderID: 3,
		BidderNickname: "ann", BidCount: 4, EndAt: end, Status: auction.StatusOpen})
	assert.Equal(t, "id: 4\nevent: bid\n"+
		`data: {"auction_id":7,"amount":1200,"bidder":{"id":3,"nickname":"ann"},"bid_count":4,"end_at":"2026-12-01T18:00:00Z"}`+"\n\n",
		bid.String())

	extended := auctionMessage(application.AuctionEvent{Kind: application.EventExtended, AuctionID: 7, BidCount: 4, EndAt: end})
	assert.Equal(t, "event: extended\n"+`data: {"auction_id":7,"end_at":"2026-12-01T18:00:00Z"}`+"\n\n", extended.String())

	failed := auctionMessage(application.AuctionEvent{Kind: application.EventClosed, AuctionID: 7, Status: auction.StatusFailed})
	assert.Equal(t, "event: closed\n"+`data: {"auction_id":7,"status":"failed"}`+"\n\n", failed.String())

	sold := auctionMessage(application.AuctionEvent{Kind: application.EventClosed, AuctionID: 7, Amount: 5000, BidderID: 3,
		BidderNickname: "ann", Status: auction.StatusBoughtOut})
	assert.Equal(t, "event: closed\n"+
		`data: {"auction_id":7,"status":"bought_out","winner":{"id":3,"nickname":"ann"},"amount":5000}`+"\n\n", sold.String())
}

func TestWatcherLimitsPerAddressAndInstance(t *testing.T) {
	limits := newWatcherLimits(3, 2)
	first, err := limits.acquire("10.0.0.1")
	require.NoError(t, err)
	_, err = limits.acquire("10.0.0.1")
	require.NoError(t, err)
	_, err = limits.acquire("10.0.0.1")
	require.ErrorIs(t, err, errTooManyWatchersFromIP)
	_, err = limits.acquire("10.0.0.2")
	require.NoError(t, err)
	_, err = limits.acquire("10.0.0.3")
	require.ErrorIs(t, err, errTooManyWatchers)

	first()
	first()
	_, err = limits.acquire("10.0.0.3")
	require.NoError(t, err, "a released slot is free again, once")
	_, err = limits.acquire("10.0.0.4")
	require.ErrorIs(t, err, errTooManyWatchers)
}

func TestNotificationMessageFramesTheInboxView(t *testing.T) {
	at := time.Date(2026, 5, 7, 10, 0, 0, 0, time.UTC)
	sold := notificationMessage(notification.Restore(notification.Record{ID: 101, MemberID: 7, Seq: 3,
		Kind: notification.KindArtSold, ArtID: 42, AuctionID: 5, Amount: 5000, Actor: &notification.Actor{ID: 9, Nickname: "bob"},
		CreatedAt: at}))
	assert.Equal(t, "id: 101\nevent: notification\n"+
		`data: {"id":101,"kind":"art_sold","art_id":42,"auction_id":5,"amount":5000,"actor":{"id":9,"nickname":"bob"},"read":false,"created_at":"2026-05-07T10:00:00Z"}`+"\n\n",
		sold.String())

	failed := notificationMessage(notification.Restore(notification.Record{ID: 102, MemberID: 7, Seq: 4,
		Kind: notification.KindAuctionFailed, ArtID: 43, AuctionID: 6, CreatedAt: at}))
	assert.Equal(t, "id: 102\nevent: notification\n"+
		`data: {"id":102,"kind":"auction_failed","art_id":43,"auction_id":6,"read":false,"created_at":"2026-05-07T10:00:00Z"}`+"\n\n",
		failed.String(), "no amount and no actor when there are none")
}

// deadlineWriter is a ResponseWriter whose deadlines fail with err.
type deadlineWriter struct {
	http.ResponseWriter
	err error
}

func (w deadlineWriter) SetWriteDeadline(time.Time) error { return w.err }
func (w deadlineWriter) SetReadDeadline(time.Time) error  { return w.err }

func TestWriteBoundsWarnOnceWhereDeadlinesCannotBeSet(t *testing.T) {
	core, logs := observer.New(zapcore.WarnLevel)
	warning := &onceWarning{log: zap.New(core), msg: "no deadlines"}

	unsupported := writeBounds{rc: http.NewResponseController(httptest.NewRecorder()), timeout: time.Second, unsupported: warning}
	require.NoError(t, unsupported.lift(), "a writer without deadlines streams unbounded")
	require.NoError(t, unsupported.next())
	require.NoError(t, unsupported.next())
	assert.Equal(t, 1, logs.FilterMessage("no deadlines").Len(), "said once")

	gone := errors.New("use of closed network connection")
	closed := writeBounds{rc: http.NewResponseController(deadlineWriter{httptest.NewRecorder(), gone}), timeout: time.Second,
		unsupported: warning}
	require.ErrorIs(t, closed.lift(), gone, "a connection that is gone ends the stream")
	require.ErrorIs(t, closed.next(), gone)
	assert.Equal(t, 1, logs.Len(), "and is not a warning")

	fine := writeBounds{rc: http.NewResponseController(deadlineWriter{httptest.NewRecorder(), nil}), timeout: time.Second,
		unsupported: warning}
	require.NoError(t, fine.next())
}
