package application

import (
	"context"
	"fmt"
)

// ListMyBids pages through the auctions a member bid on, with their standing.
type ListMyBids struct {
	auctions AuctionStore
}

// NewListMyBids builds the use case.
func NewListMyBids(auctions AuctionStore) *ListMyBids {
	return &ListMyBids{auctions: auctions}
}

// Execute lists one row per auction, most recent bid first.
func (uc *ListMyBids) Execute(ctx context.Context, memberID int64, page PageRequest) (Page[MemberBid], error) {
	list := listScope(fmt.Sprintf("member bids\x00%d", memberID))
	page, err := page.in(list)
	if err != nil {
		return Page[MemberBid]{}, err
	}
	bids, err := uc.auctions.MemberBids(ctx, memberID, page)
	if err != nil {
		return Page[MemberBid]{}, fmt.Errorf("list bids of member %d: %w", memberID, err)
	}
	return pageOf(bids, page, list), nil
}
