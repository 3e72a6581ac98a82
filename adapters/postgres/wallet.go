package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

var _ application.Wallet = (*Wallet)(nil)

// Wallet moves the points of trades in the members table. Every change is one
// conditional write that can never take a balance below zero nor available
// points above the total; a refused write is explained by a second look.
type Wallet struct {
	db *bun.DB
}

// NewWallet builds a Wallet over db.
func NewWallet(db *bun.DB) *Wallet {
	return &Wallet{db: db}
}

// Balance reads the member's points.
func (w *Wallet) Balance(ctx context.Context, memberID int64) (point.Balance, error) {
	var row memberRow
	err := idb(ctx, w.db).NewSelect().Model(&row).
		Column("points_total", "points_available").
		Where("id = ?", memberID).
		Scan(ctx)
	if errors.Is(err, sql.ErrNoRows) {
		return point.Balance{}, member.ErrNotFound
	}
	if err != nil {
		return point.Balance{}, fmt.Errorf("select balance: %w", err)
	}
	return point.RestoreBalance(row.PointsTotal, row.PointsAvailable), nil
}

// Hold takes amount from the member's available points, only if they cover it.
func (w *Wallet) Hold(ctx context.Context, memberID, amount int64) error {
	if amount < 1 {
		return fmt.Errorf("hold %d points: the amount must be positive", amount)
	}
	q := idb(ctx, w.db).NewUpdate().Model((*memberRow)(nil)).
		Set("points_available = points_available - ?", amount).
		Where("points_available >= ?", amount)
	return w.apply(ctx, q, memberID, "hold points", point.ErrInsufficientPoints)
}

// Release gives a hold back to the member's available points, only if they
// stay within the total.
func (w *Wallet) Release(ctx context.Context, memberID, amount int64) error {
	if amount < 1 {
		return fmt.Errorf("release %d points: the amount must be positive", amount)
	}
	q := idb(ctx, w.db).NewUpdate().Model((*memberRow)(nil)).
		Set("points_available = points_available + ?", amount).
		Where("points_available + ? <= points_total", amount)
	refused := fmt.Errorf("release %d points of member %d: more than they have on hold", amount, memberID)
	return w.apply(ctx, q, memberID, "release points", refused)
}

// Pay takes price from the member's total and price-held from their available
// points (held is what they already had on hold for it), only if they cover it.
func (w *Wallet) Pay(ctx context.Context, memberID, price, held int64) error {
	if price < 1 || held < 0 || held > price {
		return fmt.Errorf("pay %d points with %d held: the price must be positive and the hold within it", price, held)
	}
	q := idb(ctx, w.db).NewUpdate().Model((*memberRow)(nil)).
		Set("points_total = points_total - ?", price).
		Set("points_available = points_available - ?", price-held).
		Where("points_available >= ?", price-held).
		Where("points_total >= ?", price)
	return w.apply(ctx, q, memberID, "pay points", point.ErrInsufficientPoints)
}

// Receive adds amount to the member's total and available points.
func (w *Wallet) Receive(ctx context.Context, memberID, amount int64) error {
	if amount < 1 {
		return fmt.Errorf("receive %d points: the amount must be positive", amount)
	}
	// Being paid is the same write as a charge: total and available both rise.
	if _, err := NewPointStore(w.db).Charge(ctx, memberID, point.Amount(amount)); err != nil {
		return fmt.Errorf("receive points: %w", err)
	}
	return nil
}

// apply runs a conditional update of one member's points; when it changes
// nothing the member is either missing (member.ErrNotFound) or refused (refused).
func (w *Wallet) apply(ctx context.Context, q *bun.UpdateQuery, memberID int64, what string, refused error) error {
	res, err := q.Set("updated_at = now()").Where("id = ?", memberID).Exec(ctx)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	n, err := rowsAffected(res)
	if err != nil {
		return err
	}
	if n == 1 {
		return nil
	}
	found, err := idb(ctx, w.db).NewSelect().Model((*memberRow)(nil)).Where("id = ?", memberID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("%s: look for member %d: %w", what, memberID, err)
	}
	if !found {
		return member.ErrNotFound
	}
	return refused
}
