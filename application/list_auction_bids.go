package application

import (
	"context"
	"fmt"
)

// ListAuctionBids pages through an auction's bids, newest first.
type ListAuctionBids struct {
	auctions AuctionStore
}

// NewListAuctionBids builds the use case.
func NewListAuctionBids(auctions AuctionStore) *ListAuctionBids {
	return &ListAuctionBids{auctions: auctions}
}

// Execute returns auction.ErrNotFound for an unknown auction.
func (uc *ListAuctionBids) Execute(ctx context.Context, auctionID int64, page PageRequest) (Page[BidEntry], error) {
	if _, err := uc.auctions.Get(ctx, auctionID); err != nil {
		return Page[BidEntry]{}, fmt.Errorf("find auction %d: %w", auctionID, err)
	}
	bids, total, err := uc.auctions.Bids(ctx, auctionID, page)
	if err != nil {
		return Page[BidEntry]{}, fmt.Errorf("list bids of auction %d: %w", auctionID, err)
	}
	return Page[BidEntry]{Items: bids, Request: page, TotalItems: total}, nil
}
