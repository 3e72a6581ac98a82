package application

import (
	"context"
	"fmt"
)

// ListMySales pages through what a member sold, newest first.
type ListMySales struct {
	purchases PurchaseStore
}

// NewListMySales builds the use case.
func NewListMySales(purchases PurchaseStore) *ListMySales {
	return &ListMySales{purchases: purchases}
}

// Execute returns one page of sales.
func (uc *ListMySales) Execute(ctx context.Context, memberID int64, page PageRequest) (Page[PurchaseView], error) {
	list := listScope(fmt.Sprintf("sales\x00%d", memberID))
	page, err := page.in(list)
	if err != nil {
		return Page[PurchaseView]{}, err
	}
	items, err := uc.purchases.BySeller(ctx, memberID, page)
	if err != nil {
		return Page[PurchaseView]{}, fmt.Errorf("list sales of member %d: %w", memberID, err)
	}
	return pageOf(items, page, list), nil
}
