package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

var _ application.PointStore = (*PointStore)(nil)

type ledgerRow struct {
	bun.BaseModel `bun:"table:point_ledger"`

	ID        int64     `bun:"id,pk,autoincrement"`
	MemberID  int64     `bun:"member_id"`
	Type      string    `bun:"type"`
	Amount    int64     `bun:"amount"`
	ArtID     int64     `bun:"art_id,nullzero"`
	CreatedAt time.Time `bun:"created_at"`
}

func ledgerEntryToRow(e point.LedgerEntry) ledgerRow {
	return ledgerRow{
		MemberID:  e.MemberID(),
		Type:      string(e.Type()),
		Amount:    e.Amount(),
		ArtID:     e.ArtID(),
		CreatedAt: e.CreatedAt(),
	}
}

func ledgerEntryFromRow(r ledgerRow) (point.LedgerEntry, error) {
	t, err := point.ParseEntryType(r.Type)
	if err != nil {
		return point.LedgerEntry{}, fmt.Errorf("ledger entry %d: %w", r.ID, err)
	}
	return point.RestoreLedgerEntry(r.MemberID, t, r.Amount, r.ArtID, r.CreatedAt.UTC()), nil
}

// PointStore changes balances in the members table with conditional writes and
// keeps the point ledger.
type PointStore struct {
	db *bun.DB
}

// NewPointStore builds a PointStore over db.
func NewPointStore(db *bun.DB) *PointStore {
	return &PointStore{db: db}
}

// Charge adds amount to the member's total and available points.
func (s *PointStore) Charge(ctx context.Context, memberID int64, amount point.Amount) (point.Balance, error) {
	var total, available int64
	err := idb(ctx, s.db).NewUpdate().Model((*memberRow)(nil)).
		Set("points_total = points_total + ?", amount.Int64()).
		Set("points_available = points_available + ?", amount.Int64()).
		Set("updated_at = now()").
		Where("id = ?", memberID).
		Returning("points_total, points_available").
		Scan(ctx, &total, &available)
	if errors.Is(err, sql.ErrNoRows) {
		return point.Balance{}, member.ErrNotFound
	}
	if err != nil {
		return point.Balance{}, fmt.Errorf("charge points: %w", err)
	}
	return point.RestoreBalance(total, available), nil
}

// Refund takes amount from the member's total and available points in one
// conditional write, so that concurrent refunds can never overdraw.
func (s *PointStore) Refund(ctx context.Context, memberID int64, amount point.Amount) (point.Balance, error) {
	var total, available int64
	err := idb(ctx, s.db).NewUpdate().Model((*memberRow)(nil)).
		Set("points_total = points_total - ?", amount.Int64()).
		Set("points_available = points_available - ?", amount.Int64()).
		Set("updated_at = now()").
		Where("id = ?", memberID).
		Where("points_available >= ?", amount.Int64()).
		Returning("points_total, points_available").
		Scan(ctx, &total, &available)
	if errors.Is(err, sql.ErrNoRows) {
		return point.Balance{}, s.whyNoRefund(ctx, memberID)
	}
	if err != nil {
		return point.Balance{}, fmt.Errorf("refund points: %w", err)
	}
	return point.RestoreBalance(total, available), nil
}

// whyNoRefund tells a missing member from one without enough available points.
func (s *PointStore) whyNoRefund(ctx context.Context, memberID int64) error {
	found, err := idb(ctx, s.db).NewSelect().Model((*memberRow)(nil)).Where("id = ?", memberID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("look for member of refused refund: %w", err)
	}
	if !found {
		return member.ErrNotFound
	}
	return point.ErrInsufficientPoints
}

// AppendLedger records a change of a member's total.
func (s *PointStore) AppendLedger(ctx context.Context, entry point.LedgerEntry) error {
	row := ledgerEntryToRow(entry)
	if _, err := idb(ctx, s.db).NewInsert().Model(&row).Exec(ctx); err != nil {
		if _, ok := violatedConstraint(err, foreignKeyViolation); ok {
			return member.ErrNotFound
		}
		return fmt.Errorf("insert ledger entry: %w", err)
	}
	return nil
}
