package postgres_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/invariant"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
)

// brokenRules runs the invariant checks and names the rules broken.
func brokenRules(t *testing.T, db *bun.DB) []string {
	t.Helper()
	broken, err := invariant.Check(context.Background(), db.DB)
	require.NoError(t, err)
	var rules []string
	for _, line := range broken {
		rule, _, _ := strings.Cut(line, ": ")
		rules = append(rules, rule)
	}
	return rules
}

const (
	countersRule = "member counters agree with the arts and follows they count"
	reserveRule  = "closed auctions reach their reserve; failed ones had no bid or stayed below it"
)

func TestInvariantsCatchMemberCountersOutOfStep(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	artist, fan := createMember(t, db, "artist"), createMember(t, db, "fan")
	listArt(t, db, artist, "still", 0)
	require.NoError(t, postgres.NewFollowStore(db).Follow(context.Background(), fan, artist, testNow))
	require.Empty(t, brokenRules(t, db))

	for _, corrupt := range []string{
		"UPDATE member_stats SET follower_count = follower_count + 1 WHERE member_id = ?",
		"UPDATE member_stats SET art_count = 0 WHERE member_id = ?",
		"DELETE FROM member_stats WHERE member_id = ?",
	} {
		tx, err := db.BeginTx(context.Background(), nil)
		require.NoError(t, err)
		_, err = tx.ExecContext(context.Background(), corrupt, artist)
		require.NoError(t, err)
		broken, err := invariant.Check(context.Background(), db.DB)
		require.NoError(t, err)
		require.NoError(t, tx.Rollback())
		assert.Empty(t, broken, "the check reads committed rows only")

		_, err = db.ExecContext(context.Background(), corrupt, artist)
		require.NoError(t, err)
		assert.Equal(t, []string{countersRule}, brokenRules(t, db), corrupt)
		_, err = db.ExecContext(context.Background(), `DELETE FROM member_stats WHERE member_id = ?;
INSERT INTO member_stats (member_id, art_count, follower_count) VALUES (?, 1, 1)`, artist, artist)
		require.NoError(t, err)
		require.Empty(t, brokenRules(t, db))
	}
}

func TestInvariantsCatchACloseAgainstTheReserve(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	owner, bidder := createMember(t, db, "owner"), createMember(t, db, "bidder")
	artID, _ := createAuctionArt(t, db, owner, "lot", testNow.Add(time.Hour))
	placeBid(t, db, artID, bidder, 12_000, 1)
	_, err := db.ExecContext(context.Background(), `INSERT INTO bids (auction_id, bidder_id, amount, created_at)
SELECT id, ?, 12000, start_at FROM auctions WHERE art_id = ?`, bidder, artID)
	require.NoError(t, err)
	_, err = db.ExecContext(context.Background(), `UPDATE auctions SET status = 'failed', reserve_price = 12000 WHERE art_id = ?;
UPDATE arts SET status = 'unsold' WHERE id = ?`, artID, artID)
	require.NoError(t, err)

	assert.Contains(t, brokenRules(t, db), reserveRule, "failed although the highest bid reached the reserve")

	_, err = db.ExecContext(context.Background(), `UPDATE auctions SET reserve_price = 12001 WHERE art_id = ?`, artID)
	require.NoError(t, err)
	assert.NotContains(t, brokenRules(t, db), reserveRule, "failed below the reserve")

	_, err = db.ExecContext(context.Background(), `UPDATE auctions SET status = 'closed' WHERE art_id = ?`, artID)
	require.NoError(t, err)
	assert.Contains(t, brokenRules(t, db), reserveRule, "sold below the reserve")
}
