package test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres/invariant"
)

// bidKey is one bid a test sent: accepted ones must be in the database,
// rejected ones must have written nothing.
type bidKey struct {
	AuctionID int64
	BidderID  int64
	Amount    int64
	// BidID is the id the answer gave for an accepted bid; 0 when unknown.
	BidID int64
}

func (k bidKey) String() string {
	return fmt.Sprintf("auction %d, member %d, amount %d (bid id %d)", k.AuctionID, k.BidderID, k.Amount, k.BidID)
}

// openTestDB opens the app's database directly, for checks behind its back.
func openTestDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	require.NoError(t, err)
	db.SetMaxOpenConns(3)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// checkInvariants checks the invariants of docs/rules.md on the app's
// database with SQL, and that every accepted bid the test recorded is stored.
func checkInvariants(t *testing.T, dsn string, accepted []bidKey) {
	t.Helper()
	db := openTestDB(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	broken, err := invariant.Check(ctx, db)
	require.NoError(t, err)
	missing, err := invariant.MissingBids(ctx, db, invariantBids(accepted))
	require.NoError(t, err)
	for _, m := range missing {
		broken = append(broken, "accepted bid missing from the database: "+m)
	}
	require.Empty(t, broken, "invariants broken:\n%s", strings.Join(broken, "\n"))
}

// assertNothingWritten checks that rejected bids left no record. Only for
// bids whose (auction, bidder, amount) no accepted bid shares.
func assertNothingWritten(t *testing.T, dsn string, rejected []bidKey) {
	t.Helper()
	db := openTestDB(t, dsn)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	written, err := invariant.StoredBids(ctx, db, invariantBids(rejected))
	require.NoError(t, err)
	require.Empty(t, written, "rejected bids that were stored anyway:\n%s", strings.Join(written, "\n"))
}

func invariantBids(keys []bidKey) []invariant.Bid {
	bids := make([]invariant.Bid, len(keys))
	for i, k := range keys {
		bids[i] = invariant.Bid{AuctionID: k.AuctionID, BidderID: k.BidderID, Amount: k.Amount, ID: k.BidID}
	}
	return bids
}
