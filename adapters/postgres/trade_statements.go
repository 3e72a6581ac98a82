package postgres

import (
	"cmp"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/point"
)

// The statements of trades, with $n parameters so that pgx prepares each once
// per connection. Each one a bid sends is built by an exported function that
// the stores use, and its row is read by an exported function, so that the
// benchmark's raw limit (cmd/bidbench) runs the very statements the service
// sends, with the same arguments, and reads them the same way.

// Statement is a statement's text and its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// Scan reads one row into dest, as (*sql.Row).Scan and pgx.Row.Scan do.
type Scan func(dest ...any) error

// artSummaryColumns are what lists show of an art, from arts AS a and its
// owner members AS m. The hashtags come as JSON text, which any driver reads
// as a string.
const artSummaryColumns = `a.id, a.owner_id, a.name, a.description, a.type, a.price, a.current_price, a.status,
	a.like_count, a.bid_count, a.image_key, a.image_format, a.image_width, a.image_height, a.image_size,
	a.image_etag, a.created_at, m.nickname, m.school,
	(SELECT COALESCE(json_agg(h.name ORDER BY h.position), '[]') FROM art_hashtags AS h WHERE h.art_id = a.id)::text`

// artSummaryScan receives artSummaryColumns.
type artSummaryScan struct {
	row      artListRow
	hashtags string
}

func (s *artSummaryScan) dest() []any {
	r := &s.row
	return []any{&r.ID, &r.OwnerID, &r.Name, &r.Description, &r.Type, &r.Price, &r.CurrentPrice, &r.Status,
		&r.LikeCount, &r.BidCount, &r.ImageKey, &r.ImageFormat, &r.ImageWidth, &r.ImageHeight, &r.ImageSize,
		&r.ImageETag, &r.CreatedAt, &r.OwnerNickname, &r.OwnerSchool, &s.hashtags}
}

func (s *artSummaryScan) summary() (application.ArtSummary, error) {
	var tags []string
	if err := json.Unmarshal([]byte(s.hashtags), &tags); err != nil {
		return application.ArtSummary{}, fmt.Errorf("art %d: hashtags: %w", s.row.ID, err)
	}
	return summaryFromRow(s.row, tags)
}

const readTradeAuctionSQL = `
SELECT au.id, au.start_at, au.end_at, au.start_price, COALESCE(au.buy_now_price, 0), au.bid_increment, au.status,
	au.highest_amount, COALESCE(au.highest_bidder_id, 0), au.bid_count,
	COALESCE(hb.nickname, ''), COALESCE(hb.school, ''),
	` + artSummaryColumns + `,
	tm.id IS NOT NULL, COALESCE(tm.points_total, 0), COALESCE(tm.points_available, 0),
	COALESCE(tm.nickname, ''), COALESCE(tm.school, '')
FROM auctions AS au
JOIN arts AS a ON a.id = au.art_id
JOIN members AS m ON m.id = a.owner_id
LEFT JOIN members AS hb ON hb.id = au.highest_bidder_id
LEFT JOIN members AS tm ON tm.id = $2
WHERE au.id = $1`

// ReadTradeAuction reads an auction with its art and leader, and the account
// of the member who trades on it (none for 0), in one statement
// (AuctionStore.Get and GetForMember); ScanTradeAuction reads its row.
func ReadTradeAuction(auctionID, memberID int64) Statement {
	return Statement{SQL: readTradeAuctionSQL, Args: []any{auctionID, memberID}}
}

// ScanTradeAuction reads the row of ReadTradeAuction for memberID; sql.ErrNoRows,
// from scan, when there is no auction. The account is the zero Account when
// the member is unknown.
func ScanTradeAuction(scan Scan, memberID int64) (application.AuctionDetail, application.Account, error) {
	var au auctionRow
	var leader application.MemberRef
	var art artSummaryScan
	var found bool
	var total, available int64
	trader := application.MemberRef{ID: memberID}
	dest := append([]any{&au.ID, &au.StartAt, &au.EndAt, &au.StartPrice, &au.BuyNowPrice, &au.BidIncrement, &au.Status,
		&au.HighestAmount, &au.HighestBidderID, &au.BidCount, &leader.Nickname, &leader.School}, art.dest()...)
	dest = append(dest, &found, &total, &available, &trader.Nickname, &trader.School)
	if err := scan(dest...); err != nil {
		return application.AuctionDetail{}, application.Account{}, err
	}
	au.ArtID = art.row.ID
	a, err := auctionFromRow(au)
	if err != nil {
		return application.AuctionDetail{}, application.Account{}, err
	}
	art.row.AuctionEndAt = sql.NullTime{Time: au.EndAt, Valid: true}
	summary, err := art.summary()
	if err != nil {
		return application.AuctionDetail{}, application.Account{}, err
	}
	d := application.AuctionDetail{Auction: a, Art: summary}
	if au.HighestBidderID != 0 {
		leader.ID = au.HighestBidderID
		d.HighestBidder = &leader
	}
	if !found {
		return d, application.Account{}, nil
	}
	return d, application.Account{Member: trader, Balance: point.RestoreBalance(total, available)}, nil
}

// saveBidSQL stores an accepted bid in one round trip: the auction's leader,
// count and end, only if it is still open with the count it was read with;
// then, only if that changed a row, the art's price and count; then, only if
// that changed a row, the bid record. The counts tell which step found
// nothing to change.
const saveBidSQL = `
WITH au AS (
	UPDATE auctions
	SET highest_amount = $1, highest_bidder_id = $2, bid_count = $3, end_at = $4, updated_at = $5
	WHERE id = $6 AND status = 'open' AND bid_count = $7
	RETURNING id, art_id, highest_amount, highest_bidder_id, bid_count, updated_at
), ar AS (
	UPDATE arts
	SET current_price = au.highest_amount, bid_count = au.bid_count, updated_at = au.updated_at
	FROM au
	WHERE arts.id = au.art_id AND arts.status = 'on_sale'
	RETURNING au.id AS auction_id, au.highest_bidder_id, au.highest_amount, au.updated_at
), ins AS (
	INSERT INTO bids (auction_id, bidder_id, amount, created_at)
	SELECT auction_id, highest_bidder_id, highest_amount, updated_at FROM ar
	RETURNING id
)
SELECT (SELECT count(*) FROM au), (SELECT count(*) FROM ar), (SELECT id FROM ins)`

// SaveBid stores, dated at, the one bid a accepted since it was read
// (AuctionStore.SaveBid); its row is the auctions and arts it changed and the
// new bid's id (NULL when none). It refuses an auction without exactly one
// new bid.
func SaveBid(a *auction.Auction, at time.Time) (Statement, error) {
	if a.BidCount() != a.ReadBidCount()+1 || a.HighestBidderID() < 1 || a.HighestAmount() < 1 {
		return Statement{}, fmt.Errorf("save bid on auction %d: it holds no single new bid over the %d it was read with",
			a.ID(), a.ReadBidCount())
	}
	return Statement{SQL: saveBidSQL, Args: []any{a.HighestAmount(), a.HighestBidderID(), a.BidCount(), a.Terms().EndAt(),
		at.UTC(), a.ID(), a.ReadBidCount()}}, nil
}

// movePointsSQL is the statement of n point moves: one UPDATE of one member
// per move, each conditional on the balance staying whole (available points
// neither negative nor above the total) and on every earlier one having
// changed its member, so a refusal stops the ones after it. Each waits for
// the one before it, so the rows are locked in the order of the moves. Its
// row: the member of the first move that changed nothing, or 0.
func movePointsSQL(n int) string {
	var with, refused []string
	for i := range n {
		member, total, available := 3*i+1, 3*i+2, 3*i+3
		after := ""
		if i > 0 {
			after = fmt.Sprintf(" AND EXISTS (SELECT FROM m%d)", i)
		}
		with = append(with, fmt.Sprintf(`m%d AS (
	UPDATE members
	SET points_total = points_total + $%d, points_available = points_available + $%d, updated_at = now()
	WHERE id = $%d AND points_available + $%d BETWEEN 0 AND points_total + $%d%s
	RETURNING id
)`, i+1, total, available, member, available, total, after))
		refused = append(refused, fmt.Sprintf("WHEN NOT EXISTS (SELECT FROM m%d) THEN $%d::bigint", i+1, member))
	}
	return "WITH " + strings.Join(with, ", ") + "\nSELECT CASE " + strings.Join(refused, " ") + " ELSE 0 END"
}

// maxPointMoves is the most moves of one trade: a sale pays the seller,
// charges the buyer and gives a previous leader's hold back.
const maxPointMoves = 3

// movePointsSQLs are the statements of 1 to maxPointMoves moves.
var movePointsSQLs = func() []string {
	texts := make([]string, maxPointMoves+1)
	for n := 1; n <= maxPointMoves; n++ {
		texts[n] = movePointsSQL(n)
	}
	return texts
}()

// MovePoints applies moves of distinct members in ascending member id order,
// the lock order of every trade (Wallet.Move); its row, read by
// ScanMovedPoints, names the member of the first move that changed nothing.
func MovePoints(moves []application.PointMove) (Statement, error) {
	if len(moves) < 1 || len(moves) > maxPointMoves {
		return Statement{}, fmt.Errorf("move points: %d moves, want 1 to %d", len(moves), maxPointMoves)
	}
	sorted := slices.SortedFunc(slices.Values(moves), func(a, b application.PointMove) int {
		return cmp.Compare(a.MemberID, b.MemberID)
	})
	args := make([]any, 0, 3*len(sorted))
	for _, mv := range sorted {
		args = append(args, mv.MemberID, mv.Total, mv.Available)
	}
	return Statement{SQL: movePointsSQLs[len(moves)], Args: args}, nil
}

// ScanMovedPoints reads the row of MovePoints: the member whose move changed
// nothing (and stopped the ones after it), or 0 when every move was made.
func ScanMovedPoints(scan Scan) (refusedMemberID int64, err error) {
	err = scan(&refusedMemberID)
	return refusedMemberID, err
}

// enqueueMemberMailsSQL queues mails to members with their addresses. An
// unknown member leaves a NULL address, which the NOT NULL of recipient
// refuses: the statement then queues none.
const enqueueMemberMailsSQL = `
INSERT INTO mail_outbox (recipient, subject, body)
SELECT m.email, mail.subject, mail.body
FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS mail (member_id, subject, body, n)
LEFT JOIN members AS m ON m.id = mail.member_id
ORDER BY mail.n`

// EnqueueMemberMails queues mails to members (MailOutbox.EnqueueToMembers).
func EnqueueMemberMails(mails []application.MemberMail) Statement {
	ids, subjects, bodies := make([]int64, len(mails)), make([]string, len(mails)), make([]string, len(mails))
	for i, m := range mails {
		ids[i], subjects[i], bodies[i] = m.MemberID, m.Subject, m.Text
	}
	return Statement{SQL: enqueueMemberMailsSQL, Args: []any{ids, subjects, bodies}}
}
