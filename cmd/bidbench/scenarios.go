package main

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// In the mixed scenario, out of 100 requests: bids, then buy-nows, the rest
// reads of the art list.
const (
	mixedBidShare    = 60
	mixedBuyNowShare = 2
)

// listQueries are the art list reads of the mixed scenario: the pages a
// visitor of a live auction site opens most.
var listQueries = []string{
	"sort=newest&size=20",
	"status=open_auction&sort=ending_soon&size=20",
	"sort=price_desc&size=20",
	"hashtag=bench&sort=bids_desc&size=20",
}

// nextAmounts is the least acceptable bid each auction was last seen to
// take, shared by the bidders of a many-auction scenario.
type nextAmounts struct {
	terms []auctionTerms
	next  []atomic.Int64
}

func newNextAmounts(terms []auctionTerms) *nextAmounts {
	return &nextAmounts{terms: terms, next: make([]atomic.Int64, len(terms))}
}

func (n *nextAmounts) get(i int) int64 { return max(n.next[i].Load(), n.terms[i].StartPrice) }

// raise records a higher least bid; a lower one, from an older answer, is ignored.
func (n *nextAmounts) raise(i int, amount int64) {
	for {
		seen := n.next[i].Load()
		if amount <= seen || n.next[i].CompareAndSwap(seen, amount) {
			return
		}
	}
}

// httpTarget is the service under test as the bidders reach it: bidder w
// sends to urls[w % len(urls)].
type httpTarget struct {
	api     *apiClient
	urls    []string
	bidders []bidder
}

func (t httpTarget) base(worker int) string { return t.urls[worker%len(t.urls)] }

func (t httpTarget) bid(ctx context.Context, worker int, log *opLog, terms auctionTerms, amount int64) int64 {
	in := bidInput{Auction: terms, Bidder: t.bidders[worker].id, Amount: amount}
	start := time.Now()
	a, out, err := t.api.bid(ctx, t.base(worker), t.bidders[worker].token, terms.ID, amount)
	end := time.Now()
	if ctx.Err() != nil && err != nil {
		return 0 // the run was interrupted; not the service's failure
	}
	log.bid(worker, in, start, end, bidResult{code: out.code, bidID: out.bidID, minNextBid: out.minNextBid, status: a.status,
		reserve: out.reserve, err: err})
	return out.minNextBid
}

// bidSender sends one bid as worker, records it in log, and returns the
// least bid the answer asks for next, or 0 when it said nothing about it.
type bidSender interface {
	bid(ctx context.Context, worker int, log *opLog, terms auctionTerms, amount int64) int64
}

// hotStep: every bidder bids on one auction, just above the last highest it
// saw itself.
func hotStep(sender bidSender, bidders int, terms auctionTerms) stepFunc {
	next := make([]int64, bidders)
	return func(ctx context.Context, worker int, log *opLog) {
		amount := max(next[worker], terms.StartPrice)
		if seen := sender.bid(ctx, worker, log, terms, amount); seen > 0 {
			next[worker] = seen
		}
	}
}

// spreadStep: every bid goes to a random auction of many, just above what
// any bidder last saw there.
func spreadStep(sender bidSender, auctions *nextAmounts) stepFunc {
	return func(ctx context.Context, worker int, log *opLog) {
		i := rand.IntN(len(auctions.terms))
		if seen := sender.bid(ctx, worker, log, auctions.terms[i], auctions.get(i)); seen > 0 {
			auctions.raise(i, seen)
		}
	}
}

// mixedStep: bids, buy-nows and art list reads over many auctions.
func (t httpTarget) mixedStep(auctions *nextAmounts) stepFunc {
	bid := spreadStep(t, auctions)
	return func(ctx context.Context, worker int, log *opLog) {
		switch roll := rand.IntN(100); {
		case roll < mixedBidShare:
			bid(ctx, worker, log)
		case roll < mixedBidShare+mixedBuyNowShare:
			terms := auctions.terms[rand.IntN(len(auctions.terms))]
			in := buyNowInput{Auction: terms, Buyer: t.bidders[worker].id}
			start := time.Now()
			a, err := t.api.buyNow(ctx, t.base(worker), t.bidders[worker].token, terms.ID)
			if ctx.Err() != nil && err != nil {
				return
			}
			log.buyNow(worker, in, start, time.Now(), a, err)
		default:
			a, err := t.api.listArts(ctx, t.base(worker), listQueries[rand.IntN(len(listQueries))])
			if ctx.Err() != nil && err != nil {
				return
			}
			log.read(a, err)
		}
	}
}

// step is the scenario's step function over fixture f.
func (t httpTarget) step(scenario string, f fixture) stepFunc {
	switch scenario {
	case scenarioHot:
		return hotStep(t, len(t.bidders), f.hot)
	case scenarioSpread:
		return spreadStep(t, newNextAmounts(f.spread))
	default:
		return t.mixedStep(newNextAmounts(f.mixed))
	}
}
