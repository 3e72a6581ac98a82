package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
)

var _ application.NewWorkFanOuts = (*NewWorkFanOuts)(nil)

// NewWorkFanOuts keeps the fan-outs of new works in new_work_fanouts and walks
// each artist's followers off follows_followee_idx, the latest follow first.
// A batch's position is [followed at in Unix microseconds, follower id].
// Every followersPerPart followers make one more part, up to maxParts.
type NewWorkFanOuts struct {
	db *bun.DB
}

// NewNewWorkFanOuts builds a NewWorkFanOuts over db.
func NewNewWorkFanOuts(db *bun.DB) *NewWorkFanOuts {
	return &NewWorkFanOuts{db: db}
}

// Parts of a fan-out: a following of 100,000 is told in five parts at once.
const (
	followersPerPart = 20_000
	maxParts         = 8
)

// enqueueFanOutSQL writes a fan-out's parts, as many as the artist's
// following (its counter in member_stats) calls for; none without a follower.
var enqueueFanOutSQL = `
INSERT INTO new_work_fanouts (art_id, part, parts, artist_id, turn_at)
SELECT $1, part, s.parts, $2, $3
FROM (
	SELECT LEAST(` + strconv.Itoa(maxParts) + `, CEIL(follower_count / ` + strconv.Itoa(followersPerPart) + `.0))::smallint AS parts
	FROM member_stats WHERE member_id = $2 AND follower_count > 0
) AS s
CROSS JOIN generate_series(0, s.parts - 1) AS part`

// Enqueue writes the fan-out in the transaction of the context if any.
func (s *NewWorkFanOuts) Enqueue(ctx context.Context, artID, artistID int64, at time.Time) error {
	if _, err := prepared(ctx, s.db).Exec(ctx, enqueueFanOutSQL, artID, artistID, at.UTC()); err != nil {
		return fmt.Errorf("enqueue fan-out of art %d: %w", artID, err)
	}
	return nil
}

const fanOutWaitingSQL = `SELECT EXISTS (SELECT FROM new_work_fanouts)`

// Waiting reads whether any fan-out part is left, held or not.
func (s *NewWorkFanOuts) Waiting(ctx context.Context) (bool, error) {
	var waiting bool
	if err := prepared(ctx, s.db).QueryRow(ctx, fanOutWaitingSQL).Scan(&waiting); err != nil {
		return false, fmt.Errorf("look for fan-outs: %w", err)
	}
	return waiting, nil
}

// claimFanOutSQL locks the fan-out part whose turn came longest ago,
// skipping the ones other workers hold, and reads its next $1 followers:
// those of its part after its position in the index's order (followed
// earlier, or at the same time with a higher id). The redundant "followed at
// most then" starts the index scan at the position, so a batch never reads
// the followers told before it.
const claimFanOutSQL = `
WITH fanout AS (
	SELECT art_id, part, parts, artist_id, COALESCE(after_followed_at, 'infinity') AS after_at,
		COALESCE(after_follower_id, 0) AS after_id
	FROM new_work_fanouts
	ORDER BY turn_at, art_id, part
	LIMIT 1
	FOR UPDATE SKIP LOCKED
)
SELECT fanout.art_id, fanout.part, fanout.artist_id, f.follower_id, f.created_at
FROM fanout
LEFT JOIN LATERAL (
	SELECT follower_id, created_at FROM follows
	WHERE followee_id = fanout.artist_id AND created_at <= fanout.after_at
		AND (created_at < fanout.after_at OR follower_id > fanout.after_id) AND follower_id % fanout.parts = fanout.part
	ORDER BY created_at DESC, follower_id
	LIMIT $1
) AS f ON true
ORDER BY f.created_at DESC, f.follower_id`

// Claim locks the next fan-out and reads its next batch, in one statement.
func (s *NewWorkFanOuts) Claim(ctx context.Context, limit int) (application.NewWorkBatch, bool, error) {
	rows, err := prepared(ctx, s.db).Query(ctx, claimFanOutSQL, limit)
	if err != nil {
		return application.NewWorkBatch{}, false, fmt.Errorf("claim a fan-out: %w", err)
	}
	defer rows.Close()
	var b application.NewWorkBatch
	claimed := false
	for rows.Next() {
		var follower sql.NullInt64
		var followedAt sql.NullTime
		if err := rows.Scan(&b.ArtID, &b.Part, &b.ArtistID, &follower, &followedAt); err != nil {
			return application.NewWorkBatch{}, false, fmt.Errorf("read a fan-out's followers: %w", err)
		}
		claimed = true
		if follower.Valid {
			b.Followers = append(b.Followers, follower.Int64)
			b.After = application.Keyset{followedAt.Time.UnixMicro(), follower.Int64}
		}
	}
	if err := rows.Err(); err != nil {
		return application.NewWorkBatch{}, false, fmt.Errorf("claim a fan-out: %w", err)
	}
	b.Last = len(b.Followers) < limit
	return b, claimed, nil
}

const (
	advanceFanOutSQL = `UPDATE new_work_fanouts SET after_followed_at = $3, after_follower_id = $4, turn_at = $5
WHERE art_id = $1 AND part = $2`
	endFanOutSQL = `DELETE FROM new_work_fanouts WHERE art_id = $1 AND part = $2`
)

// Advance moves the fan-out's part past the batch, or deletes it after its last.
func (s *NewWorkFanOuts) Advance(ctx context.Context, b application.NewWorkBatch, at time.Time) error {
	run := prepared(ctx, s.db)
	if b.Last {
		if _, err := run.Exec(ctx, endFanOutSQL, b.ArtID, b.Part); err != nil {
			return fmt.Errorf("end fan-out of art %d: %w", b.ArtID, err)
		}
		return nil
	}
	if len(b.After) != 2 {
		return fmt.Errorf("advance fan-out of art %d: position of %d values: %w", b.ArtID, len(b.After), application.ErrInvalidCursor)
	}
	followedAt, ok := keysetTime(b.After[0])
	if !ok {
		return fmt.Errorf("advance fan-out of art %d: position time: %w", b.ArtID, application.ErrInvalidCursor)
	}
	if _, err := run.Exec(ctx, advanceFanOutSQL, b.ArtID, b.Part, followedAt, b.After[1], at.UTC()); err != nil {
		return fmt.Errorf("advance fan-out of art %d: %w", b.ArtID, err)
	}
	return nil
}
