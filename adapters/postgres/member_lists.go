package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/point"
)

// A member's purchases, sales and point history are read newest first, ties
// by id descending, off an index on (member, time DESC, id DESC); their
// keyset is [time in Unix microseconds, id].

// timeIDPosition decodes a [time, id] keyset.
func timeIDPosition(after application.Keyset) (time.Time, int64, error) {
	if len(after) != 2 {
		return time.Time{}, 0, fmt.Errorf("keyset of %d values: %w", len(after), application.ErrInvalidCursor)
	}
	at, ok := keysetTime(after[0])
	if !ok {
		return time.Time{}, 0, fmt.Errorf("keyset time: %w", application.ErrInvalidCursor)
	}
	return at, after[1], nil
}

// memberListArgs are a member list's arguments: the member ($1), then the
// offset ($2) of a numbered page or the position ($2, $3) of a cursor page.
func memberListArgs(memberID int64, page application.PageRequest) ([]any, error) {
	after := page.After()
	if after == nil {
		return []any{memberID, page.Offset()}, nil
	}
	at, id, err := timeIDPosition(after)
	if err != nil {
		return nil, err
	}
	return []any{memberID, at, id}, nil
}

// ByBuyer lists a page of what the member bought, newest first.
func (s *PurchaseStore) ByBuyer(ctx context.Context, memberID int64, page application.PageRequest) (application.StoredPage[application.PurchaseView], error) {
	return s.list(ctx, "buyer_id", memberID, page)
}

// BySeller lists a page of what the member sold, newest first.
func (s *PurchaseStore) BySeller(ctx context.Context, memberID int64, page application.PageRequest) (application.StoredPage[application.PurchaseView], error) {
	return s.list(ctx, "seller_id", memberID, page)
}

// purchasesCount counts the purchases whose column is $1, up to the cap.
func purchasesCount(column string) string {
	return "(SELECT count(*) FROM (SELECT 1 FROM purchases WHERE " + column + " = $1 LIMIT " +
		strconv.Itoa(countCap) + ") AS counted)"
}

// purchasesSQL is a page of the purchases whose column (buyer_id or
// seller_id) is $1, off purchases_buyer_idx or purchases_seller_idx; only the
// page's purchases are joined with their art and members.
func purchasesSQL(column string, size int, byCursor bool) string {
	after, skip, total := "", " OFFSET $2", purchasesCount(column)
	if byCursor {
		after, skip, total = " AND (p.purchased_at, p.id) < ($2, $3)", "", "NULL::bigint"
	}
	return `SELECT ` + summarySelectList + `,
	pu.id, pu.buyer_id, b.nickname, b.school, pu.seller_id, s.nickname, s.school, pu.price, pu.kind, pu.purchased_at, ` + total + `
FROM (
	SELECT p.id FROM purchases AS p WHERE p.` + column + ` = $1` + after + `
	ORDER BY p.purchased_at DESC, p.id DESC LIMIT ` + strconv.Itoa(size+1) + skip + `
) AS listed
JOIN purchases AS pu ON pu.id = listed.id
JOIN arts AS a ON a.id = pu.art_id
JOIN members AS m ON m.id = a.owner_id
LEFT JOIN auctions AS au ON au.art_id = a.id
JOIN members AS b ON b.id = pu.buyer_id
JOIN members AS s ON s.id = pu.seller_id
ORDER BY pu.purchased_at DESC, pu.id DESC`
}

// list pages through the purchases whose column (buyer_id or seller_id) is memberID.
func (s *PurchaseStore) list(ctx context.Context, column string, memberID int64, page application.PageRequest) (application.StoredPage[application.PurchaseView], error) {
	var none application.StoredPage[application.PurchaseView]
	args, err := memberListArgs(memberID, page)
	if err != nil {
		return none, err
	}
	runner := prepared(ctx, s.db)
	rows, err := runner.Query(ctx, purchasesSQL(column, page.Size(), page.ByCursor()), args...)
	if err != nil {
		return none, fmt.Errorf("select purchases by %s: %w", column, err)
	}
	defer rows.Close()
	result := application.StoredPage[application.PurchaseView]{Items: []application.PurchaseView{}}
	types := pgtype.NewMap()
	var counted sql.NullInt64
	for rows.Next() {
		var r purchaseViewRow
		var tags []string
		targets := append(r.summaryTargets(types, &tags), &r.PurchaseID, &r.BuyerID, &r.BuyerNickname, &r.BuyerSchool,
			&r.SellerID, &r.SellerNickname, &r.SellerSchool, &r.PurchasePrice, &r.PurchaseKind, &r.PurchasedAt, &counted)
		if err := rows.Scan(targets...); err != nil {
			return none, fmt.Errorf("scan purchase: %w", err)
		}
		if len(result.Items) == page.Size() {
			last := result.Items[len(result.Items)-1].Purchase
			result.Next = application.Keyset{last.PurchasedAt().UnixMicro(), last.ID()}
			break
		}
		summary, err := summaryFromRow(r.artListRow, tags)
		if err != nil {
			return none, err
		}
		view, err := purchaseViewFromRow(r, summary)
		if err != nil {
			return none, err
		}
		result.Items = append(result.Items, view)
	}
	if err := rows.Err(); err != nil {
		return none, fmt.Errorf("read purchases by %s: %w", column, err)
	}
	if !page.ByCursor() {
		n, err := countOf(ctx, runner, page, len(result.Items), counted, countWith(purchasesCount(column), memberID))
		if err != nil {
			return none, fmt.Errorf("count purchases by %s: %w", column, err)
		}
		result.Total = application.CappedTotal(n)
	}
	return result, nil
}

// pointHistoryCount counts a member's ($1) ledger entries, up to the cap.
var pointHistoryCount = "(SELECT count(*) FROM (SELECT 1 FROM point_ledger WHERE member_id = $1 LIMIT " +
	strconv.Itoa(countCap) + ") AS counted)"

// pointHistorySQL is a page of a member's ($1) ledger off point_ledger_member_history_idx.
func pointHistorySQL(size int, byCursor bool) string {
	after, skip, total := "", " OFFSET $2", pointHistoryCount
	if byCursor {
		after, skip, total = " AND (created_at, id) < ($2, $3)", "", "NULL::bigint"
	}
	return `SELECT id, member_id, type, amount, art_id, created_at, ` + total + `
FROM point_ledger WHERE member_id = $1` + after + `
ORDER BY created_at DESC, id DESC LIMIT ` + strconv.Itoa(size+1) + skip
}

// History returns one page of the member's ledger, newest first.
func (s *PointStore) History(ctx context.Context, memberID int64, page application.PageRequest) (application.StoredPage[point.LedgerEntry], error) {
	var none application.StoredPage[point.LedgerEntry]
	args, err := memberListArgs(memberID, page)
	if err != nil {
		return none, err
	}
	runner := prepared(ctx, s.db)
	rows, err := runner.Query(ctx, pointHistorySQL(page.Size(), page.ByCursor()), args...)
	if err != nil {
		return none, fmt.Errorf("select point history: %w", err)
	}
	defer rows.Close()
	result := application.StoredPage[point.LedgerEntry]{Items: []point.LedgerEntry{}}
	var counted sql.NullInt64
	var last ledgerRow
	for rows.Next() {
		var row ledgerRow
		var artID sql.NullInt64
		if err := rows.Scan(&row.ID, &row.MemberID, &row.Type, &row.Amount, &artID, &row.CreatedAt, &counted); err != nil {
			return none, fmt.Errorf("scan point history: %w", err)
		}
		if len(result.Items) == page.Size() {
			result.Next = application.Keyset{last.CreatedAt.UnixMicro(), last.ID}
			break
		}
		row.ArtID = artID.Int64
		entry, err := ledgerEntryFromRow(row)
		if err != nil {
			return none, err
		}
		result.Items, last = append(result.Items, entry), row
	}
	if err := rows.Err(); err != nil {
		return none, fmt.Errorf("read point history: %w", err)
	}
	if !page.ByCursor() {
		n, err := countOf(ctx, runner, page, len(result.Items), counted, countWith(pointHistoryCount, memberID))
		if err != nil {
			return none, fmt.Errorf("count point history: %w", err)
		}
		result.Total = application.CappedTotal(n)
	}
	return result, nil
}
