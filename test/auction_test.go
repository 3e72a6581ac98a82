package test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type auctionBody struct {
	ID         int64     `json:"id"`
	Status     string    `json:"status"`
	EndAt      time.Time `json:"end_at"`
	BidCount   int64     `json:"bid_count"`
	MinNextBid int64     `json:"min_next_bid"`
	HighestBid *struct {
		Amount int64 `json:"amount"`
		Bidder struct {
			ID int64 `json:"id"`
		} `json:"bidder"`
	} `json:"highest_bid"`
	Art artBody `json:"art"`
}

// member is a signed-up, logged-in client with charged points.
func (a *app) member(email, nickname string, points int64) (*client, memberBody) {
	c := a.newClient()
	m := c.signUp(email, nickname)
	c.login(email, goodPassword)
	if points > 0 {
		res := c.do(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": points})
		require.Equal(a.t, http.StatusCreated, res.status, "%s", res.body)
	}
	return c, m
}

func (c *client) points() (total, available int64) {
	res := c.do(http.MethodGet, "/api/v1/me", nil)
	require.Equal(c.app.t, http.StatusOK, res.status)
	var me memberBody
	res.decode(c.app.t, &me)
	return me.Points.Total, me.Points.Available
}

func (c *client) listAuction(name string, price int64, endAt time.Time, extra map[string][]string) artBody {
	t := c.app.t
	t.Helper()
	fields := map[string][]string{
		"name": {name}, "description": {"An auction of " + name + "."}, "type": {"auction"},
		"price": {fmt.Sprint(price)}, "hashtags": {"auction"}, "end_at": {endAt.UTC().Format(time.RFC3339)},
	}
	for k, v := range extra {
		fields[k] = v
	}
	res := c.uploadArt(fields, "lot.png", pngImage(t, 32, 32))
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var a artBody
	res.decode(t, &a)
	require.NotNil(t, a.Auction)
	return a
}

func (c *client) auction(id int64) auctionBody {
	res := c.do(http.MethodGet, "/api/v1/auctions/"+itoa(id), nil)
	require.Equal(c.app.t, http.StatusOK, res.status, "%s", res.body)
	var au auctionBody
	res.decode(c.app.t, &au)
	return au
}

func (c *client) bid(auctionID, amount int64) response {
	return c.do(http.MethodPost, "/api/v1/auctions/"+itoa(auctionID)+"/bids", map[string]int64{"amount": amount})
}

func ledgerTypes(c *client) []string {
	res := c.do(http.MethodGet, "/api/v1/me/points/history", nil)
	require.Equal(c.app.t, http.StatusOK, res.status)
	var page struct {
		Items []struct {
			Type string `json:"type"`
		} `json:"items"`
	}
	res.decode(c.app.t, &page)
	var types []string
	for _, e := range page.Items {
		types = append(types, e.Type)
	}
	return types
}

func myBidStatus(c *client, auctionID int64) string {
	res := c.do(http.MethodGet, "/api/v1/me/bids", nil)
	require.Equal(c.app.t, http.StatusOK, res.status, "%s", res.body)
	var page struct {
		Items []struct {
			AuctionID int64  `json:"auction_id"`
			Status    string `json:"status"`
		} `json:"items"`
	}
	res.decode(c.app.t, &page)
	for _, item := range page.Items {
		if item.AuctionID == auctionID {
			return item.Status
		}
	}
	return ""
}

func TestFullAuctionOverHTTP(t *testing.T) {
	t.Parallel()
	a := startApp(t, withEnv(map[string]string{"AUCTION_CLOSE_INTERVAL": "200ms", "AUCTION_EXTEND_WINDOW": "3s"}))
	artist, _ := a.member("seller@example.com", "seller", 0)
	bob, _ := a.member("bob@example.com", "bob", 50000)
	carol, _ := a.member("carol@example.com", "carol", 50000)

	lot := artist.listAuction("Harbour at night", 10000, time.Now().Add(5*time.Second), map[string][]string{"bid_increment": {"1000"}})
	auctionID := lot.Auction.ID
	assert.Equal(t, http.StatusForbidden, artist.bid(auctionID, 10000).status, "own auction")

	res := bob.bid(auctionID, 10000)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	res = carol.bid(auctionID, 10500)
	require.Equal(t, http.StatusUnprocessableEntity, res.status)
	var tooLow struct {
		Code       string `json:"code"`
		MinNextBid int64  `json:"min_next_bid"`
	}
	res.decode(t, &tooLow)
	assert.Equal(t, "BID_TOO_LOW", tooLow.Code)
	assert.Equal(t, int64(11000), tooLow.MinNextBid)

	res = carol.bid(auctionID, 11000)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	assert.Equal(t, "ALREADY_HIGHEST_BIDDER", carol.bid(auctionID, 12000).problemCode(t))
	_, bobAvailable := bob.points()
	assert.Equal(t, int64(50000), bobAvailable, "the outbid leader's hold is released")
	_, carolAvailable := carol.points()
	assert.Equal(t, int64(39000), carolAvailable, "the leader's bid is held")
	assert.Equal(t, "outbid", myBidStatus(bob, auctionID))
	assert.Equal(t, "leading", myBidStatus(carol, auctionID))

	// A bid in the last 3 seconds moves the end to 3 seconds after it.
	before := artist.auction(auctionID).EndAt
	time.Sleep(time.Until(before.Add(-2500 * time.Millisecond)))
	res = bob.bid(auctionID, 12000)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	extended := artist.auction(auctionID)
	assert.True(t, extended.EndAt.After(before), "soft close extended %s to %s", before, extended.EndAt)

	res = a.newClient().do(http.MethodGet, "/api/v1/auctions/"+itoa(auctionID)+"/bids", nil)
	require.Equal(t, http.StatusOK, res.status)
	var history struct {
		Items []struct {
			Amount int64 `json:"amount"`
		} `json:"items"`
	}
	res.decode(t, &history)
	require.Len(t, history.Items, 3)
	assert.Equal(t, int64(12000), history.Items[0].Amount, "newest first")

	require.Eventually(t, func() bool { return artist.auction(auctionID).Status == "closed" }, 15*time.Second, 100*time.Millisecond)
	closed := artist.auction(auctionID)
	assert.Equal(t, "sold", closed.Art.Status)
	require.NotNil(t, closed.HighestBid)
	assert.Equal(t, int64(12000), closed.HighestBid.Amount)

	bobTotal, bobAvailable := bob.points()
	assert.Equal(t, [2]int64{38000, 38000}, [2]int64{bobTotal, bobAvailable}, "the winner paid with the hold")
	carolTotal, carolAvailable := carol.points()
	assert.Equal(t, [2]int64{50000, 50000}, [2]int64{carolTotal, carolAvailable})
	artistTotal, artistAvailable := artist.points()
	assert.Equal(t, [2]int64{12000, 12000}, [2]int64{artistTotal, artistAvailable})
	assert.Equal(t, []string{"PURCHASE", "CHARGE"}, ledgerTypes(bob))
	assert.Equal(t, []string{"SALE"}, ledgerTypes(artist))
	assert.Equal(t, "won", myBidStatus(bob, auctionID))
	assert.Equal(t, "lost", myBidStatus(carol, auctionID))
	assert.Equal(t, http.StatusConflict, carol.bid(auctionID, 20000).status, "no bid after the close")

	res = bob.do(http.MethodGet, "/api/v1/me/purchases", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, string(res.body), `"kind":"auction"`)
	res = artist.do(http.MethodGet, "/api/v1/me/sales", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, string(res.body), `"price":12000`)

	waitForSubject(t, a, "carol@example.com", "You have been outbid")
	waitForSubject(t, a, "bob@example.com", "You have been outbid")
	waitForSubject(t, a, "bob@example.com", "You won the auction")
	waitForSubject(t, a, "seller@example.com", "Your art was sold")
}

func waitForSubject(t *testing.T, a *app, to, subject string) {
	t.Helper()
	require.Eventually(t, func() bool {
		for _, m := range a.mail.Messages() {
			if len(m.To) == 1 && m.To[0] == to && m.Subject == subject {
				return true
			}
		}
		return false
	}, 10*time.Second, 20*time.Millisecond, "no %q mail to %s", subject, to)
}

func TestBuyNowAndGeneralPurchase(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	artist, _ := a.member("maker@example.com", "maker", 0)
	dave, _ := a.member("dave@example.com", "dave", 100000)
	erin, _ := a.member("erin@example.com", "erin", 100000)
	poor, _ := a.member("poor@example.com", "poor", 1000)

	lot := artist.listAuction("Vase", 10000, time.Now().Add(time.Hour), map[string][]string{"buy_now_price": {"30000"}})
	auctionID := lot.Auction.ID
	require.Equal(t, http.StatusCreated, dave.bid(auctionID, 15000).status)
	assert.Equal(t, "USE_BUY_NOW", erin.bid(auctionID, 30000).problemCode(t))
	assert.Equal(t, "OWN_AUCTION", artist.do(http.MethodPost, "/api/v1/auctions/"+itoa(auctionID)+"/buy-now", nil).problemCode(t))
	res := erin.do(http.MethodPost, "/api/v1/auctions/"+itoa(auctionID)+"/buy-now", nil)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	assert.Contains(t, string(res.body), `"kind":"buy_now"`)
	assert.Equal(t, "bought_out", artist.auction(auctionID).Status)
	_, daveAvailable := dave.points()
	assert.Equal(t, int64(100000), daveAvailable, "the outbid leader's hold is released")
	erinTotal, erinAvailable := erin.points()
	assert.Equal(t, [2]int64{70000, 70000}, [2]int64{erinTotal, erinAvailable})
	assert.Equal(t, "AUCTION_NOT_OPEN", dave.bid(auctionID, 20000).problemCode(t))
	assert.Equal(t, "lost", myBidStatus(dave, auctionID))

	noBuyNow := artist.listAuction("Sketch", 5000, time.Now().Add(time.Hour), nil)
	assert.Equal(t, "BUY_NOW_UNAVAILABLE", dave.do(http.MethodPost, "/api/v1/auctions/"+itoa(noBuyNow.Auction.ID)+"/buy-now", nil).problemCode(t))
	assert.Equal(t, "NOT_FOR_DIRECT_SALE", dave.do(http.MethodPost, "/api/v1/arts/"+itoa(noBuyNow.ID)+"/purchase", nil).problemCode(t))
	assert.Equal(t, "AUCTION_NOT_FOUND", dave.bid(999999, 5000).problemCode(t))

	general := artist.createArt(generalFields("Teacup", 20000, "cup"))
	purchasePath := "/api/v1/arts/" + itoa(general.ID) + "/purchase"
	assert.Equal(t, "OWN_ART", artist.do(http.MethodPost, purchasePath, nil).problemCode(t))
	assert.Equal(t, "INSUFFICIENT_POINTS", poor.do(http.MethodPost, purchasePath, nil).problemCode(t))
	res = dave.do(http.MethodPost, purchasePath, nil)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	assert.Contains(t, string(res.body), `"kind":"general"`)
	assert.Equal(t, "ART_SOLD", erin.do(http.MethodPost, purchasePath, nil).problemCode(t))
	res = erin.do(http.MethodGet, "/api/v1/arts/"+itoa(general.ID), nil)
	require.Equal(t, http.StatusOK, res.status)
	var sold struct {
		Status    string `json:"status"`
		SoldPrice int64  `json:"sold_price"`
		Buyer     struct {
			Nickname string `json:"nickname"`
		} `json:"buyer"`
	}
	res.decode(t, &sold)
	assert.Equal(t, "sold", sold.Status)
	assert.Equal(t, int64(20000), sold.SoldPrice)
	assert.Equal(t, "dave", sold.Buyer.Nickname)
	daveTotal, _ := dave.points()
	assert.Equal(t, int64(80000), daveTotal)
	artistTotal, _ := artist.points()
	assert.Equal(t, int64(50000), artistTotal, "30000 from buy-now and 20000 from the teacup")
	waitForSubject(t, a, "dave@example.com", "Purchase confirmed")
}
