package art

// An auction art shows how its auction stands: lists sort it by its highest
// bid and count its bids, and it is sold when its auction ends with a sale.

// FollowBid is the art after its auction accepted a bid: its current price is
// the highest bid, and it counts the auction's bids.
func (a *Art) FollowBid(highestAmount, bidCount int64) {
	a.currentPrice, a.bidCount = highestAmount, bidCount
}

// SellAt is the art after its auction ended with a sale at price, at the
// close or by buy-now.
func (a *Art) SellAt(price int64) {
	a.status, a.currentPrice = StatusSold, price
}
