package application_test

import (
	"context"
	"errors"
	"fmt"
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

// tradeEmails are the addresses the trading tests' members are mailed at.
var tradeEmails = map[int64]string{
	annID: "ann@example.com", aliceID: "alice@example.com", bobID: "bob@example.com", carlID: "carl@example.com",
}

// tradeMember is one of the trading tests' members as the store returns it.
func tradeMember(id int64) *member.Member {
	return member.Restore(id, member.Email(tradeEmails[id]), "stored-hash", member.Nickname(fmt.Sprintf("m%d", id)),
		"Member", "", "", point.RestoreBalance(100_000, 100_000), time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
}

// tradingFixture holds every port the trading use cases need, as strict mocks.
type tradingFixture struct {
	guard     *mock.MockAuctionGuard
	auctions  *mock.MockAuctionStore
	arts      *mock.MockArtStore
	sales     *mock.MockArtSales
	wallet    *mock.MockWallet
	points    *mock.MockPointStore
	purchases *mock.MockPurchaseStore
	members   *mock.MockMemberStore
	outbox    *mock.MockMailOutbox
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
	ctrl := gomock.NewController(t)
	f := tradingFixture{
		guard: mock.NewMockAuctionGuard(ctrl), auctions: mock.NewMockAuctionStore(ctrl), arts: mock.NewMockArtStore(ctrl),
		sales: mock.NewMockArtSales(ctrl), wallet: mock.NewMockWallet(ctrl), points: mock.NewMockPointStore(ctrl),
		purchases: mock.NewMockPurchaseStore(ctrl), members: mock.NewMockMemberStore(ctrl), outbox: mock.NewMockMailOutbox(ctrl),
		events: mock.NewMockEventPublisher(ctrl), metrics: mock.NewMockTradeMetrics(ctrl), clock: newFixedClock(ctrl),
		guardState: &guardState{},
	}
	// Live events name their bidder, read after the trade committed.
	f.members.EXPECT().ByID(outsideTx(), gomock.Any()).DoAndReturn(
		func(_ context.Context, id int64) (*member.Member, error) { return tradeMember(id), nil }).AnyTimes()
	return f
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
	if want.BidderID != 0 && want.BidderNickname == "" {
		want.BidderNickname = tradeMember(want.BidderID).Nickname().String()
	}
	return f.events.EXPECT().Publish(outsideTx(), want).Do(func(context.Context, application.AuctionEvent) {
		assert.False(t, f.guardState.running, "published inside the guard")
		assert.Positive(t, f.guardState.finished, "published before the guarded change finished")
	})
}

// expectTradeMail expects a mail to memberID inside the transaction: the member
// is read for the address, and the mail is enqueued in the outbox.
func (f tradingFixture) expectTradeMail(memberID int64, subject string, textParts ...string) *gomock.Call {
	byID := f.members.EXPECT().ByID(inTx(), memberID).Return(tradeMember(memberID), nil)
	return f.outbox.EXPECT().Enqueue(inTx(), gomock.Cond(func(m application.Mail) bool {
		if m.To != tradeEmails[memberID] || m.Subject != subject {
			return false
		}
		for _, p := range textParts {
			if !strings.Contains(m.Text, p) {
				return false
			}
		}
		return true
	})).Return(nil).After(byID)
}

// Subjects of the trade mails.
const (
	subjectOutbid    = "You have been outbid"
	subjectWon       = "You won the auction"
	subjectSold      = "Your art was sold"
	subjectUnsold    = "Your auction ended without bids"
	subjectPurchased = "Purchase confirmed"
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
type auctionState struct {
	ID, ArtID                      int64
	Status                         auction.Status
	HighestAmount, HighestBidderID int64
	BidCount                       int64
	EndAt                          time.Time
}

func stateOf(a *auction.Auction) auctionState {
	return auctionState{a.ID(), a.ArtID(), a.StoredStatus(), a.HighestAmount(), a.HighestBidderID(), a.BidCount(), a.Terms().EndAt()}
}

// auctionIn matches an auction in the given state.
func auctionIn(want auctionState) gomock.Matcher {
	return gomock.Cond(func(a *auction.Auction) bool { return a != nil && stateOf(a) == want })
}

// ledgerEntry is what the settlement must append.
func ledgerEntry(memberID int64, t point.EntryType, amount, artID int64) point.LedgerEntry {
	return point.RestoreLedgerEntry(memberID, t, amount, artID, fixedTestNow)
}

// mustPurchase is the sale the settlement must record.
func mustPurchase(t *testing.T, artID, buyerID, sellerID, price int64, kind purchase.Kind) purchase.Purchase {
	t.Helper()
	p, err := purchase.New(artID, buyerID, sellerID, price, kind, fixedTestNow)
	require.NoError(t, err)
	return p
}

// purchaseView is a purchase as PurchaseStore.Get returns it.
func purchaseView(id int64, p purchase.Purchase) application.PurchaseView {
	return application.PurchaseView{
		Purchase: purchase.Restore(id, p.ArtID(), p.BuyerID(), p.SellerID(), p.Price(), p.Kind(), p.PurchasedAt()),
		Art:      application.ArtSummary{Art: storedArt(soldArt)},
		Buyer:    application.MemberRef{ID: p.BuyerID(), Nickname: fmt.Sprintf("m%d", p.BuyerID())},
		Seller:   application.MemberRef{ID: p.SellerID(), Nickname: fmt.Sprintf("m%d", p.SellerID())},
	}
}
