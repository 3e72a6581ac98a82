package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
)

// apiClient speaks the REST contract over keep-alive connections, enough of
// them that no bidder waits for a free one.
type apiClient struct {
	http *http.Client
	// keyBids gives every bid its own Idempotency-Key, numbered by keys.
	keyBids bool
	keys    atomic.Int64
}

func newAPIClient(connections int, keyBids bool) *apiClient {
	transport := &http.Transport{
		MaxIdleConns:        connections,
		MaxIdleConnsPerHost: connections,
		IdleConnTimeout:     time.Minute,
		DisableCompression:  true,
	}
	return &apiClient{http: &http.Client{Transport: transport, Timeout: 30 * time.Second}, keyBids: keyBids}
}

func (c *apiClient) close() { c.http.CloseIdleConnections() }

// answer is what one request got back.
type answer struct {
	status int
	// code is the problem document's code for an error status.
	code string
	body []byte
}

// do sends a request; headers are name, value pairs.
func (c *apiClient) do(ctx context.Context, method, url, token string, body any, headers ...string) (answer, error) {
	var reader io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return answer{}, fmt.Errorf("encode request: %w", err)
		}
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, reader)
	if err != nil {
		return answer{}, fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := c.http.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("%s %s: %w", method, url, err)
	}
	defer res.Body.Close()
	a := answer{status: res.StatusCode}
	if a.body, err = io.ReadAll(res.Body); err != nil {
		return answer{}, fmt.Errorf("%s %s: read answer: %w", method, url, err)
	}
	if res.StatusCode >= 400 {
		var problem struct {
			Code string `json:"code"`
		}
		_ = json.Unmarshal(a.body, &problem)
		a.code = problem.Code
	}
	return a, nil
}

// expect decodes a successful answer into dst, or says what came instead.
func (a answer) expect(status int, dst any) error {
	if a.status != status {
		return fmt.Errorf("got %d %s, want %d: %s", a.status, a.code, status, a.body)
	}
	if dst == nil {
		return nil
	}
	if err := json.Unmarshal(a.body, dst); err != nil {
		return fmt.Errorf("decode %d answer: %w", status, err)
	}
	return nil
}

// bidOutcome is a bid's answer as the bidders and the checks need it.
type bidOutcome struct {
	// code is "" for an accepted bid, else the problem code (or the status
	// when a 5xx carried none).
	code  string
	bidID int64
	// minNextBid is the least the auction takes now, from a 201 or a BID_TOO_LOW.
	minNextBid int64
	// reserve is what a 201 says of the reserve (a reserveState).
	reserve string
}

func (c *apiClient) bid(ctx context.Context, base, token string, auctionID, amount int64) (answer, bidOutcome, error) {
	var headers []string
	if c.keyBids {
		headers = []string{"Idempotency-Key", "bidbench-" + strconv.FormatInt(c.keys.Add(1), 10)}
	}
	a, err := c.do(ctx, http.MethodPost, base+"/api/v1/auctions/"+strconv.FormatInt(auctionID, 10)+"/bids", token,
		map[string]int64{"amount": amount}, headers...)
	if err != nil {
		return answer{}, bidOutcome{}, err
	}
	switch {
	case a.status == http.StatusCreated:
		var body struct {
			Bid struct {
				ID     int64 `json:"id"`
				Amount int64 `json:"amount"`
			} `json:"bid"`
			Auction struct {
				MinNextBid   int64  `json:"min_next_bid"`
				ReserveMet   *bool  `json:"reserve_met"`
				ReservePrice *int64 `json:"reserve_price"`
			} `json:"auction"`
		}
		if err := json.Unmarshal(a.body, &body); err != nil {
			return a, bidOutcome{}, fmt.Errorf("decode accepted bid: %w", err)
		}
		if body.Bid.Amount != amount || body.Bid.ID < 1 {
			return a, bidOutcome{}, fmt.Errorf("accepted bid names %+v, not our amount %d", body.Bid, amount)
		}
		if body.Auction.ReservePrice != nil {
			return a, bidOutcome{}, fmt.Errorf("accepted bid on auction %d shows the bidder its reserve", auctionID)
		}
		return a, bidOutcome{bidID: body.Bid.ID, minNextBid: body.Auction.MinNextBid, reserve: reserveState(body.Auction.ReserveMet)}, nil
	case a.code == codeBidTooLow:
		var problem struct {
			MinNextBid int64 `json:"min_next_bid"`
		}
		if err := json.Unmarshal(a.body, &problem); err != nil {
			return a, bidOutcome{}, fmt.Errorf("decode BID_TOO_LOW: %w", err)
		}
		return a, bidOutcome{code: a.code, minNextBid: problem.MinNextBid}, nil
	default:
		return a, bidOutcome{code: errorCode(a)}, nil
	}
}

func (c *apiClient) buyNow(ctx context.Context, base, token string, auctionID int64) (answer, error) {
	return c.do(ctx, http.MethodPost, base+"/api/v1/auctions/"+strconv.FormatInt(auctionID, 10)+"/buy-now", token, nil)
}

func (c *apiClient) listArts(ctx context.Context, base, query string) (answer, error) {
	return c.do(ctx, http.MethodGet, base+"/api/v1/arts?"+query, "", nil)
}

func (c *apiClient) login(ctx context.Context, base, email, password string) (string, error) {
	a, err := c.do(ctx, http.MethodPost, base+"/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	if err != nil {
		return "", err
	}
	var tokens struct {
		AccessToken string `json:"access_token"`
	}
	if err := a.expect(http.StatusOK, &tokens); err != nil {
		return "", fmt.Errorf("log in %s: %w", email, err)
	}
	if tokens.AccessToken == "" {
		return "", errors.New("log in " + email + ": no access token")
	}
	return tokens.AccessToken, nil
}

func (c *apiClient) charge(ctx context.Context, base, token string, amount int64) error {
	a, err := c.do(ctx, http.MethodPost, base+"/api/v1/me/points/charges", token, map[string]int64{"amount": amount})
	if err != nil {
		return err
	}
	if err := a.expect(http.StatusCreated, nil); err != nil {
		return fmt.Errorf("charge %d points: %w", amount, err)
	}
	return nil
}

// reserveState reads reserve_met: null without a reserve.
func reserveState(met *bool) string {
	switch {
	case met == nil:
		return reserveNone
	case *met:
		return reserveMet
	}
	return reserveUnmet
}

// errorCode names an error answer: its problem code, else its status.
func errorCode(a answer) string {
	if a.code != "" {
		return a.code
	}
	return "HTTP_" + strconv.Itoa(a.status)
}
