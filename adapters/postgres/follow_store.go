package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
)

var _ application.FollowStore = (*FollowStore)(nil)

// Foreign keys of follows, named by Postgres' default.
const (
	followsFolloweeFKey = "follows_followee_id_fkey"
	followsFollowerFKey = "follows_follower_id_fkey"
)

// FollowStore keeps follows; the triggers of the member_stats migration keep
// every member's counts in step in the same statement, so concurrent follows
// keep them exact.
type FollowStore struct {
	db *bun.DB
}

// NewFollowStore builds a FollowStore over db.
func NewFollowStore(db *bun.DB) *FollowStore {
	return &FollowStore{db: db}
}

// memberPageSQL reads a member's ($1) page with its counters and whether the
// viewer ($2, 0 for none) follows them: two primary-key lookups and, for a
// viewer, one more.
const memberPageSQL = `SELECT m.id, m.nickname, m.school, m.created_at,
	COALESCE(s.art_count, 0), COALESCE(s.sold_count, 0), COALESCE(s.follower_count, 0), COALESCE(s.following_count, 0),
	EXISTS (SELECT 1 FROM follows AS f WHERE f.follower_id = $2 AND f.followee_id = m.id)
FROM members AS m
LEFT JOIN member_stats AS s ON s.member_id = m.id
WHERE m.id = $1`

// Page reads a member's page in one round trip.
func (s *FollowStore) Page(ctx context.Context, memberID, viewerID int64) (application.MemberPage, error) {
	var p application.MemberPage
	var followed bool
	err := prepared(ctx, s.db).QueryRow(ctx, memberPageSQL, memberID, viewerID).Scan(
		&p.Member.ID, &p.Member.Nickname, &p.Member.School, &p.CreatedAt,
		&p.Stats.Arts, &p.Stats.Sold, &p.Stats.Followers, &p.Stats.Following, &followed)
	if errors.Is(err, sql.ErrNoRows) {
		return application.MemberPage{}, member.ErrNotFound
	}
	if err != nil {
		return application.MemberPage{}, fmt.Errorf("select member page: %w", err)
	}
	p.CreatedAt = p.CreatedAt.UTC()
	if viewerID != 0 {
		p.Followed = &followed
	}
	return p, nil
}

// followSQL adds a follow unless it is there: the primary key makes
// concurrent follows of one pair one row, and only a row added fires the
// counters' trigger.
const followSQL = `INSERT INTO follows (follower_id, followee_id, created_at) VALUES ($1, $2, $3)
ON CONFLICT (follower_id, followee_id) DO NOTHING`

// Follow records that followerID follows followeeID.
func (s *FollowStore) Follow(ctx context.Context, followerID, followeeID int64, now time.Time) error {
	if _, err := prepared(ctx, s.db).Exec(ctx, followSQL, followerID, followeeID, now.UTC()); err != nil {
		switch constraint, _ := violatedConstraint(err, foreignKeyViolation); constraint {
		case followsFolloweeFKey, followsFollowerFKey:
			return member.ErrNotFound
		}
		return fmt.Errorf("insert follow: %w", err)
	}
	return nil
}

// unfollowSQL removes a follow, if any, and tells whether the followee ($2)
// exists, in one statement.
const unfollowSQL = `WITH removed AS (
	DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2 RETURNING followee_id
)
SELECT EXISTS (SELECT 1 FROM removed) OR EXISTS (SELECT 1 FROM members WHERE id = $2)`

// Unfollow removes the follow of followeeID by followerID, if any.
func (s *FollowStore) Unfollow(ctx context.Context, followerID, followeeID int64) error {
	var found bool
	if err := prepared(ctx, s.db).QueryRow(ctx, unfollowSQL, followerID, followeeID).Scan(&found); err != nil {
		return fmt.Errorf("delete follow: %w", err)
	}
	if !found {
		return member.ErrNotFound
	}
	return nil
}

// followList is one of a member's two follow lists: the follows whose
// matched column is the member, listing the members in the listed column,
// counted by the member's counter.
type followList struct {
	matched, listed, counter string
}

var (
	followersList = followList{matched: "followee_id", listed: "follower_id", counter: "follower_count"}
	followingList = followList{matched: "follower_id", listed: "followee_id", counter: "following_count"}
)

// sql is a page of the list of the member $1, the latest follow first and,
// at the same time, by the listed member's id ascending: the order of
// follows_followee_idx and follows_follower_recent_idx, walked from the
// offset ($2) or after the position ($2, $3). One row per listed member,
// each with the member's counter as the list's exact total; a row with no
// member when the list is empty; none when the member is unknown.
func (l followList) sql(size int, byCursor bool) string {
	after, skip := "", " OFFSET $2"
	if byCursor {
		after = " AND f.created_at <= $2 AND (f.created_at < $2 OR f." + l.listed + " > $3)"
		skip = ""
	}
	return `SELECT COALESCE(s.` + l.counter + `, 0), p.id, p.nickname, p.school, p.created_at
FROM members AS t
LEFT JOIN member_stats AS s ON s.member_id = t.id
LEFT JOIN LATERAL (
	SELECT m.id, m.nickname, m.school, f.created_at
	FROM (
		SELECT f.` + l.listed + ` AS id, f.created_at FROM follows AS f WHERE f.` + l.matched + ` = t.id` + after + `
		ORDER BY f.created_at DESC, f.` + l.listed + ` LIMIT ` + strconv.Itoa(size+1) + skip + `
	) AS f
	JOIN members AS m ON m.id = f.id
) AS p ON true
WHERE t.id = $1
ORDER BY p.created_at DESC, p.id`
}

// Followers lists the members who follow memberID.
func (s *FollowStore) Followers(ctx context.Context, memberID int64, page application.PageRequest) (application.StoredPage[application.MemberRef], error) {
	return s.list(ctx, followersList, memberID, page)
}

// Following lists the members memberID follows.
func (s *FollowStore) Following(ctx context.Context, memberID int64, page application.PageRequest) (application.StoredPage[application.MemberRef], error) {
	return s.list(ctx, followingList, memberID, page)
}

func (s *FollowStore) list(ctx context.Context, l followList, memberID int64, page application.PageRequest) (application.StoredPage[application.MemberRef], error) {
	var none application.StoredPage[application.MemberRef]
	args, err := memberListArgs(memberID, page)
	if err != nil {
		return none, err
	}
	rows, err := prepared(ctx, s.db).Query(ctx, l.sql(page.Size(), page.ByCursor()), args...)
	if err != nil {
		return none, fmt.Errorf("select %s: %w", l.listed, err)
	}
	defer rows.Close()
	result := application.StoredPage[application.MemberRef]{Items: []application.MemberRef{}}
	found := false
	var total int64
	var lastAt time.Time
	for rows.Next() {
		found = true
		var id sql.NullInt64
		var nickname, school sql.NullString
		var at sql.NullTime
		if err := rows.Scan(&total, &id, &nickname, &school, &at); err != nil {
			return none, fmt.Errorf("scan %s: %w", l.listed, err)
		}
		if !id.Valid {
			continue
		}
		if len(result.Items) == page.Size() {
			result.Next = application.Keyset{lastAt.UnixMicro(), result.Items[len(result.Items)-1].ID}
			break
		}
		result.Items = append(result.Items, application.MemberRef{ID: id.Int64, Nickname: nickname.String, School: school.String})
		lastAt = at.Time
	}
	if err := rows.Err(); err != nil {
		return none, fmt.Errorf("read %s: %w", l.listed, err)
	}
	if !found {
		return none, member.ErrNotFound
	}
	if !page.ByCursor() {
		result.Total = application.Total{Count: int(total)}
	}
	return result, nil
}

// fewFollowed is how many members one may follow for their feed to be read
// from each one's newest works; past it, the feed walks the newest arts
// (see feedSQL).
const fewFollowed = 100

// feedTotal is the exact length of the feed of the member $1: the sum of the
// counters of the members they follow, one row each.
const feedTotal = `(SELECT COALESCE(sum(s.art_count), 0)::bigint FROM follows AS f
	JOIN member_stats AS s ON s.member_id = f.followee_id WHERE f.follower_id = $1)`

// feedSQL is a page of the feed of the member $1, newest first, from the
// offset ($2) or after the position ($2, $3). It is read one of two ways,
// picked by how many members $1 follows (their counter): for a few, each
// one's newest works off arts_owner_idx, at most a page (and the offset) of
// each, then sorted, which costs the same however old their works are; for
// many, arts_newest_idx walked until a page of their works turns up, which
// costs the same however many they follow. Postgres runs only the part
// whose gate passes, so the one generic plan serves every member.
func feedSQL(size int, byCursor bool) string {
	limit := strconv.Itoa(size + 1)
	after, skip, each, total := "", " OFFSET $2", limit+" + $2", feedTotal
	if byCursor {
		after, skip, each, total = " AND (a.created_at, a.id) < ($2, $3)", "", limit, "NULL::bigint"
	}
	followed := "(SELECT COALESCE(max(s.following_count), 0) FROM member_stats AS s WHERE s.member_id = $1)"
	few := `SELECT w.id, w.created_at AS k FROM follows AS f CROSS JOIN LATERAL (
		SELECT a.id, a.created_at FROM arts AS a WHERE a.owner_id = f.followee_id` + after + `
		ORDER BY a.created_at DESC, a.id DESC LIMIT ` + each + `
	) AS w
	WHERE f.follower_id = $1 AND ` + followed + ` <= ` + strconv.Itoa(fewFollowed) + `
	ORDER BY w.created_at DESC, w.id DESC LIMIT ` + limit + skip
	many := `SELECT a.id, a.created_at AS k FROM arts AS a
	WHERE ` + followed + ` > ` + strconv.Itoa(fewFollowed) + `
		AND a.owner_id IN (SELECT f.followee_id FROM follows AS f WHERE f.follower_id = $1)` + after + `
	ORDER BY a.created_at DESC, a.id DESC LIMIT ` + limit + skip
	return `SELECT ` + summarySelectList + `, p.k, ` + total + `
FROM ((` + few + `) UNION ALL (` + many + `)) AS p
JOIN arts AS a ON a.id = p.id
JOIN members AS m ON m.id = a.owner_id
LEFT JOIN auctions AS au ON au.art_id = a.id
ORDER BY p.k DESC, p.id DESC`
}

// Feed lists a page of the works of the members memberID follows.
func (s *FollowStore) Feed(ctx context.Context, memberID int64, page application.PageRequest) (application.StoredPage[application.ArtSummary], error) {
	var none application.StoredPage[application.ArtSummary]
	args, err := memberListArgs(memberID, page)
	if err != nil {
		return none, err
	}
	runner := prepared(ctx, s.db)
	rows, err := runner.Query(ctx, feedSQL(page.Size(), page.ByCursor()), args...)
	if err != nil {
		return none, fmt.Errorf("select feed: %w", err)
	}
	defer rows.Close()
	result := application.StoredPage[application.ArtSummary]{Items: []application.ArtSummary{}}
	types := pgtype.NewMap()
	var counted sql.NullInt64
	var lastAt time.Time
	for rows.Next() {
		var row artListRow
		var tags []string
		var at time.Time
		if err := rows.Scan(append(row.summaryTargets(types, &tags), &at, &counted)...); err != nil {
			return none, fmt.Errorf("scan feed: %w", err)
		}
		if len(result.Items) == page.Size() {
			result.Next = application.Keyset{lastAt.UnixMicro(), result.Items[len(result.Items)-1].Art.ID()}
			break
		}
		item, err := summaryFromRow(row, tags)
		if err != nil {
			return none, err
		}
		result.Items, lastAt = append(result.Items, item), at
	}
	if err := rows.Err(); err != nil {
		return none, fmt.Errorf("read feed: %w", err)
	}
	if !page.ByCursor() {
		n, err := countOf(ctx, runner, page, len(result.Items), counted, countWith(feedTotal, memberID))
		if err != nil {
			return none, fmt.Errorf("count feed: %w", err)
		}
		result.Total = application.Total{Count: n}
	}
	return result, nil
}
