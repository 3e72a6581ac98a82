package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

var _ application.ArtSales = (*ArtSales)(nil)

// ArtSales reads an art for its sale and ends its time on sale with writes
// that change only an art still on sale.
type ArtSales struct {
	db *bun.DB
}

// NewArtSales builds an ArtSales over db.
func NewArtSales(db *bun.DB) *ArtSales {
	return &ArtSales{db: db}
}

const readArtForSaleSQL = `
SELECT ` + artSummaryColumns + `,
	(SELECT au.end_at FROM auctions AS au WHERE au.art_id = a.id)
FROM arts AS a
JOIN members AS m ON m.id = a.owner_id
WHERE a.id = $1`

// Get reads the art as lists show it, with its owner, in one statement.
func (s *ArtSales) Get(ctx context.Context, artID int64) (application.ArtSummary, error) {
	var read artSummaryScan
	err := prepared(ctx, s.db).QueryRow(ctx, readArtForSaleSQL, artID).Scan(append(read.dest(), &read.row.AuctionEndAt)...)
	if errors.Is(err, sql.ErrNoRows) {
		return application.ArtSummary{}, art.ErrNotFound
	}
	if err != nil {
		return application.ArtSummary{}, fmt.Errorf("select art %d: %w", artID, err)
	}
	return read.summary()
}

const (
	markSoldSQL   = `UPDATE arts SET status = $1, current_price = $2, updated_at = now() WHERE id = $3 AND status = $4`
	markUnsoldSQL = `UPDATE arts SET status = $1, updated_at = now() WHERE id = $2 AND status = $3`
)

// MarkSold marks the art sold at price; art.ErrSold unless it is on sale.
func (s *ArtSales) MarkSold(ctx context.Context, artID, price int64) error {
	if price < 1 {
		return fmt.Errorf("mark art %d sold for %d: the price must be positive", artID, price)
	}
	res, err := prepared(ctx, s.db).Exec(ctx, markSoldSQL, string(art.StatusSold), price, artID, string(art.StatusOnSale))
	return s.endedSale(ctx, res, err, artID)
}

// MarkUnsold marks the art unsold after its auction failed; art.ErrSold unless
// it is on sale.
func (s *ArtSales) MarkUnsold(ctx context.Context, artID int64) error {
	res, err := prepared(ctx, s.db).Exec(ctx, markUnsoldSQL, string(art.StatusUnsold), artID, string(art.StatusOnSale))
	return s.endedSale(ctx, res, err, artID)
}

// endedSale checks that a write ending the art's sale changed it; when it
// changed nothing the art is missing (art.ErrNotFound) or already off sale
// (art.ErrSold).
func (s *ArtSales) endedSale(ctx context.Context, res sql.Result, err error, artID int64) error {
	if err != nil {
		return fmt.Errorf("end sale of art %d: %w", artID, err)
	}
	n, err := rowsAffected(res)
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	found, err := idb(ctx, s.db).NewSelect().Model((*artRow)(nil)).Where("id = ?", artID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("look for art %d: %w", artID, err)
	}
	if !found {
		return art.ErrNotFound
	}
	return art.ErrSold
}
