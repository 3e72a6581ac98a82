package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var hotTerms = auctionTerms{ID: 1, StartPrice: 1000, Increment: 1}

func bidOp(client int, bidder, amount, call, ret int64, out outcome) porcupine.Operation {
	return porcupine.Operation{ClientId: client, Input: bidInput{Auction: hotTerms, Bidder: bidder, Amount: amount},
		Call: call, Output: out, Return: ret}
}

func TestModelAcceptsALegalHistory(t *testing.T) {
	t.Parallel()
	history := []porcupine.Operation{
		bidOp(0, 10, 1000, 0, 10, outcome{}),
		// Concurrent with the first bid and decided after it.
		bidOp(1, 11, 1000, 5, 15, outcome{Code: codeBidTooLow, MinNextBid: 1001}),
		bidOp(0, 10, 1001, 20, 30, outcome{Code: "ALREADY_HIGHEST_BIDDER"}),
		bidOp(1, 11, 1001, 20, 30, outcome{}),
		bidOp(2, 12, 1001, 25, 40, outcome{Code: codeLockUnavailable}),
		// No answer: it may have been accepted, and it was.
		bidOp(2, 12, 1005, 45, 1<<62, outcome{Unknown: true}),
		bidOp(0, 10, 1002, 55, 60, outcome{Code: codeBidTooLow, MinNextBid: 1006}),
	}
	assert.True(t, porcupine.CheckOperations(auctionModel(), history))
}

// A rejected too-low bid must not exceed the state: 1002 was refused as too
// low although the highest bid, when it was decided, was 1000.
func TestModelReportsATooLowBidAboveTheState(t *testing.T) {
	t.Parallel()
	history := []porcupine.Operation{
		bidOp(0, 10, 1000, 0, 10, outcome{}),
		bidOp(1, 11, 1002, 20, 30, outcome{Code: codeBidTooLow}),
		bidOp(1, 11, 1001, 40, 50, outcome{}),
	}
	assert.False(t, porcupine.CheckOperations(auctionModel(), history))
}

// An accepted bid must exceed the state: two bids of 1000, one after the
// other, cannot both be accepted.
func TestModelReportsALostUpdate(t *testing.T) {
	t.Parallel()
	history := []porcupine.Operation{
		bidOp(0, 10, 1000, 0, 10, outcome{}),
		bidOp(1, 11, 1000, 20, 30, outcome{}),
	}
	dir := t.TempDir()
	html := filepath.Join(dir, "violation.html")
	err := checkLinearizable(history, time.Minute, html)
	require.ErrorContains(t, err, "NOT linearizable")
	info, statErr := os.Stat(html)
	require.NoError(t, statErr, "the visualization is written")
	assert.Positive(t, info.Size())
}

func TestModelPinsATooLowBidToTheHighestItSaw(t *testing.T) {
	t.Parallel()
	history := []porcupine.Operation{
		bidOp(0, 10, 1000, 0, 10, outcome{}),
		// Refused as too low, it said the auction takes 1005: no state ever
		// had that.
		bidOp(1, 11, 1000, 20, 30, outcome{Code: codeBidTooLow, MinNextBid: 1005}),
	}
	assert.False(t, porcupine.CheckOperations(auctionModel(), history))
}

func TestModelClosesOnBuyNow(t *testing.T) {
	t.Parallel()
	terms := auctionTerms{ID: 2, StartPrice: 1000, Increment: 1, BuyNow: 5000}
	bid := func(bidder, amount, call, ret int64, out outcome) porcupine.Operation {
		return porcupine.Operation{Input: bidInput{Auction: terms, Bidder: bidder, Amount: amount}, Call: call, Output: out, Return: ret}
	}
	buy := porcupine.Operation{Input: buyNowInput{Auction: terms, Buyer: 12}, Call: 10, Output: outcome{}, Return: 20}
	legal := []porcupine.Operation{
		bid(10, 1000, 0, 5, outcome{}), buy,
		bid(11, 1001, 30, 40, outcome{Code: "AUCTION_NOT_OPEN"}),
	}
	assert.True(t, porcupine.CheckOperations(auctionModel(), legal))
	illegal := []porcupine.Operation{
		bid(10, 1000, 0, 5, outcome{}), buy,
		bid(11, 1001, 30, 40, outcome{}),
	}
	assert.False(t, porcupine.CheckOperations(auctionModel(), illegal))
}

// An accepted bid's answer says whether the reserve is met as the bid
// leaves it; buy-now ignores the reserve.
func TestModelKnowsTheReserve(t *testing.T) {
	t.Parallel()
	terms := auctionTerms{ID: 3, StartPrice: 1000, Increment: 1, BuyNow: 5000, Reserve: 1002}
	bid := func(bidder, amount, call, ret int64, out outcome) porcupine.Operation {
		return porcupine.Operation{Input: bidInput{Auction: terms, Bidder: bidder, Amount: amount}, Call: call, Output: out, Return: ret}
	}
	legal := []porcupine.Operation{
		bid(10, 1000, 0, 5, outcome{Reserve: reserveUnmet}),
		bid(11, 1002, 10, 15, outcome{Reserve: reserveMet}),
		// A history recorded without the reserve says nothing of it.
		bid(10, 1003, 20, 25, outcome{}),
		{Input: buyNowInput{Auction: terms, Buyer: 12}, Call: 30, Output: outcome{}, Return: 35},
	}
	assert.True(t, porcupine.CheckOperations(auctionModel(), legal))

	for _, wrong := range []outcome{{Reserve: reserveMet}, {Reserve: reserveNone}} {
		history := []porcupine.Operation{bid(10, 1001, 0, 5, wrong)}
		assert.False(t, porcupine.CheckOperations(auctionModel(), history), "1001 is below the reserve, not %s", wrong.Reserve)
	}
	noReserve := auctionTerms{ID: 4, StartPrice: 1000, Increment: 1}
	op := porcupine.Operation{Input: bidInput{Auction: noReserve, Bidder: 10, Amount: 5000}, Output: outcome{Reserve: reserveUnmet}, Return: 5}
	assert.False(t, porcupine.CheckOperations(auctionModel(), []porcupine.Operation{op}), "no reserve answers null")
	refused := porcupine.Operation{Input: buyNowInput{Auction: terms, Buyer: 12}, Call: 0, Output: outcome{Code: "BUY_NOW_UNAVAILABLE"}, Return: 5}
	assert.False(t, porcupine.CheckOperations(auctionModel(), []porcupine.Operation{refused}), "buy-now below the reserve is still open")
}

// A hot run's history: many bidders, long overlaps, tens of thousands of
// operations in one partition, checked well within the run's timeout.
func TestModelChecksAHotHistoryQuickly(t *testing.T) {
	t.Parallel()
	history := simulateHotAuction(64, 20000)
	start := time.Now()
	require.NoError(t, checkLinearizable(history, time.Minute, filepath.Join(t.TempDir(), "x.html")))
	t.Logf("%d operations checked in %s", len(history), time.Since(start))
}

// simulateHotAuction runs bidders against a real max-register, each bid
// taking effect at a random moment between its call and its answer.
func simulateHotAuction(bidders, ops int) []porcupine.Operation {
	rng := rand.New(rand.NewPCG(1, 2))
	type pending struct {
		op      porcupine.Operation
		decided bool
	}
	state := auctionState{}
	next := make([]int64, bidders)
	open := make([]*pending, bidders)
	decide := func(c int) {
		p := open[c]
		in := p.op.Input.(bidInput)
		code, after := state.bid(in)
		out := outcome{Code: code}
		switch code {
		case codeBidTooLow:
			out.MinNextBid = state.minNextBid(hotTerms)
			next[c] = out.MinNextBid
		case "":
			next[c] = in.Amount + hotTerms.Increment
		}
		state, p.op.Output, p.decided = after, out, true
	}
	var history []porcupine.Operation
	now := int64(1)
	for ; len(history) < ops; now++ {
		c := rng.IntN(bidders)
		switch p := open[c]; {
		case p == nil:
			in := bidInput{Auction: hotTerms, Bidder: int64(c + 1), Amount: max(next[c], hotTerms.StartPrice)}
			open[c] = &pending{op: porcupine.Operation{ClientId: c, Input: in, Call: now}}
		case !p.decided:
			decide(c)
		default:
			p.op.Return = now
			history = append(history, p.op)
			open[c] = nil
		}
	}
	// Every bid gets its answer: a history holds only finished operations.
	for c, p := range open {
		if p == nil {
			continue
		}
		if !p.decided {
			decide(c)
		}
		p.op.Return = now
		history = append(history, p.op)
	}
	return history
}

// A hot history with one refusal turned into an acceptance, as a lost
// update would answer: the check must fail.
func TestModelFindsALostUpdateInAHotHistory(t *testing.T) {
	t.Parallel()
	history := simulateHotAuction(16, 1000)
	for i := len(history) / 2; i < len(history); i++ {
		if out := history[i].Output.(outcome); out.Code == codeBidTooLow {
			history[i].Output = outcome{}
			break
		}
	}
	err := checkLinearizable(history, time.Minute, filepath.Join(t.TempDir(), "lost-update.html"))
	require.ErrorContains(t, err, "NOT linearizable")
}
