package postgres

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

var _ application.ArtSales = (*ArtSales)(nil)

// ArtSales ends an art's time on sale with writes that change only an art
// still on sale.
type ArtSales struct {
	db *bun.DB
}

// NewArtSales builds an ArtSales over db.
func NewArtSales(db *bun.DB) *ArtSales {
	return &ArtSales{db: db}
}

// MarkSold marks the art sold at price; art.ErrSold unless it is on sale.
func (s *ArtSales) MarkSold(ctx context.Context, artID, price int64) error {
	if price < 1 {
		return fmt.Errorf("mark art %d sold for %d: the price must be positive", artID, price)
	}
	q := idb(ctx, s.db).NewUpdate().Model((*artRow)(nil)).
		Set("status = ?", string(art.StatusSold)).
		Set("current_price = ?", price)
	return s.endSale(ctx, q, artID)
}

// MarkUnsold marks the art unsold after its auction failed; art.ErrSold unless
// it is on sale.
func (s *ArtSales) MarkUnsold(ctx context.Context, artID int64) error {
	q := idb(ctx, s.db).NewUpdate().Model((*artRow)(nil)).
		Set("status = ?", string(art.StatusUnsold))
	return s.endSale(ctx, q, artID)
}

// endSale runs q on the art only while it is on sale; when that changes
// nothing the art is missing (art.ErrNotFound) or already off sale (art.ErrSold).
func (s *ArtSales) endSale(ctx context.Context, q *bun.UpdateQuery, artID int64) error {
	res, err := q.Set("updated_at = now()").
		Where("id = ?", artID).
		Where("status = ?", string(art.StatusOnSale)).
		Exec(ctx)
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
