package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/member"
)

var _ application.AuctionStore = (*AuctionStore)(nil)

type bidRow struct {
	bun.BaseModel `bun:"table:bids,alias:b"`

	ID        int64     `bun:"id,pk,autoincrement"`
	AuctionID int64     `bun:"auction_id"`
	BidderID  int64     `bun:"bidder_id"`
	Amount    int64     `bun:"amount"`
	CreatedAt time.Time `bun:"created_at"`
}

// bidEntryRow is a bid with its bidder.
type bidEntryRow struct {
	bidRow `bun:",extend"`

	BidderNickname string `bun:"bidder_nickname"`
	BidderSchool   string `bun:"bidder_school"`
}

// auctionDetailRow is an auction's art detail with the art's hashtags in order.
type auctionDetailRow struct {
	artDetailRow `bun:",extend"`

	Hashtags []string `bun:"hashtags,array"`
}

// memberBidRow is an auction a member bid on, with its art and the member's standing.
type memberBidRow struct {
	artDetailRow `bun:",extend"`

	MyBid   int64 `bun:"my_bid"`
	BuyerID int64 `bun:"buyer_id"`
}

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
	if a.StoredStatus() == auction.StatusOpen {
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

// Detail reads an auction with its art and its leader.
func (s *AuctionStore) Detail(ctx context.Context, auctionID int64) (application.AuctionDetail, error) {
	var row auctionDetailRow
	// One round trip, hashtags included: every accepted bid is answered with this read.
	err := auctionColumns(summaryColumns(idb(ctx, s.db).NewSelect().Model(&row))).
		ColumnExpr("ARRAY(SELECT h.name FROM art_hashtags AS h WHERE h.art_id = a.id ORDER BY h.position) AS hashtags").
		Join("JOIN auctions AS au ON au.art_id = a.id").
		Join("JOIN members AS m ON m.id = a.owner_id").
		Join("LEFT JOIN members AS hb ON hb.id = au.highest_bidder_id").
		Where("au.id = ?", auctionID).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return application.AuctionDetail{}, auction.ErrNotFound
	}
	if err != nil {
		return application.AuctionDetail{}, fmt.Errorf("select auction detail: %w", err)
	}
	summary, err := summaryFromRow(row.artListRow, row.Hashtags)
	if err != nil {
		return application.AuctionDetail{}, err
	}
	au, err := auctionFromDetailRow(row.artDetailRow)
	if err != nil {
		return application.AuctionDetail{}, err
	}
	return application.AuctionDetail{Auction: au, Art: summary, HighestBidder: highestBidderOf(row.artDetailRow)}, nil
}

// Bids lists an auction's bids newest first, and how many it has.
func (s *AuctionStore) Bids(ctx context.Context, auctionID int64, page application.PageRequest) ([]application.BidEntry, int, error) {
	db := idb(ctx, s.db)
	var rows []bidEntryRow
	err := bidEntries(db, &rows, auctionID).
		OrderExpr("b.id DESC").
		Limit(int64(page.Size())).
		Offset(int64(page.Offset())).
		Scan(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("select bids: %w", err)
	}
	total, err := db.NewSelect().Model((*bidRow)(nil)).Where("b.auction_id = ?", auctionID).Count(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("count bids: %w", err)
	}
	return bidEntriesFromRows(rows), int(total), nil
}

// bidEntries selects an auction's bids with their bidders into rows.
func bidEntries(db bun.IDB, rows *[]bidEntryRow, auctionID int64) *bun.SelectQuery {
	return db.NewSelect().Model(rows).
		ColumnExpr("b.*").
		ColumnExpr("m.nickname AS bidder_nickname").
		ColumnExpr("m.school AS bidder_school").
		Join("JOIN members AS m ON m.id = b.bidder_id").
		Where("b.auction_id = ?", auctionID)
}

func bidEntriesFromRows(rows []bidEntryRow) []application.BidEntry {
	items := make([]application.BidEntry, len(rows))
	for i, r := range rows {
		items[i] = application.BidEntry{
			ID:        r.ID,
			AuctionID: r.AuctionID,
			Amount:    r.Amount,
			Bidder:    application.MemberRef{ID: r.BidderID, Nickname: r.BidderNickname, School: r.BidderSchool},
			CreatedAt: r.CreatedAt.UTC(),
		}
	}
	return items
}

// MemberBids lists one row per auction the member bid on, the auction with the
// member's latest bid first, and how many auctions that is.
func (s *AuctionStore) MemberBids(ctx context.Context, memberID int64, page application.PageRequest) ([]application.MemberBid, int, error) {
	db := idb(ctx, s.db)
	var rows []memberBidRow
	err := auctionColumns(summaryColumns(db.NewSelect().Model(&rows))).
		ColumnExpr("mine.my_bid").
		ColumnExpr("COALESCE(p.buyer_id, 0) AS buyer_id").
		Join("JOIN auctions AS au ON au.art_id = a.id").
		Join(`JOIN (
			SELECT auction_id, max(amount) AS my_bid, max(id) AS last_bid_id
			FROM bids WHERE bidder_id = ? GROUP BY auction_id
		) AS mine ON mine.auction_id = au.id`, memberID).
		Join("JOIN members AS m ON m.id = a.owner_id").
		Join("LEFT JOIN members AS hb ON hb.id = au.highest_bidder_id").
		Join("LEFT JOIN purchases AS p ON p.art_id = a.id").
		OrderExpr("mine.last_bid_id DESC").
		Limit(int64(page.Size())).
		Offset(int64(page.Offset())).
		Scan(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("select member's bids: %w", err)
	}
	var total int
	err = db.NewSelect().Model((*bidRow)(nil)).
		ColumnExpr("count(DISTINCT b.auction_id)").
		Where("b.bidder_id = ?", memberID).
		Scan(ctx, &total)
	if err != nil {
		return nil, 0, fmt.Errorf("count member's auctions: %w", err)
	}
	listRows := make([]artListRow, len(rows))
	for i, r := range rows {
		listRows[i] = r.artListRow
	}
	summaries, err := summariesOf(ctx, db, listRows)
	if err != nil {
		return nil, 0, err
	}
	items := make([]application.MemberBid, len(rows))
	for i, r := range rows {
		au, err := auctionFromDetailRow(r.artDetailRow)
		if err != nil {
			return nil, 0, err
		}
		items[i] = application.MemberBid{Auction: au, Art: summaries[i], MyBid: r.MyBid, BuyerID: r.BuyerID}
	}
	return items, total, nil
}

var _ application.LiveHistory = (*AuctionStore)(nil)

// BidCount reads how many bids an auction has.
func (s *AuctionStore) BidCount(ctx context.Context, auctionID int64) (int64, error) {
	var count int64
	err := idb(ctx, s.db).NewSelect().Table("auctions").Column("bid_count").Where("id = ?", auctionID).Scan(ctx, &count)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, auction.ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("select bid count: %w", err)
	}
	return count, nil
}

// BidsAfter lists an auction's bids after its first afterCount, oldest first,
// at most limit of them (0: all). Bids take ids in commit order and are never
// deleted alone, so the offset is the bid count.
func (s *AuctionStore) BidsAfter(ctx context.Context, auctionID, afterCount int64, limit int) ([]application.BidEntry, error) {
	var rows []bidEntryRow
	q := bidEntries(idb(ctx, s.db), &rows, auctionID).
		OrderExpr("b.id").
		Offset(max(afterCount, 0))
	if limit > 0 {
		q = q.Limit(int64(limit))
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("select bids after %d: %w", afterCount, err)
	}
	return bidEntriesFromRows(rows), nil
}

// saleRow is who bought an auction's art.
type saleRow struct {
	BuyerID       int64  `bun:"buyer_id"`
	BuyerNickname string `bun:"buyer_nickname"`
	BuyerSchool   string `bun:"buyer_school"`
	Price         int64  `bun:"price"`
}

// Sale reads the purchase that ended an auction, by the leader at the close or
// by buy-now.
func (s *AuctionStore) Sale(ctx context.Context, auctionID int64) (application.MemberRef, int64, bool, error) {
	var row saleRow
	err := idb(ctx, s.db).NewSelect().
		TableExpr("auctions AS au").
		Join("JOIN purchases AS p ON p.art_id = au.art_id").
		Join("JOIN members AS m ON m.id = p.buyer_id").
		ColumnExpr("p.buyer_id, m.nickname AS buyer_nickname, m.school AS buyer_school, p.price").
		Where("au.id = ?", auctionID).
		Scan(ctx, &row)
	if errors.Is(err, sql.ErrNoRows) {
		return application.MemberRef{}, 0, false, nil
	}
	if err != nil {
		return application.MemberRef{}, 0, false, fmt.Errorf("select sale of auction: %w", err)
	}
	return application.MemberRef{ID: row.BuyerID, Nickname: row.BuyerNickname, School: row.BuyerSchool}, row.Price, true, nil
}
