package application_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
	"github.com/artauction/artauction/domain/validation"
)

// fixedTestNow is the time every fake clock of these tests tells.
var fixedTestNow = time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)

// newFixedClock answers fixedTestNow as often as it is asked.
func newFixedClock(ctrl *gomock.Controller) *mock.MockClock {
	clock := mock.NewMockClock(ctrl)
	clock.EXPECT().Now().Return(fixedTestNow).AnyTimes()
	return clock
}

// txMarker marks the context a pass-through transaction hands to its function,
// so that a test can tell calls made inside the transaction from calls outside.
type txMarker struct{}

// expectOneTx makes tx expect exactly one WithinTx, which runs the function at
// once with a context marked as inside the transaction.
func expectOneTx(tx *mock.MockTransactor) {
	tx.EXPECT().WithinTx(gomock.Any(), gomock.Any()).DoAndReturn(
		func(ctx context.Context, fn func(context.Context) error) error {
			return fn(context.WithValue(ctx, txMarker{}, true))
		})
}

type txContextMatcher struct{ inside bool }

func (m txContextMatcher) Matches(x any) bool {
	ctx, ok := x.(context.Context)
	return ok && (ctx.Value(txMarker{}) != nil) == m.inside
}

func (m txContextMatcher) String() string {
	if m.inside {
		return "is a context inside the transaction"
	}
	return "is a context outside any transaction"
}

// inTx matches a context given by the transaction.
func inTx() gomock.Matcher { return txContextMatcher{inside: true} }

// outsideTx matches a context not given by a transaction: work that must not be
// rolled back with it.
func outsideTx() gomock.Matcher { return txContextMatcher{inside: false} }

// storedAlice is a member as the store returns it.
func storedAlice() *member.Member {
	return member.Restore(7, "alice@example.com", "stored-hash", "alice", "Alice Kim", "Seoul Arts", "010-1234-5678",
		point.RestoreBalance(1000, 800), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

// validationFieldNames returns the invalid fields of a validation error, failing
// the test for any other error.
func validationFieldNames(t *testing.T, err error) []string {
	t.Helper()
	var verr *validation.Error
	require.ErrorAs(t, err, &verr)
	names := make([]string, 0, len(verr.Fields()))
	for _, f := range verr.Fields() {
		names = append(names, f.Field)
	}
	return names
}

// storedArtImage is the picture of storedArt.
func storedArtImage() art.Image {
	return art.RestoreImage("arts/42.jpg", art.FormatJPEG, 800, 600, 123_456, "etag-42")
}

// storedArt is art 42, an on-sale general art of alice (member 7), as the store
// returns it; edit tweaks the record first.
func storedArt(edit ...func(*art.Record)) *art.Art {
	r := art.Record{
		ID: 42, OwnerID: 7, Name: "Sunset", Description: "Oil on canvas", Type: art.TypeGeneral,
		Price: 5000, CurrentPrice: 5000, Hashtags: []string{"sunset", "oil"}, Image: storedArtImage(),
		Status: art.StatusOnSale, CreatedAt: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC),
	}
	for _, e := range edit {
		e(&r)
	}
	return art.Restore(r)
}

// soldArt marks a storedArt record sold.
func soldArt(r *art.Record) { r.Status = art.StatusSold }

// auctionArtWithBids makes a storedArt record an auction art with bids.
func auctionArtWithBids(r *art.Record) { r.Type, r.BidCount, r.CurrentPrice = art.TypeAuction, 2, 6000 }

// storedArtDetail is storedArt's page as the store returns it.
func storedArtDetail() application.ArtDetail {
	return application.ArtDetail{
		ArtSummary: application.ArtSummary{Art: storedArt(), Owner: application.MemberRef{ID: 7, Nickname: "alice", School: "Seoul Arts"}},
	}
}

// Members of the trading tests: alice (7) owns art 42 and sells it; ann has a
// lower id than everyone, bob sits between alice and carl.
const (
	annID   int64 = 3
	aliceID int64 = 7
	bobID   int64 = 9
	carlID  int64 = 12
)

// tradeNickname is how the trading tests' members are named.
func tradeNickname(id int64) string { return fmt.Sprintf("m%d", id) }

// tradeMemberRef is one of the trading tests' members as others see them.
func tradeMemberRef(id int64) application.MemberRef {
	return application.MemberRef{ID: id, Nickname: tradeNickname(id), School: "Seoul Arts"}
}

// tradeAccount is a member's account as the wallet reads it: available
// points, and more on hold.
func tradeAccount(id, available int64) application.Account {
	return application.Account{Member: tradeMemberRef(id), Balance: point.RestoreBalance(available+50_000, available)}
}

// tradingFixture holds every port the trading use cases need, as strict mocks.
type tradingFixture struct {
	guard     *mock.MockAuctionGuard
	auctions  *mock.MockAuctionStore
	sales     *mock.MockArtSales
	wallet    *mock.MockWallet
	purchases *mock.MockPurchaseStore
	notifier  *mock.MockNotifier
	notes     *mock.MockNotificationPublisher
	events    *mock.MockEventPublisher
	metrics   *mock.MockTradeMetrics
	clock     *mock.MockClock
	// guard tells whether a guarded function is running and how many ran to the end.
	guardState *guardState
}

type guardState struct {
	running  bool
	finished int
}

func newTradingFixture(t *testing.T) tradingFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	return tradingFixture{
		guard: mock.NewMockAuctionGuard(ctrl), auctions: mock.NewMockAuctionStore(ctrl), sales: mock.NewMockArtSales(ctrl),
		wallet: mock.NewMockWallet(ctrl), purchases: mock.NewMockPurchaseStore(ctrl), notifier: mock.NewMockNotifier(ctrl),
		notes: mock.NewMockNotificationPublisher(ctrl), events: mock.NewMockEventPublisher(ctrl),
		metrics: mock.NewMockTradeMetrics(ctrl), clock: newFixedClock(ctrl),
		guardState: &guardState{},
	}
}

// runGuarded runs fn the way a guard does: once, in a context marked as inside
// the transaction (inTx matches it), and returns what fn returned.
func (f tradingFixture) runGuarded(ctx context.Context, fn func(context.Context) error) error {
	f.guardState.running = true
	err := fn(context.WithValue(ctx, txMarker{}, true))
	f.guardState.running = false
	f.guardState.finished++
	return err
}

// expectAuctionGuard makes the guard expect one WithAuction for auctionID that
// passes through to fn.
func (f tradingFixture) expectAuctionGuard(auctionID int64) *gomock.Call {
	return f.guard.EXPECT().WithAuction(outsideTx(), auctionID, gomock.Any()).DoAndReturn(
		func(ctx context.Context, _ int64, fn func(context.Context) error) error { return f.runGuarded(ctx, fn) })
}

// expectArtGuard makes the guard expect one WithArt for artID that passes through to fn.
func (f tradingFixture) expectArtGuard(artID int64) *gomock.Call {
	return f.guard.EXPECT().WithArt(outsideTx(), artID, gomock.Any()).DoAndReturn(
		func(ctx context.Context, _ int64, fn func(context.Context) error) error { return f.runGuarded(ctx, fn) })
}

// expectAuctionGuardRetrying passes through to fn like a guard that re-runs fn
// while it returns ErrWriteConflict, at most attempts times.
func (f tradingFixture) expectAuctionGuardRetrying(auctionID int64, attempts int) *gomock.Call {
	return f.guard.EXPECT().WithAuction(outsideTx(), auctionID, gomock.Any()).DoAndReturn(
		func(ctx context.Context, _ int64, fn func(context.Context) error) error {
			var err error
			for range attempts {
				if err = f.runGuarded(ctx, fn); !errors.Is(err, application.ErrWriteConflict) {
					return err
				}
			}
			return err
		})
}

// expectGuardReturnsFnError passes through to fn and asserts that fn itself
// returned want, as the guard needs to see it (ErrWriteConflict to retry).
func (f tradingFixture) expectGuardReturnsFnError(t *testing.T, auctionID int64, want error) *gomock.Call {
	t.Helper()
	return f.guard.EXPECT().WithAuction(outsideTx(), auctionID, gomock.Any()).DoAndReturn(
		func(ctx context.Context, _ int64, fn func(context.Context) error) error {
			err := f.runGuarded(ctx, fn)
			assert.ErrorIs(t, err, want, "what fn returns to the guard")
			return err
		})
}

// expectPublish expects one event, published outside the guard's transaction
// after the guarded function finished.
func (f tradingFixture) expectPublish(t *testing.T, want application.AuctionEvent) *gomock.Call {
	t.Helper()
	if want.BidderID != 0 && want.BidderNickname == "" {
		want.BidderNickname = tradeNickname(want.BidderID)
	}
	return f.events.EXPECT().Publish(outsideTx(), want).Do(func(context.Context, application.AuctionEvent) {
		assert.False(t, f.guardState.running, "published inside the guard")
		assert.Positive(t, f.guardState.finished, "published before the guarded change finished")
	})
}

// mailTo matches a mail to memberID about subject whose text holds every part.
func mailTo(memberID int64, subject string, textParts ...string) gomock.Matcher {
	return gomock.Cond(func(m application.MemberMail) bool {
		if m.MemberID != memberID || m.Subject != subject {
			return false
		}
		for _, p := range textParts {
			if !strings.Contains(m.Text, p) {
				return false
			}
		}
		return true
	})
}

// noticesOf matches a trade's notices: the mails in this order, exactly the
// notifications of want, made at the trade's time.
func noticesOf(want notification.Set, mails ...gomock.Matcher) gomock.Matcher {
	return gomock.Cond(func(n application.Notices) bool {
		if len(n.Mails) != len(mails) || !reflect.DeepEqual(n.Notifications, want) || !n.At.Equal(fixedTestNow) {
			return false
		}
		for i, m := range mails {
			if !m.Matches(n.Mails[i]) {
				return false
			}
		}
		return true
	})
}

// madeFrom is what the notifier answers for want: one stored notification
// per draft, with ids from 900.
func madeFrom(want notification.Set) []notification.Notification {
	var made []notification.Notification
	for i, d := range want.Drafts() {
		made = append(made, notification.Restore(notification.Record{ID: 900 + int64(i), MemberID: d.MemberID(),
			Seq: 1, Kind: d.Kind(), ArtID: d.ArtID(), AuctionID: d.AuctionID(), Amount: d.Amount(), CreatedAt: fixedTestNow}))
	}
	return made
}

// expectNotices expects the trade's notices in one write inside the
// transaction, and the notifications it made published once, outside the
// transaction, after the guarded change finished.
func (f tradingFixture) expectNotices(t *testing.T, want notification.Set, mails ...gomock.Matcher) *gomock.Call {
	made := madeFrom(want)
	f.notes.EXPECT().Publish(outsideTx(), made).Do(func(context.Context, []notification.Notification) {
		assert.False(t, f.guardState.running, "published inside the guard")
		assert.Positive(t, f.guardState.finished, "published before the guarded change finished")
	})
	return f.notifier.EXPECT().Notify(inTx(), noticesOf(want, mails...)).Return(made, nil)
}

// movesOf matches the point moves of a trade in any order: the wallet, not
// the use case, orders them.
func movesOf(want ...application.PointMove) gomock.Matcher {
	return gomock.Cond(func(got []application.PointMove) bool {
		return len(got) == len(want) && !slices.ContainsFunc(want, func(w application.PointMove) bool {
			return !slices.Contains(got, w)
		})
	})
}

// expectMoves expects one move of the points, inside the transaction.
func (f tradingFixture) expectMoves(want ...application.PointMove) *gomock.Call {
	return f.wallet.EXPECT().Move(inTx(), movesOf(want...))
}

// Subjects of the trade mails.
const (
	subjectOutbid       = "You have been outbid"
	subjectWon          = "You won the auction"
	subjectSold         = "Your art was sold"
	subjectUnsold       = "Your auction ended without bids"
	subjectBelowReserve = "Your auction ended below its reserve"
	subjectPurchased    = "Purchase confirmed"
)

// The trading tests' auction 5 of art 42 runs from an hour before
// fixedTestNow to an hour after, starts at 1000, buy now 5000, increment 100.
var (
	tradeStart = fixedTestNow.Add(-time.Hour)
	tradeEnd   = fixedTestNow.Add(time.Hour)
)

// storedAuction is auction 5 of alice's art 42, open without bids, as the store
// returns it; edit tweaks the record first. Each call builds a fresh auction.
func storedAuction(edit ...func(*auction.Record)) *auction.Auction {
	r := auction.Record{
		ID: 5, ArtID: 42, StartAt: tradeStart, EndAt: tradeEnd, StartPrice: 1000, BuyNowPrice: 5000,
		BidIncrement: 100, Status: auction.StatusOpen,
	}
	for _, e := range edit {
		e(&r)
	}
	return auction.Restore(r)
}

// aliceRef is alice, who owns art 42, as lists show her.
var aliceRef = application.MemberRef{ID: aliceID, Nickname: "alice", School: "Seoul Arts"}

// auctionArtOf is the art of auction a as a shows it: an auction art at a's current
// price with a's bids.
func auctionArtOf(a *auction.Auction) func(*art.Record) {
	return func(r *art.Record) {
		r.ID, r.Type, r.Price, r.CurrentPrice, r.BidCount = a.ArtID(), art.TypeAuction, a.Terms().StartPrice(), a.CurrentPrice(), a.BidCount()
	}
}

// auctionDetailOf is auction a as the store reads it for a trade: with alice's
// art 42 as lists show it, and a's leader.
func auctionDetailOf(a *auction.Auction) application.AuctionDetail {
	d := application.AuctionDetail{Auction: a,
		Art: application.ArtSummary{Art: storedArt(auctionArtOf(a)), Owner: aliceRef, AuctionEndAt: a.Terms().EndAt()}}
	if a.HasBids() {
		leader := tradeMemberRef(a.HighestBidderID())
		d.HighestBidder = &leader
	}
	return d
}

// auctionLedBy gives a storedAuction record three bids, bidderID leading at amount.
func auctionLedBy(bidderID, amount int64) func(*auction.Record) {
	return func(r *auction.Record) { r.HighestBidderID, r.HighestAmount, r.BidCount = bidderID, amount, 3 }
}

func auctionStatus(s auction.Status) func(*auction.Record) {
	return func(r *auction.Record) { r.Status = s }
}

func auctionEndingAt(end time.Time) func(*auction.Record) {
	return func(r *auction.Record) { r.EndAt = end }
}

func auctionNumbered(id, artID int64) func(*auction.Record) {
	return func(r *auction.Record) { r.ID, r.ArtID = id, artID }
}

func withoutBuyNow(r *auction.Record) { r.BuyNowPrice = 0 }

// auctionState is an auction's observable state, to match what a store is given.
// ReadBidCount is what its conditional write expects storage to hold.
type auctionState struct {
	ID, ArtID                      int64
	Status                         auction.Status
	HighestAmount, HighestBidderID int64
	BidCount, ReadBidCount         int64
	EndAt                          time.Time
}

func stateOf(a *auction.Auction) auctionState {
	return auctionState{a.ID(), a.ArtID(), a.StoredStatus(), a.HighestAmount(), a.HighestBidderID(), a.BidCount(),
		a.ReadBidCount(), a.Terms().EndAt()}
}

// auctionIn matches an auction in the given state.
func auctionIn(want auctionState) gomock.Matcher {
	return gomock.Cond(func(a *auction.Auction) bool { return a != nil && stateOf(a) == want })
}

// mustPurchase is the sale the settlement must record.
func mustPurchase(t *testing.T, artID, buyerID, sellerID, price int64, kind purchase.Kind) purchase.Purchase {
	t.Helper()
	p, err := purchase.New(artID, buyerID, sellerID, price, kind, fixedTestNow)
	require.NoError(t, err)
	return p
}

// recorded is p as the store recorded it, under id.
func recorded(id int64, p purchase.Purchase) purchase.Purchase {
	return purchase.Restore(id, p.ArtID(), p.BuyerID(), p.SellerID(), p.Price(), p.Kind(), p.PurchasedAt())
}

// purchaseView is a purchase as PurchaseStore lists it.
func purchaseView(id int64, p purchase.Purchase) application.PurchaseView {
	return application.PurchaseView{
		Purchase: recorded(id, p),
		Art:      application.ArtSummary{Art: storedArt(soldArt)},
		Buyer:    application.MemberRef{ID: p.BuyerID(), Nickname: tradeNickname(p.BuyerID())},
		Seller:   application.MemberRef{ID: p.SellerID(), Nickname: tradeNickname(p.SellerID())},
	}
}
