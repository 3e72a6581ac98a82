package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/point"
)

// ListPointHistory pages through a member's ledger, newest first.
type ListPointHistory struct {
	points PointStore
}

// NewListPointHistory builds the use case.
func NewListPointHistory(points PointStore) *ListPointHistory {
	return &ListPointHistory{points: points}
}

// Execute returns one page of ledger entries.
func (uc *ListPointHistory) Execute(ctx context.Context, memberID int64, page PageRequest) (Page[point.LedgerEntry], error) {
	list := listScope(fmt.Sprintf("point history\x00%d", memberID))
	page, err := page.in(list)
	if err != nil {
		return Page[point.LedgerEntry]{}, err
	}
	entries, err := uc.points.History(ctx, memberID, page)
	if err != nil {
		return Page[point.LedgerEntry]{}, fmt.Errorf("point history: %w", err)
	}
	return pageOf(entries, page, list), nil
}
