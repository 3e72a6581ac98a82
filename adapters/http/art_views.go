package httpapi

import (
	"strconv"
	"time"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
)

type ownerView struct {
	ID       int64   `json:"id"`
	Nickname string  `json:"nickname"`
	School   *string `json:"school"`
}

type bidderView struct {
	ID       int64  `json:"id"`
	Nickname string `json:"nickname"`
}

type artSummaryView struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	Type         art.Type   `json:"type"`
	Price        int64      `json:"price"`
	CurrentPrice int64      `json:"current_price"`
	Status       art.Status `json:"status"`
	ImageURL     string     `json:"image_url"`
	Hashtags     []string   `json:"hashtags"`
	Owner        ownerView  `json:"owner"`
	LikeCount    int64      `json:"like_count"`
	BidCount     int64      `json:"bid_count"`
	EndAt        *time.Time `json:"end_at,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

type highestBidView struct {
	Amount int64      `json:"amount"`
	Bidder bidderView `json:"bidder"`
}

type auctionView struct {
	ID           int64           `json:"id"`
	Status       auction.Status  `json:"status"`
	StartAt      time.Time       `json:"start_at"`
	EndAt        time.Time       `json:"end_at"`
	StartPrice   int64           `json:"start_price"`
	BuyNowPrice  *int64          `json:"buy_now_price"`
	BidIncrement int64           `json:"bid_increment"`
	HighestBid   *highestBidView `json:"highest_bid"`
	BidCount     int64           `json:"bid_count"`
	MinNextBid   int64           `json:"min_next_bid"`
	// ReserveMet is null without a reserve.
	ReserveMet *bool `json:"reserve_met"`
	// ReservePrice is shown to the art's owner only.
	ReservePrice *int64 `json:"reserve_price,omitempty"`
}

type artDetailView struct {
	artSummaryView
	Description string       `json:"description"`
	Liked       *bool        `json:"liked,omitempty"`
	Buyer       *bidderView  `json:"buyer,omitempty"`
	SoldPrice   *int64       `json:"sold_price,omitempty"`
	Auction     *auctionView `json:"auction,omitempty"`
}

type hashtagView struct {
	Name     string `json:"name"`
	ArtCount int    `json:"art_count"`
}

func artImageURL(id int64) string {
	return "/api/v1/arts/" + strconv.FormatInt(id, 10) + "/image"
}

func toArtSummaryView(s application.ArtSummary) artSummaryView {
	a := s.Art
	v := artSummaryView{
		ID: a.ID(), Name: a.Name(), Type: a.Type(), Price: a.Price(), CurrentPrice: a.CurrentPrice(),
		Status: a.Status(), ImageURL: artImageURL(a.ID()), Hashtags: a.Hashtags().List(),
		Owner:     ownerView{ID: s.Owner.ID, Nickname: s.Owner.Nickname, School: optional(s.Owner.School)},
		LikeCount: a.LikeCount(), BidCount: a.BidCount(), CreatedAt: a.CreatedAt().UTC(),
	}
	if !s.AuctionEndAt.IsZero() {
		end := s.AuctionEndAt.UTC()
		v.EndAt = &end
	}
	return v
}

// toArtDetailView is an art's page as viewerID (0: anonymous) sees it.
func toArtDetailView(d application.ArtDetail, now time.Time, viewerID int64) artDetailView {
	v := artDetailView{artSummaryView: toArtSummaryView(d.ArtSummary), Description: d.Art.Description(), Liked: d.Liked}
	if d.Buyer != nil {
		v.Buyer = &bidderView{ID: d.Buyer.ID, Nickname: d.Buyer.Nickname}
		price := d.SoldPrice
		v.SoldPrice = &price
	}
	if d.Auction != nil {
		av := toAuctionView(d.Auction, d.HighestBidder, now)
		if reserve := d.ReservePriceFor(viewerID); reserve > 0 {
			av.ReservePrice = &reserve
		}
		v.Auction = &av
	}
	return v
}

func toHashtagView(h application.HashtagCount) hashtagView {
	return hashtagView{Name: h.Name, ArtCount: h.ArtCount}
}
