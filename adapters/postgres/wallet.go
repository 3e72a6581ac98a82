package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/point"
)

var _ application.Wallet = (*Wallet)(nil)

// Wallet moves the points of trades in the members table. Every change is one
// conditional write that can never take available points below zero nor
// above the total.
type Wallet struct {
	db *bun.DB
}

// NewWallet builds a Wallet over db.
func NewWallet(db *bun.DB) *Wallet {
	return &Wallet{db: db}
}

const readAccountSQL = `SELECT points_total, points_available, nickname, school FROM members WHERE id = $1`

// Account reads the member's points and name.
func (w *Wallet) Account(ctx context.Context, memberID int64) (application.Account, error) {
	var total, available int64
	who := application.MemberRef{ID: memberID}
	err := prepared(ctx, w.db).QueryRow(ctx, readAccountSQL, memberID).Scan(&total, &available, &who.Nickname, &who.School)
	if errors.Is(err, sql.ErrNoRows) {
		return application.Account{}, member.ErrNotFound
	}
	if err != nil {
		return application.Account{}, fmt.Errorf("select balance of member %d: %w", memberID, err)
	}
	return application.Account{Member: who, Balance: point.RestoreBalance(total, available)}, nil
}

// Move applies the moves in one statement that updates the members' rows in
// ascending id order, each only if its balance stays whole; moves of one
// member are added up first. A refused move stops the ones after it but not
// those before: the caller's transaction, or one of Move's own when there is
// none, is rolled back.
func (w *Wallet) Move(ctx context.Context, moves ...application.PointMove) error {
	moves = mergedMoves(moves)
	move, err := MovePoints(moves)
	if err != nil {
		return err
	}
	return NewTransactor(w.db).WithinTx(ctx, func(ctx context.Context) error {
		refused, err := ScanMovedPoints(prepared(ctx, w.db).QueryRow(ctx, move.SQL, move.Args...).Scan)
		if err != nil {
			return fmt.Errorf("move points: %w", err)
		}
		if refused == 0 {
			return nil
		}
		return w.whyRefused(ctx, moves, refused)
	})
}

// whyRefused tells a missing member (member.ErrNotFound) from a move that
// takes available points the member lacks (point.ErrInsufficientPoints) from
// any other refusal, which would have broken a balance.
func (w *Wallet) whyRefused(ctx context.Context, moves []application.PointMove, memberID int64) error {
	found, err := idb(ctx, w.db).NewSelect().Model((*memberRow)(nil)).Where("id = ?", memberID).Exists(ctx)
	if err != nil {
		return fmt.Errorf("move points: look for member %d: %w", memberID, err)
	}
	if !found {
		return member.ErrNotFound
	}
	i := slices.IndexFunc(moves, func(mv application.PointMove) bool { return mv.MemberID == memberID })
	if moves[i].Available < 0 {
		return point.ErrInsufficientPoints
	}
	return fmt.Errorf("move points of member %d by %+v: it would leave more available points than the total", memberID, moves[i])
}

// mergedMoves adds up the moves of each member, in the order members first
// appear: a trade moves the points of two or three members.
func mergedMoves(moves []application.PointMove) []application.PointMove {
	merged := make([]application.PointMove, 0, len(moves))
next:
	for _, mv := range moves {
		for i := range merged {
			if merged[i].MemberID == mv.MemberID {
				merged[i].Total += mv.Total
				merged[i].Available += mv.Available
				continue next
			}
		}
		merged = append(merged, mv)
	}
	return merged
}
