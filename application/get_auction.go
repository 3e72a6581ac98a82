package application

import (
	"context"
	"fmt"
)

// GetAuction reads an auction with its art.
type GetAuction struct {
	auctions AuctionStore
}

// NewGetAuction builds the use case.
func NewGetAuction(auctions AuctionStore) *GetAuction {
	return &GetAuction{auctions: auctions}
}

// Execute returns auction.ErrNotFound for an unknown id.
func (uc *GetAuction) Execute(ctx context.Context, auctionID int64) (AuctionDetail, error) {
	d, err := uc.auctions.Detail(ctx, auctionID)
	if err != nil {
		return AuctionDetail{}, fmt.Errorf("get auction %d: %w", auctionID, err)
	}
	return d, nil
}
