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
	items, total, err := uc.purchases.ByBuyer(ctx, memberID, page)
	if err != nil {
		return Page[PurchaseView]{}, fmt.Errorf("list purchases of member %d: %w", memberID, err)
	}
	return Page[PurchaseView]{Items: items, Request: page, TotalItems: total}, nil
}
