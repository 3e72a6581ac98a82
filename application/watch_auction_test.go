package application_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/auction"
)

type watchFixture struct {
	feed     *mock.MockLiveFeed
	live     *mock.MockLiveSubscription
	auctions *mock.MockAuctionStore
	history  *mock.MockLiveHistory
	uc       *application.WatchAuction
}

func newWatchFixture(t *testing.T) watchFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := watchFixture{feed: mock.NewMockLiveFeed(ctrl), live: mock.NewMockLiveSubscription(ctrl),
		auctions: mock.NewMockAuctionStore(ctrl), history: mock.NewMockLiveHistory(ctrl)}
	f.uc = application.NewWatchAuction(f.feed, f.auctions, f.history)
	return f
}

// bidsOfAuction5 is what the history gives for n bids of auction 5.
func bidsOfAuction5(n int64) []application.BidEntry {
	var bids []application.BidEntry
	for i := range n {
		bids = append(bids, application.BidEntry{AuctionID: 5, Amount: 2000 + i*100,
			Bidder: application.MemberRef{ID: bobID, Nickname: "bob"}})
	}
	return bids
}

func TestWatchAuctionJoinsBeforeReadingAndReplaysAfterLastEventID(t *testing.T) {
	f := newWatchFixture(t)
	gomock.InOrder(
		f.feed.EXPECT().Join(gomock.Any(), int64(5)).Return(f.live, nil),
		f.auctions.EXPECT().Detail(gomock.Any(), int64(5)).Return(application.AuctionDetail{Auction: storedAuction(auctionLedBy(bobID, 2200))}, nil),
		f.history.EXPECT().BidsAfter(gomock.Any(), int64(5), int64(1), 0).Return(bidsOfAuction5(2), nil),
	)

	w, err := f.uc.Execute(context.Background(), 5, 1)

	require.NoError(t, err)
	require.Len(t, w.Replay(), 2)
	assert.Equal(t, []int64{2, 3}, []int64{w.Replay()[0].BidCount, w.Replay()[1].BidCount})
	assert.Equal(t, int64(5), w.Replay()[0].AuctionID)
	assert.Equal(t, tradeEnd, w.Replay()[1].EndAt, "replayed bids carry the end as it stands now")
	assert.False(t, w.Closed() || w.Interrupted())
	// Live events the replay already held are skipped; later ones and the extension pass.
	assert.False(t, w.Accept(application.AuctionEvent{Kind: application.EventBid, BidCount: 3}))
	assert.True(t, w.Accept(application.AuctionEvent{Kind: application.EventBid, BidCount: 4}))
	assert.False(t, w.Accept(application.AuctionEvent{Kind: application.EventExtended, BidCount: 3}))
	assert.True(t, w.Accept(application.AuctionEvent{Kind: application.EventExtended, BidCount: 4}))
	assert.True(t, w.Accept(application.AuctionEvent{Kind: application.EventClosed, BidCount: 4}))
	assert.True(t, w.Closed())

	f.live.EXPECT().Leave()
	w.Close()
}

func TestWatchAuctionAfterTheCloseReplaysThenCloses(t *testing.T) {
	f := newWatchFixture(t)
	sold := storedAuction(auctionLedBy(bobID, 2200), func(r *auction.Record) { r.Status = auction.StatusClosed })
	f.feed.EXPECT().Join(gomock.Any(), int64(5)).Return(f.live, nil)
	f.auctions.EXPECT().Detail(gomock.Any(), int64(5)).Return(application.AuctionDetail{Auction: sold}, nil)
	f.history.EXPECT().Sale(gomock.Any(), int64(5)).Return(application.MemberRef{ID: bobID, Nickname: "bob"}, int64(2200), true, nil)

	w, err := f.uc.Execute(context.Background(), 5, application.NoLastEventID)

	require.NoError(t, err)
	require.Len(t, w.Replay(), 1, "no Last-Event-ID: no bids, only the close")
	assert.Equal(t, application.AuctionEvent{Kind: application.EventClosed, AuctionID: 5, Amount: 2200, BidderID: bobID,
		BidderNickname: "bob", BidCount: 3, EndAt: tradeEnd, Status: auction.StatusClosed}, w.Replay()[0])
	assert.True(t, w.Closed())
	assert.Nil(t, w.Events())
}

func TestWatchAuctionThatFailedClosesWithoutABuyer(t *testing.T) {
	f := newWatchFixture(t)
	failed := storedAuction(auctionLedBy(bobID, 2200), func(r *auction.Record) {
		r.Status, r.BidCount, r.HighestAmount, r.HighestBidderID = auction.StatusFailed, 0, 0, 0
	})
	f.feed.EXPECT().Join(gomock.Any(), int64(5)).Return(f.live, nil)
	f.auctions.EXPECT().Detail(gomock.Any(), int64(5)).Return(application.AuctionDetail{Auction: failed}, nil)
	f.history.EXPECT().Sale(gomock.Any(), int64(5)).Return(application.MemberRef{}, int64(0), false, nil)

	w, err := f.uc.Execute(context.Background(), 5, application.NoLastEventID)

	require.NoError(t, err)
	assert.Equal(t, []application.AuctionEvent{{Kind: application.EventClosed, AuctionID: 5, EndAt: tradeEnd,
		Status: auction.StatusFailed}}, w.Replay())
	assert.True(t, w.Closed())
}

func TestWatchAuctionWithTheFeedDownStillReplays(t *testing.T) {
	f := newWatchFixture(t)
	f.feed.EXPECT().Join(gomock.Any(), int64(5)).Return(nil, application.ErrLiveFeedUnavailable)
	f.auctions.EXPECT().Detail(gomock.Any(), int64(5)).Return(application.AuctionDetail{Auction: storedAuction(auctionLedBy(bobID, 2200))}, nil)
	f.history.EXPECT().BidsAfter(gomock.Any(), int64(5), int64(0), 0).Return(bidsOfAuction5(3), nil)

	w, err := f.uc.Execute(context.Background(), 5, 0)

	require.NoError(t, err)
	assert.Len(t, w.Replay(), 3)
	assert.True(t, w.Interrupted())
	require.ErrorIs(t, w.Dropped(), application.ErrLiveFeedUnavailable)
	w.Close()
}

func TestWatchAuctionOfAnUnknownAuction(t *testing.T) {
	f := newWatchFixture(t)
	f.feed.EXPECT().Join(gomock.Any(), int64(404)).Return(nil, auction.ErrNotFound)

	_, err := f.uc.Execute(context.Background(), 404, application.NoLastEventID)
	require.ErrorIs(t, err, auction.ErrNotFound)

	boom := errors.New("boom")
	f.feed.EXPECT().Join(gomock.Any(), int64(5)).Return(f.live, nil)
	f.auctions.EXPECT().Detail(gomock.Any(), int64(5)).Return(application.AuctionDetail{}, boom)
	f.live.EXPECT().Leave()
	_, err = f.uc.Execute(context.Background(), 5, application.NoLastEventID)
	require.ErrorIs(t, err, boom)
}
