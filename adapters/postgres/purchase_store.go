package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/purchase"
)

var _ application.PurchaseStore = (*PurchaseStore)(nil)

// Constraints of the purchases table, named in the migration.
const (
	purchasesArtIDKey   = "purchases_art_id_key"
	purchasesArtFKey    = "purchases_art_id_fkey"
	purchasesBuyerFKey  = "purchases_buyer_id_fkey"
	purchasesSellerFKey = "purchases_seller_id_fkey"
)

// purchaseViewRow is an art with its purchase and the two members.
type purchaseViewRow struct {
	artListRow `bun:",extend"`

	PurchaseID     int64     `bun:"purchase_id"`
	BuyerID        int64     `bun:"buyer_id"`
	BuyerNickname  string    `bun:"buyer_nickname"`
	BuyerSchool    string    `bun:"buyer_school"`
	SellerID       int64     `bun:"seller_id"`
	SellerNickname string    `bun:"seller_nickname"`
	SellerSchool   string    `bun:"seller_school"`
	PurchasePrice  int64     `bun:"purchase_price"`
	PurchaseKind   string    `bun:"purchase_kind"`
	PurchasedAt    time.Time `bun:"purchased_at"`
}

func purchaseViewFromRow(r purchaseViewRow, summary application.ArtSummary) (application.PurchaseView, error) {
	kind, err := purchase.ParseKind(r.PurchaseKind)
	if err != nil {
		return application.PurchaseView{}, fmt.Errorf("purchase %d: %w", r.PurchaseID, err)
	}
	return application.PurchaseView{
		Purchase: purchase.Restore(r.PurchaseID, r.ID, r.BuyerID, r.SellerID, r.PurchasePrice, kind, r.PurchasedAt.UTC()),
		Art:      summary,
		Buyer:    application.MemberRef{ID: r.BuyerID, Nickname: r.BuyerNickname, School: r.BuyerSchool},
		Seller:   application.MemberRef{ID: r.SellerID, Nickname: r.SellerNickname, School: r.SellerSchool},
	}, nil
}

// PurchaseStore records sales in the purchases table, whose unique art id is
// the last fence against selling one art twice.
type PurchaseStore struct {
	db *bun.DB
}

// NewPurchaseStore builds a PurchaseStore over db.
func NewPurchaseStore(db *bun.DB) *PurchaseStore {
	return &PurchaseStore{db: db}
}

// createPurchaseSQL records a sale and its two ledger entries in one
// statement: the buyer's PURCHASE and the seller's SALE, both of the price.
const createPurchaseSQL = `
WITH p AS (
	INSERT INTO purchases (art_id, buyer_id, seller_id, price, kind, purchased_at)
	VALUES ($1, $2, $3, $4, $5, $6)
	RETURNING id, art_id, buyer_id, seller_id, price, purchased_at
), ledger AS (
	INSERT INTO point_ledger (member_id, type, amount, art_id, created_at)
	SELECT buyer_id, $7, price, art_id, purchased_at FROM p
	UNION ALL
	SELECT seller_id, $8, price, art_id, purchased_at FROM p
)
SELECT id FROM p`

// Create records a sale with its ledger entries; art.ErrSold when the art
// already has one.
func (s *PurchaseStore) Create(ctx context.Context, p purchase.Purchase) (int64, error) {
	var id int64
	err := prepared(ctx, s.db).QueryRow(ctx, createPurchaseSQL, p.ArtID(), p.BuyerID(), p.SellerID(), p.Price(),
		string(p.Kind()), p.PurchasedAt().UTC(), string(point.EntryPurchase), string(point.EntrySale)).Scan(&id)
	if name, ok := violatedConstraint(err, uniqueViolation); ok && name == purchasesArtIDKey {
		return 0, art.ErrSold
	}
	if name, ok := violatedConstraint(err, foreignKeyViolation); ok {
		switch name {
		case purchasesArtFKey:
			return 0, art.ErrNotFound
		case purchasesBuyerFKey, purchasesSellerFKey:
			return 0, member.ErrNotFound
		}
	}
	if err != nil {
		return 0, fmt.Errorf("insert purchase: %w", err)
	}
	return id, nil
}

// viewQuery selects purchases as purchaseViewRow: from arts AS a with the
// purchase p, the art's owner m, its auction au, the buyer b and the seller s.
func viewQuery(db bun.IDB, dest any) *bun.SelectQuery {
	return summaryColumns(db.NewSelect().Model(dest)).
		ColumnExpr("p.id AS purchase_id").
		ColumnExpr("p.buyer_id, b.nickname AS buyer_nickname, b.school AS buyer_school").
		ColumnExpr("p.seller_id, s.nickname AS seller_nickname, s.school AS seller_school").
		ColumnExpr("p.price AS purchase_price, p.kind AS purchase_kind, p.purchased_at").
		Join("JOIN purchases AS p ON p.art_id = a.id").
		Join("JOIN members AS m ON m.id = a.owner_id").
		Join("LEFT JOIN auctions AS au ON au.art_id = a.id").
		Join("JOIN members AS b ON b.id = p.buyer_id").
		Join("JOIN members AS s ON s.id = p.seller_id")
}

// views builds the purchase views of rows with their arts' hashtags.
func views(ctx context.Context, db bun.IDB, rows []purchaseViewRow) ([]application.PurchaseView, error) {
	listRows := make([]artListRow, len(rows))
	for i, r := range rows {
		listRows[i] = r.artListRow
	}
	summaries, err := summariesOf(ctx, db, listRows)
	if err != nil {
		return nil, err
	}
	items := make([]application.PurchaseView, len(rows))
	for i, r := range rows {
		if items[i], err = purchaseViewFromRow(r, summaries[i]); err != nil {
			return nil, err
		}
	}
	return items, nil
}

// Get reads a purchase with its art and members; purchase.ErrNotFound when unknown.
func (s *PurchaseStore) Get(ctx context.Context, id int64) (application.PurchaseView, error) {
	db := idb(ctx, s.db)
	var rows []purchaseViewRow
	if err := viewQuery(db, &rows).Where("p.id = ?", id).Scan(ctx); err != nil {
		return application.PurchaseView{}, fmt.Errorf("select purchase: %w", err)
	}
	if len(rows) == 0 {
		return application.PurchaseView{}, fmt.Errorf("purchase %d: %w", id, purchase.ErrNotFound)
	}
	items, err := views(ctx, db, rows)
	if err != nil {
		return application.PurchaseView{}, err
	}
	return items[0], nil
}
