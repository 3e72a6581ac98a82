package httpapi

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/application"
)

// TradeUseCases are the auction and purchase use cases the REST adapter serves.
type TradeUseCases struct {
	PlaceBid    *application.PlaceBid
	BuyNow      *application.BuyNow
	PurchaseArt *application.PurchaseArt
	GetAuction  *application.GetAuction
	AuctionBids *application.ListAuctionBids
	MyBids      *application.ListMyBids
	MyPurchases *application.ListMyPurchases
	MySales     *application.ListMySales
	Clock       application.Clock
	// Idempotent replays a retried bid, buy-now or purchase (Idempotency-Key).
	Idempotent *application.RunIdempotent
}

type tradeHandlers struct {
	uc           TradeUseCases
	authenticate *application.Authenticate
}

func (h tradeHandlers) register(api *echo.Group) {
	member := requireMember(h.authenticate)
	once := idempotent(h.uc.Idempotent)
	api.GET("/auctions/:id", h.auction)
	api.POST("/auctions/:id/bids", h.bid, member, once)
	api.GET("/auctions/:id/bids", h.bids)
	api.POST("/auctions/:id/buy-now", h.buyNow, member, once)
	api.POST("/arts/:id/purchase", h.purchase, member, once)
	api.GET("/me/bids", h.myBids, member)
	api.GET("/me/purchases", h.myPurchases, member)
	api.GET("/me/sales", h.mySales, member)
}

func (h tradeHandlers) auction(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.uc.GetAuction.Execute(c.Request().Context(), id)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toAuctionWithArtView(d, h.uc.Clock.Now()))
}

func (h tradeHandlers) bid(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	amount, err := decodeAmount(c)
	if err != nil {
		return err
	}
	placed, err := h.uc.PlaceBid.Execute(c.Request().Context(), application.PlaceBidCommand{
		AuctionID: id, BidderID: principal(c).MemberID, Amount: amount,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, placedBidView{
		Bid: bidView{ID: placed.BidID, AuctionID: id, Amount: placed.Amount, BidderID: placed.BidderID,
			CreatedAt: placed.CreatedAt.UTC()},
		Auction: toAuctionWithArtView(placed.Auction, h.uc.Clock.Now()),
	})
}

func (h tradeHandlers) bids(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	bids, err := h.uc.AuctionBids.Execute(c.Request().Context(), id, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPageView(bids, toBidEntryView))
}

func (h tradeHandlers) buyNow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.uc.BuyNow.Execute(c.Request().Context(), id, principal(c).MemberID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toPurchaseView(p))
}

func (h tradeHandlers) purchase(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.uc.PurchaseArt.Execute(c.Request().Context(), id, principal(c).MemberID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, toPurchaseView(p))
}

func (h tradeHandlers) myBids(c echo.Context) error {
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	me := principal(c).MemberID
	bids, err := h.uc.MyBids.Execute(c.Request().Context(), me, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPageView(bids, toMyBidView(me)))
}

func (h tradeHandlers) myPurchases(c echo.Context) error {
	return h.tradeList(c, h.uc.MyPurchases.Execute)
}

func (h tradeHandlers) mySales(c echo.Context) error {
	return h.tradeList(c, h.uc.MySales.Execute)
}

type tradeLister func(ctx context.Context, memberID int64, page application.PageRequest) (application.Page[application.PurchaseView], error)

func (h tradeHandlers) tradeList(c echo.Context, list tradeLister) error {
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	items, err := list(c.Request().Context(), principal(c).MemberID, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPageView(items, toPurchaseView))
}
