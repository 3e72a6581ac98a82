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
	"github.com/artauction/artauction/domain/notification"
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
SELECT au.id, au.start_at, au.end_at, au.start_price, COALESCE(au.buy_now_price, 0), au.bid_increment,
	COALESCE(au.reserve_price, 0), au.status,
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
	dest := append([]any{&au.ID, &au.StartAt, &au.EndAt, &au.StartPrice, &au.BuyNowPrice, &au.BidIncrement, &au.ReservePrice, &au.Status,
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

// notifySQL writes a change's notices in one statement (Notifier.Notify):
// the mails into the outbox, each with its member's address ($1..$3); the
// notifications to named members ($4..$9, 0 for none) and, when $10 names an
// auction, auction_lost to each member with a bid on it but the buyer ($12)
// at the price ($13, 0 for none), once each. Each member's inbox row is taken
// first, in ascending member id, and held to the commit, so the member's
// notifications get the next seqs and ids in the order they commit; its rows
// are the notifications made, oldest first. An unknown member leaves a mail's
// address NULL, which the NOT NULL of recipient refuses, or breaks an inbox's
// foreign key: either way nothing is written.
const notifySQL = `
WITH mail AS (
	INSERT INTO mail_outbox (recipient, subject, body)
	SELECT m.email, mail.subject, mail.body
	FROM unnest($1::bigint[], $2::text[], $3::text[]) WITH ORDINALITY AS mail (member_id, subject, body, n)
	LEFT JOIN members AS m ON m.id = mail.member_id
	ORDER BY mail.n
), draft AS (
	SELECT d.member_id, d.kind, d.art_id, NULLIF(d.auction_id, 0) AS auction_id, NULLIF(d.amount, 0) AS amount,
		NULLIF(d.actor_id, 0) AS actor_id, d.n
	FROM unnest($4::bigint[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
		WITH ORDINALITY AS d (member_id, kind, art_id, auction_id, amount, actor_id, n)
	UNION ALL
	SELECT lost.bidder_id, 'auction_lost', $11::bigint, $10::bigint, NULLIF($13::bigint, 0), NULL::bigint, 0::bigint
	FROM (SELECT DISTINCT bidder_id FROM bids WHERE auction_id = $10::bigint AND bidder_id <> $12::bigint) AS lost
), counted AS (
	SELECT member_id, count(*) AS n FROM draft GROUP BY member_id
), inbox AS (
	INSERT INTO inboxes AS i (member_id, last_seq, unread_count)
	SELECT member_id, n, n FROM counted ORDER BY member_id
	ON CONFLICT (member_id) DO UPDATE
	SET last_seq = i.last_seq + excluded.last_seq, unread_count = i.unread_count + excluded.unread_count
	RETURNING member_id, last_seq
), note AS (
	INSERT INTO notifications (member_id, seq, kind, art_id, auction_id, amount, actor_id, created_at)
	SELECT d.member_id, inbox.last_seq - c.n + row_number() OVER (PARTITION BY d.member_id ORDER BY d.n, d.kind),
		d.kind, d.art_id, d.auction_id, d.amount, d.actor_id, $14::timestamptz
	FROM draft AS d
	JOIN inbox ON inbox.member_id = d.member_id
	JOIN counted AS c ON c.member_id = d.member_id
	ORDER BY 1, 2
	RETURNING id, member_id, seq, kind, art_id, auction_id, amount, actor_id, created_at
)
SELECT note.id, note.member_id, note.seq, note.kind, note.art_id, COALESCE(note.auction_id, 0),
	COALESCE(note.amount, 0), COALESCE(note.actor_id, 0), COALESCE(actor.nickname, ''), false, note.created_at
FROM note
LEFT JOIN members AS actor ON actor.id = note.actor_id
ORDER BY note.id`

// Notify writes a change's notices (Notifier.Notify); its rows, read by
// ScanNotification, are the notifications it made.
func Notify(n application.Notices) Statement {
	mailTo, subjects, bodies := make([]int64, len(n.Mails)), make([]string, len(n.Mails)), make([]string, len(n.Mails))
	for i, m := range n.Mails {
		mailTo[i], subjects[i], bodies[i] = m.MemberID, m.Subject, m.Text
	}
	drafts := n.Notifications.Drafts()
	members, kinds := make([]int64, len(drafts)), make([]string, len(drafts))
	arts, auctions, amounts, actors := make([]int64, len(drafts)), make([]int64, len(drafts)), make([]int64, len(drafts)),
		make([]int64, len(drafts))
	for i, d := range drafts {
		members[i], kinds[i], arts[i], auctions[i], amounts[i], actors[i] = d.MemberID(), string(d.Kind()), d.ArtID(),
			d.AuctionID(), d.Amount(), d.ActorID()
	}
	losers, _ := n.Notifications.Losers()
	return Statement{SQL: notifySQL, Args: []any{mailTo, subjects, bodies, members, kinds, arts, auctions, amounts, actors,
		losers.AuctionID(), losers.ArtID(), losers.BuyerID(), losers.Price(), n.At.UTC()}}
}

// notificationColumns are what ScanNotification reads, from notifications AS
// n and the actor's members AS actor.
const notificationColumns = `n.id, n.member_id, n.seq, n.kind, n.art_id, COALESCE(n.auction_id, 0), COALESCE(n.amount, 0),
	COALESCE(n.actor_id, 0), COALESCE(actor.nickname, ''), n.read_at IS NOT NULL, n.created_at`

// ScanNotification reads a notification's row of Notify or of the inbox's reads.
func ScanNotification(scan Scan) (notification.Notification, error) {
	var r notification.Record
	var kind, actorNickname string
	var actorID int64
	if err := scan(&r.ID, &r.MemberID, &r.Seq, &kind, &r.ArtID, &r.AuctionID, &r.Amount, &actorID, &actorNickname,
		&r.Read, &r.CreatedAt); err != nil {
		return notification.Notification{}, err
	}
	k, err := notification.ParseKind(kind)
	if err != nil {
		return notification.Notification{}, fmt.Errorf("notification %d: %w", r.ID, err)
	}
	r.Kind, r.CreatedAt = k, r.CreatedAt.UTC()
	if actorID != 0 {
		r.Actor = &notification.Actor{ID: actorID, Nickname: actorNickname}
	}
	return notification.Restore(r), nil
}
