package application

import (
	"context"
	"fmt"
)

// ListMyPurchases pages through what a member bought, newest first.
type ListMyPurchases struct {
	purchases PurchaseStore
}

// NewListMyPurchases builds the use case.
func NewListMyPurchases(purchases PurchaseStore) *ListMyPurchases {
	return &ListMyPurchases{purchases: purchases}
}

// Execute returns one page of purchases.
func (uc *ListMyPurchases) Execute(ctx context.Context, memberID int64, page PageRequest) (Page[PurchaseView], error) {
	list := listScope(fmt.Sprintf("purchases\x00%d", memberID))
	page, err := page.in(list)
	if err != nil {
		return Page[PurchaseView]{}, err
	}
	items, err := uc.purchases.ByBuyer(ctx, memberID, page)
	if err != nil {
		return Page[PurchaseView]{}, fmt.Errorf("list purchases of member %d: %w", memberID, err)
	}
	return pageOf(items, page, list), nil
}
