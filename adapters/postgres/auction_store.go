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
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/member"
)

var _ application.AuctionStore = (*AuctionStore)(nil)

func auctionFromRow(r auctionRow) (*auction.Auction, error) {
	st, err := auction.ParseStatus(r.Status)
	if err != nil {
		return nil, fmt.Errorf("auction %d: %w", r.ID, err)
	}
	return auction.Restore(auction.Record{
		ID:              r.ID,
		ArtID:           r.ArtID,
		StartAt:         r.StartAt.UTC(),
		EndAt:           r.EndAt.UTC(),
		StartPrice:      r.StartPrice,
		BuyNowPrice:     r.BuyNowPrice,
		BidIncrement:    r.BidIncrement,
		ReservePrice:    r.ReservePrice,
		Status:          st,
		HighestAmount:   r.HighestAmount,
		HighestBidderID: r.HighestBidderID,
		BidCount:        r.BidCount,
	}), nil
}

// AuctionStore keeps auctions and their bids. Its writes are conditional on
// the auction being open with the bid count the caller read, so a concurrent
// change makes them fail with application.ErrWriteConflict instead of being
// overwritten.
type AuctionStore struct {
	db *bun.DB
}

// NewAuctionStore builds an AuctionStore over db.
func NewAuctionStore(db *bun.DB) *AuctionStore {
	return &AuctionStore{db: db}
}

// Get reads an auction with its art, the art's owner and the auction's
// leader, in one statement.
func (s *AuctionStore) Get(ctx context.Context, auctionID int64) (application.AuctionDetail, error) {
	d, _, err := s.read(ctx, auctionID, 0)
	return d, err
}

// GetForMember is Get with the account of the member who trades on the
// auction, in the same statement.
func (s *AuctionStore) GetForMember(ctx context.Context, auctionID, memberID int64) (application.AuctionDetail, application.Account, error) {
	d, acct, err := s.read(ctx, auctionID, memberID)
	if err != nil {
		return application.AuctionDetail{}, application.Account{}, err
	}
	if acct.Member.ID == 0 {
		return application.AuctionDetail{}, application.Account{}, fmt.Errorf("trader %d: %w", memberID, member.ErrNotFound)
	}
	return d, acct, nil
}

func (s *AuctionStore) read(ctx context.Context, auctionID, memberID int64) (application.AuctionDetail, application.Account, error) {
	read := ReadTradeAuction(auctionID, memberID)
	d, acct, err := ScanTradeAuction(prepared(ctx, s.db).QueryRow(ctx, read.SQL, read.Args...).Scan, memberID)
	if errors.Is(err, sql.ErrNoRows) {
		return application.AuctionDetail{}, application.Account{}, auction.ErrNotFound
	}
	if err != nil {
		return application.AuctionDetail{}, application.Account{}, fmt.Errorf("select auction %d: %w", auctionID, err)
	}
	return d, acct, nil
}

// SaveBid stores the one bid a accepted since it was read: the auction's
// leader, bid count and end, the art's current price and bid count, and the
// bid record by the leader for the highest amount. It fails with
// application.ErrWriteConflict, writing nothing, unless the auction is still
// open with the bid count a was read with.
func (s *AuctionStore) SaveBid(ctx context.Context, a *auction.Auction, at time.Time) (int64, error) {
	save, err := SaveBid(a, at)
	if err != nil {
		return 0, err
	}
	var bidID int64
	// A transaction of its own when the caller has none (under a guard it
	// joins the guard's): when the art is not on sale, the auction's update
	// must not stay behind.
	err = NewTransactor(s.db).WithinTx(ctx, func(ctx context.Context) error {
		var auctions, arts int64
		var id sql.NullInt64
		err := prepared(ctx, s.db).QueryRow(ctx, save.SQL, save.Args...).Scan(&auctions, &arts, &id)
		switch {
		case err != nil:
			return fmt.Errorf("save bid on auction %d: %w", a.ID(), err)
		case auctions == 0:
			return application.ErrWriteConflict
		case arts == 0 || !id.Valid:
			return fmt.Errorf("save bid on auction %d: its art %d is missing or not on sale", a.ID(), a.ArtID())
		}
		bidID = id.Int64
		return nil
	})
	if err != nil {
		return 0, err
	}
	return bidID, nil
}

const finishSQL = `UPDATE auctions SET status = $1, updated_at = now() WHERE id = $2 AND status = 'open' AND bid_count = $3`

// Finish stores the auction's final status, only if it is still open with
// the bid count a was read with (else application.ErrWriteConflict).
func (s *AuctionStore) Finish(ctx context.Context, a *auction.Auction) error {
	if !a.Finished() {
		return fmt.Errorf("finish auction %d: it is still open", a.ID())
	}
	res, err := prepared(ctx, s.db).Exec(ctx, finishSQL, string(a.StoredStatus()), a.ID(), a.ReadBidCount())
	if err != nil {
		return fmt.Errorf("finish auction %d: %w", a.ID(), err)
	}
	n, err := rowsAffected(res)
	if err != nil {
		return err
	}
	if n == 0 {
		return application.ErrWriteConflict
	}
	return nil
}

const dueForCloseSQL = `SELECT id, end_at FROM auctions WHERE status = 'open' AND end_at <= $1 ORDER BY end_at, id LIMIT $2`

// DueForClose lists open auctions whose end is not after now, oldest end first.
func (s *AuctionStore) DueForClose(ctx context.Context, now time.Time, limit int) ([]application.DueAuction, error) {
	rows, err := prepared(ctx, s.db).Query(ctx, dueForCloseSQL, now.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("select auctions due for close: %w", err)
	}
	defer rows.Close()
	var due []application.DueAuction
	for rows.Next() {
		var d application.DueAuction
		if err := rows.Scan(&d.ID, &d.EndAt); err != nil {
			return nil, fmt.Errorf("read auction due for close: %w", err)
		}
		d.EndAt = d.EndAt.UTC()
		due = append(due, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("select auctions due for close: %w", err)
	}
	return due, nil
}

// auctionDetailSQL reads an auction with its art, hashtags, owner and leader
// in one round trip: every accepted bid is answered with this read.
const auctionDetailSQL = `SELECT ` + summarySelectList + `, ` + auctionDetailColumns + `
FROM auctions AS au
JOIN arts AS a ON a.id = au.art_id
JOIN members AS m ON m.id = a.owner_id
LEFT JOIN members AS hb ON hb.id = au.highest_bidder_id
WHERE au.id = $1`

// Detail reads an auction with its art and its leader.
func (s *AuctionStore) Detail(ctx context.Context, auctionID int64) (application.AuctionDetail, error) {
	var row artDetailRow
	var tags []string
	err := prepared(ctx, s.db).QueryRow(ctx, auctionDetailSQL, auctionID).Scan(row.detailTargets(pgtype.NewMap(), &tags)...)
	if errors.Is(err, sql.ErrNoRows) {
		return application.AuctionDetail{}, auction.ErrNotFound
	}
	if err != nil {
		return application.AuctionDetail{}, fmt.Errorf("select auction detail: %w", err)
	}
	summary, err := summaryFromRow(row.artListRow, tags)
	if err != nil {
		return application.AuctionDetail{}, err
	}
	au, err := auctionFromDetailRow(row)
	if err != nil {
		return application.AuctionDetail{}, err
	}
	return application.AuctionDetail{Auction: au, Art: summary, HighestBidder: highestBidderOf(row)}, nil
}

// auctionBidsSQL is a page of an auction's bids, newest first, after the
// bids_auction_idx walk: by offset, or ($2) after a bid id. Its first column
// is the auction's bid count, the exact total (bids are never deleted alone);
// an auction without bids on the page gives one row of NULL bid columns, an
// unknown auction none.
func auctionBidsSQL(size int, byCursor bool) string {
	skip := "OFFSET $2"
	if byCursor {
		skip = ""
	}
	after := ""
	if byCursor {
		after = " AND b.id < $2"
	}
	return `SELECT au.bid_count, b.id, b.bidder_id, b.amount, b.created_at, bm.nickname, bm.school
FROM auctions AS au
LEFT JOIN LATERAL (
	SELECT b.id, b.bidder_id, b.amount, b.created_at FROM bids AS b
	WHERE b.auction_id = au.id` + after + `
	ORDER BY b.id DESC LIMIT ` + strconv.Itoa(size+1) + ` ` + skip + `
) AS b ON true
LEFT JOIN members AS bm ON bm.id = b.bidder_id
WHERE au.id = $1
ORDER BY b.id DESC`
}

// Bids lists a page of an auction's bids newest first; auction.ErrNotFound
// for an unknown auction. The keyset of a bid is its id.
func (s *AuctionStore) Bids(ctx context.Context, auctionID int64, page application.PageRequest) (application.StoredPage[application.BidEntry], error) {
	var none application.StoredPage[application.BidEntry]
	args := []any{auctionID, page.Offset()}
	if after := page.After(); after != nil {
		if len(after) != 1 {
			return none, fmt.Errorf("bids keyset of %d values: %w", len(after), application.ErrInvalidCursor)
		}
		args[1] = after[0]
	}
	rows, err := prepared(ctx, s.db).Query(ctx, auctionBidsSQL(page.Size(), page.ByCursor()), args...)
	if err != nil {
		return none, fmt.Errorf("select bids: %w", err)
	}
	defer rows.Close()
	result := application.StoredPage[application.BidEntry]{Items: []application.BidEntry{}}
	found := false
	for rows.Next() {
		found = true
		var bidCount int64
		var id, bidderID, amount sql.NullInt64
		var createdAt sql.NullTime
		var nickname, school sql.NullString
		if err := rows.Scan(&bidCount, &id, &bidderID, &amount, &createdAt, &nickname, &school); err != nil {
			return none, fmt.Errorf("scan bid: %w", err)
		}
		result.Total = application.Total{Count: int(bidCount)}
		if !id.Valid {
			break
		}
		if len(result.Items) == page.Size() {
			result.Next = application.Keyset{result.Items[len(result.Items)-1].ID}
			break
		}
		result.Items = append(result.Items, application.BidEntry{
			ID: id.Int64, AuctionID: auctionID, Amount: amount.Int64,
			Bidder:    application.MemberRef{ID: bidderID.Int64, Nickname: nickname.String, School: school.String},
			CreatedAt: createdAt.Time.UTC(),
		})
	}
	if err := rows.Err(); err != nil {
		return none, fmt.Errorf("read bids: %w", err)
	}
	if !found {
		return none, auction.ErrNotFound
	}
	if page.ByCursor() {
		result.Total = application.Total{}
	}
	return result, nil
}

// memberBidsSQL is a page of the auctions a member ($1) bid on, the one with
// their latest bid first: by offset, or ($2) after a latest bid id, which is
// the keyset (bid ids are unique). A member's bids are grouped by auction off
// bids_bidder_idx; a numbered page also counts the auctions, up to the cap.
func memberBidsSQL(size int, byCursor bool) string {
	after, skip, total := "", " OFFSET $2", memberAuctionsCount
	if byCursor {
		after, skip, total = " HAVING max(id) < $2", "", "NULL::bigint"
	}
	return `SELECT ` + summarySelectList + `, ` + auctionDetailColumns + `,
	mine.my_bid, COALESCE(pu.buyer_id, 0), mine.last_bid_id, ` + total + `
FROM (
	SELECT auction_id, max(amount) AS my_bid, max(id) AS last_bid_id
	FROM bids WHERE bidder_id = $1 GROUP BY auction_id` + after + `
	ORDER BY last_bid_id DESC LIMIT ` + strconv.Itoa(size+1) + skip + `
) AS mine
JOIN auctions AS au ON au.id = mine.auction_id
JOIN arts AS a ON a.id = au.art_id
JOIN members AS m ON m.id = a.owner_id
LEFT JOIN members AS hb ON hb.id = au.highest_bidder_id
LEFT JOIN purchases AS pu ON pu.art_id = a.id
ORDER BY mine.last_bid_id DESC`
}

// memberAuctionsCount counts the auctions a member ($1) bid on, up to the cap.
var memberAuctionsCount = `(SELECT count(*) FROM (
	SELECT DISTINCT auction_id FROM bids WHERE bidder_id = $1 LIMIT ` + strconv.Itoa(countCap) + `) AS counted)`

// MemberBids lists a page of the auctions the member bid on, the auction with
// the member's latest bid first.
func (s *AuctionStore) MemberBids(ctx context.Context, memberID int64, page application.PageRequest) (application.StoredPage[application.MemberBid], error) {
	var none application.StoredPage[application.MemberBid]
	args := []any{memberID, page.Offset()}
	if after := page.After(); after != nil {
		if len(after) != 1 {
			return none, fmt.Errorf("member bids keyset of %d values: %w", len(after), application.ErrInvalidCursor)
		}
		args[1] = after[0]
	}
	rows, err := prepared(ctx, s.db).Query(ctx, memberBidsSQL(page.Size(), page.ByCursor()), args...)
	if err != nil {
		return none, fmt.Errorf("select member's bids: %w", err)
	}
	defer rows.Close()
	result := application.StoredPage[application.MemberBid]{Items: []application.MemberBid{}}
	types := pgtype.NewMap()
	var counted sql.NullInt64
	var lastBidID, previousLastBidID int64
	for rows.Next() {
		var row artDetailRow
		var tags []string
		var item application.MemberBid
		previousLastBidID = lastBidID
		targets := append(row.detailTargets(types, &tags), &item.MyBid, &item.BuyerID, &lastBidID, &counted)
		if err := rows.Scan(targets...); err != nil {
			return none, fmt.Errorf("scan member's bid: %w", err)
		}
		if len(result.Items) == page.Size() {
			result.Next = application.Keyset{previousLastBidID}
			break
		}
		if item.Art, err = summaryFromRow(row.artListRow, tags); err != nil {
			return none, err
		}
		if item.Auction, err = auctionFromDetailRow(row); err != nil {
			return none, err
		}
		result.Items = append(result.Items, item)
	}
	if err := rows.Err(); err != nil {
		return none, fmt.Errorf("read member's bids: %w", err)
	}
	if !page.ByCursor() {
		n, err := countOf(ctx, prepared(ctx, s.db), page, len(result.Items), counted, countWith(memberAuctionsCount, memberID))
		if err != nil {
			return none, fmt.Errorf("count member's auctions: %w", err)
		}
		result.Total = application.CappedTotal(n)
	}
	return result, nil
}

var _ application.LiveHistory = (*AuctionStore)(nil)

// BidCount reads how many bids an auction has.
func (s *AuctionStore) BidCount(ctx context.Context, auctionID int64) (int64, error) {
	var count int64
	err := prepared(ctx, s.db).QueryRow(ctx, `SELECT bid_count FROM auctions WHERE id = $1`, auctionID).Scan(&count)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, auction.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("select bid count: %w", err)
	}
	return count, nil
}

// bidsAfterSQL lists an auction's ($1) bids oldest first after the first $2,
// at most $3 of them (NULL: all); only those are joined with their bidders.
const bidsAfterSQL = `SELECT b.id, b.bidder_id, b.amount, b.created_at, m.nickname, m.school
FROM (
	SELECT id, bidder_id, amount, created_at FROM bids WHERE auction_id = $1 ORDER BY id OFFSET $2 LIMIT $3
) AS b
JOIN members AS m ON m.id = b.bidder_id
ORDER BY b.id`

// BidsAfter lists an auction's bids after its first afterCount, oldest first,
// at most limit of them (0: all). Bids take ids in commit order and are never
// deleted alone, so the offset is the bid count.
func (s *AuctionStore) BidsAfter(ctx context.Context, auctionID, afterCount int64, limit int) ([]application.BidEntry, error) {
	var most sql.NullInt64
	if limit > 0 {
		most = sql.NullInt64{Int64: int64(limit), Valid: true}
	}
	rows, err := prepared(ctx, s.db).Query(ctx, bidsAfterSQL, auctionID, max(afterCount, 0), most)
	if err != nil {
		return nil, fmt.Errorf("select bids after %d: %w", afterCount, err)
	}
	defer rows.Close()
	bids := []application.BidEntry{}
	for rows.Next() {
		b := application.BidEntry{AuctionID: auctionID}
		if err := rows.Scan(&b.ID, &b.Bidder.ID, &b.Amount, &b.CreatedAt, &b.Bidder.Nickname, &b.Bidder.School); err != nil {
			return nil, fmt.Errorf("scan bid after %d: %w", afterCount, err)
		}
		b.CreatedAt = b.CreatedAt.UTC()
		bids = append(bids, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read bids after %d: %w", afterCount, err)
	}
	return bids, nil
}

// saleSQL is the purchase that ended an auction ($1), with its buyer.
const saleSQL = `SELECT p.buyer_id, m.nickname, m.school, p.price
FROM auctions AS au
JOIN purchases AS p ON p.art_id = au.art_id
JOIN members AS m ON m.id = p.buyer_id
WHERE au.id = $1`

// Sale reads the purchase that ended an auction, by the leader at the close or
// by buy-now.
func (s *AuctionStore) Sale(ctx context.Context, auctionID int64) (application.MemberRef, int64, bool, error) {
	var buyer application.MemberRef
	var price int64
	err := prepared(ctx, s.db).QueryRow(ctx, saleSQL, auctionID).Scan(&buyer.ID, &buyer.Nickname, &buyer.School, &price)
	if errors.Is(err, sql.ErrNoRows) {
		return application.MemberRef{}, 0, false, nil
	}
	if err != nil {
		return application.MemberRef{}, 0, false, fmt.Errorf("select sale of auction: %w", err)
	}
	return buyer, price, true, nil
}
