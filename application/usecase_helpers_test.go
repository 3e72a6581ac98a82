package application_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
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
