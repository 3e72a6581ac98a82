package httpapi

import (
	"time"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/purchase"
)

type auctionWithArtView struct {
	auctionView
	Art artSummaryView `json:"art"`
}

type bidView struct {
	ID        int64     `json:"id"`
	AuctionID int64     `json:"auction_id"`
	Amount    int64     `json:"amount"`
	BidderID  int64     `json:"bidder_id"`
	CreatedAt time.Time `json:"created_at"`
}

type placedBidView struct {
	Bid     bidView            `json:"bid"`
	Auction auctionWithArtView `json:"auction"`
}

type bidEntryView struct {
	ID        int64      `json:"id"`
	Amount    int64      `json:"amount"`
	Bidder    bidderView `json:"bidder"`
	CreatedAt time.Time  `json:"created_at"`
}

type myBidView struct {
	AuctionID     int64          `json:"auction_id"`
	Art           artSummaryView `json:"art"`
	MyBid         int64          `json:"my_bid"`
	HighestAmount int64          `json:"highest_amount"`
	EndAt         time.Time      `json:"end_at"`
	Status        string         `json:"status"`
}

type purchaseView struct {
	ID          int64          `json:"id"`
	Art         artSummaryView `json:"art"`
	Price       int64          `json:"price"`
	Buyer       bidderView     `json:"buyer"`
	Seller      bidderView     `json:"seller"`
	Kind        purchase.Kind  `json:"kind"`
	PurchasedAt time.Time      `json:"purchased_at"`
}

func toAuctionView(au *auction.Auction, leader *application.MemberRef, now time.Time) auctionView {
	terms := au.Terms()
	v := auctionView{
		ID: au.ID(), Status: au.StatusAt(now), StartAt: terms.StartAt().UTC(), EndAt: terms.EndAt().UTC(),
		StartPrice: terms.StartPrice(), BidIncrement: terms.BidIncrement(), BidCount: au.BidCount(),
		MinNextBid: au.MinNextBid(),
	}
	if p := terms.BuyNowPrice(); p > 0 {
		v.BuyNowPrice = &p
	}
	if met, hasReserve := au.ReserveMet(); hasReserve {
		v.ReserveMet = &met
	}
	if leader != nil {
		v.HighestBid = &highestBidView{Amount: au.HighestAmount(), Bidder: bidderView{ID: leader.ID, Nickname: leader.Nickname}}
	}
	return v
}

func toAuctionWithArtView(d application.AuctionDetail, now time.Time) auctionWithArtView {
	return auctionWithArtView{auctionView: toAuctionView(d.Auction, d.HighestBidder, now), Art: toArtSummaryView(d.Art)}
}

func toBidEntryView(b application.BidEntry) bidEntryView {
	return bidEntryView{ID: b.ID, Amount: b.Amount, Bidder: bidderView{ID: b.Bidder.ID, Nickname: b.Bidder.Nickname},
		CreatedAt: b.CreatedAt.UTC()}
}

func toMyBidView(memberID int64) func(application.MemberBid) myBidView {
	return func(b application.MemberBid) myBidView {
		return myBidView{
			AuctionID: b.Auction.ID(), Art: toArtSummaryView(b.Art), MyBid: b.MyBid,
			HighestAmount: b.Auction.HighestAmount(), EndAt: b.Auction.Terms().EndAt().UTC(), Status: b.Standing(memberID),
		}
	}
}

func toPurchaseView(p application.PurchaseView) purchaseView {
	return purchaseView{
		ID: p.Purchase.ID(), Art: toArtSummaryView(p.Art), Price: p.Purchase.Price(),
		Buyer:       bidderView{ID: p.Buyer.ID, Nickname: p.Buyer.Nickname},
		Seller:      bidderView{ID: p.Seller.ID, Nickname: p.Seller.Nickname},
		Kind:        p.Purchase.Kind(),
		PurchasedAt: p.Purchase.PurchasedAt().UTC(),
	}
}
