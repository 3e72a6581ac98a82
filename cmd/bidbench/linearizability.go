package main

import (
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/anishathalye/porcupine"
)

// Codes the model does not decide: LOCK_UNAVAILABLE may come in any state
// and changes nothing; INSUFFICIENT_POINTS depends on balances the model does
// not keep, so it is allowed wherever the bid or buy-now would otherwise have
// gone through, and changes nothing either.
const (
	codeBidTooLow          = "BID_TOO_LOW"
	codeLockUnavailable    = "LOCK_UNAVAILABLE"
	codeInsufficientPoints = "INSUFFICIENT_POINTS"
)

// auctionState is the model of one auction: a max-register of the highest
// bid, who holds it, and whether buy-now has closed the auction.
type auctionState struct {
	Highest int64
	Leader  int64
	Closed  bool
}

// What an accepted bid's answer says of the auction's reserve: reserve_met
// null, false or true.
const (
	reserveNone  = "none"
	reserveUnmet = "unmet"
	reserveMet   = "met"
)

// reserveAfter is what an accepted bid of amount must say of the reserve:
// it is the highest bid then.
func reserveAfter(t auctionTerms, amount int64) string {
	switch {
	case t.Reserve == 0:
		return reserveNone
	case amount >= t.Reserve:
		return reserveMet
	}
	return reserveUnmet
}

// minNextBid is the least bid the auction takes in state s.
func (s auctionState) minNextBid(t auctionTerms) int64 {
	if s.Highest == 0 {
		return t.StartPrice
	}
	return s.Highest + t.Increment
}

// bid is what the rules of docs/rules.md answer to in from state s, in
// their order, and the state after.
func (s auctionState) bid(in bidInput) (code string, after auctionState) {
	switch {
	case s.Closed:
		return "AUCTION_NOT_OPEN", s
	case s.Leader == in.Bidder:
		return "ALREADY_HIGHEST_BIDDER", s
	case in.Amount < s.minNextBid(in.Auction):
		return codeBidTooLow, s
	case in.Auction.BuyNow > 0 && in.Amount >= in.Auction.BuyNow:
		return "USE_BUY_NOW", s
	}
	return "", auctionState{Highest: in.Amount, Leader: in.Bidder}
}

func (s auctionState) buyNow(in buyNowInput) (code string, after auctionState) {
	switch {
	case s.Closed:
		return "AUCTION_NOT_OPEN", s
	case in.Auction.BuyNow == 0 || s.Highest >= in.Auction.BuyNow:
		return "BUY_NOW_UNAVAILABLE", s
	}
	return "", auctionState{Highest: s.Highest, Leader: in.Buyer, Closed: true}
}

// step gives the states the auction may be in after an operation answered
// out, from state s; none means the answer is impossible from s.
func step(s auctionState, input any, out outcome) []any {
	var code string
	var after auctionState
	bid, isBid := input.(bidInput)
	switch in := input.(type) {
	case bidInput:
		code, after = s.bid(in)
	case buyNowInput:
		code, after = s.buyNow(in)
	default:
		return nil
	}
	switch {
	case out.Unknown && code == "":
		return []any{s, after}
	case out.Unknown, out.Code == codeLockUnavailable:
		return []any{s}
	case out.Code == codeInsufficientPoints && code == "":
		return []any{s}
	case out.Code != code:
		return nil
	case code == codeBidTooLow && out.MinNextBid != 0 && out.MinNextBid != s.minNextBid(bid.Auction):
		// Too low, but against another highest bid than this state's.
		return nil
	case code == "" && isBid && out.Reserve != "" && out.Reserve != reserveAfter(bid.Auction, bid.Amount):
		// Accepted, but the answer misjudged the reserve.
		return nil
	}
	return []any{after}
}

// auctionModel checks histories of bids and buy-nows, one auction at a time.
func auctionModel() porcupine.Model {
	nm := porcupine.NondeterministicModel{
		Partition: partitionByAuction,
		Init:      func() []any { return []any{auctionState{}} },
		Step: func(state, input, output any) []any {
			s, ok := state.(auctionState)
			out, okOut := output.(outcome)
			if !ok || !okOut {
				return nil
			}
			return step(s, input, out)
		},
		DescribeOperation: describeOperation,
		DescribeState: func(state any) string {
			s, _ := state.(auctionState)
			if s.Closed {
				return fmt.Sprintf("bought out by %d", s.Leader)
			}
			return fmt.Sprintf("highest %d by %d", s.Highest, s.Leader)
		},
	}
	return nm.ToModel()
}

func auctionOf(input any) int64 {
	switch in := input.(type) {
	case bidInput:
		return in.Auction.ID
	case buyNowInput:
		return in.Auction.ID
	}
	return 0
}

func partitionByAuction(history []porcupine.Operation) [][]porcupine.Operation {
	index := map[int64]int{}
	var parts [][]porcupine.Operation
	for _, op := range history {
		id := auctionOf(op.Input)
		i, ok := index[id]
		if !ok {
			i = len(parts)
			index[id] = i
			parts = append(parts, nil)
		}
		parts[i] = append(parts[i], op)
	}
	return parts
}

func describeOperation(input, output any) string {
	out, _ := output.(outcome)
	answer := "accepted"
	switch {
	case out.Unknown:
		answer = "no answer"
	case out.Code != "":
		answer = out.Code
	case out.Reserve != "":
		answer += ", reserve " + out.Reserve
	}
	switch in := input.(type) {
	case bidInput:
		return fmt.Sprintf("bid(%d by %d) -> %s", in.Amount, in.Bidder, answer)
	case buyNowInput:
		return fmt.Sprintf("buyNow(by %d) -> %s", in.Buyer, answer)
	}
	return "?"
}

// checkLinearizable checks a history against the model. A violation, or a
// check that could not decide within timeout, is an error; on a violation
// porcupine's visualization is written to htmlPath.
func checkLinearizable(history []porcupine.Operation, timeout time.Duration, htmlPath string) error {
	model := auctionModel()
	history = callsAfterObservers(history)
	result, info := porcupine.CheckOperationsVerbose(model, history, timeout)
	switch result {
	case porcupine.Ok:
		return nil
	case porcupine.Unknown:
		return fmt.Errorf("linearizability of %d operations not decided within %s", len(history), timeout)
	case porcupine.Illegal:
		// A violation: its visualization is written below.
	}
	file, err := os.Create(htmlPath)
	if err != nil {
		return fmt.Errorf("history of %d operations is NOT linearizable (and its visualization could not be written: %w)", len(history), err)
	}
	defer file.Close()
	if err := porcupine.Visualize(model, info, file); err != nil {
		return fmt.Errorf("history of %d operations is NOT linearizable (and its visualization failed: %w)", len(history), err)
	}
	return fmt.Errorf("history of %d operations is NOT linearizable: see %s", len(history), htmlPath)
}

// callsAfterObservers moves the call of each accepted bid up to the latest
// call of a refusal decided in the state just before it: a BID_TOO_LOW
// answered with that state's least next bid, or an ALREADY_HIGHEST_BIDDER
// from the bidder who led it (after its latest accepted bid). That refusal
// was decided before the accepted bid, so the accepted bid took effect after
// the refusal's call (timestamps are whole nanoseconds, so at least 1 ns after). Every linearization this removes had the refusal see a
// state that no longer held, so the verdict stays the same; the search,
// which tries calls in time order, no longer applies a bid before the
// refusals that precede it, and no longer backtracks over them. A call is
// never moved past its own return.
func callsAfterObservers(history []porcupine.Operation) []porcupine.Operation {
	out := slices.Clone(history)
	chains := acceptedChains(out)
	for _, op := range history {
		in, isBid := op.Input.(bidInput)
		o, _ := op.Output.(outcome)
		if !isBid {
			continue
		}
		chain := chains[in.Auction.ID]
		var highest int64
		switch {
		case o.Code == codeBidTooLow && o.MinNextBid == in.Auction.StartPrice:
			highest = 0
		case o.Code == codeBidTooLow && o.MinNextBid != 0:
			highest = o.MinNextBid - in.Auction.Increment
		case o.Code == "ALREADY_HIGHEST_BIDDER":
			lead, ok := latestAccepted(out, chain, in.Bidder, op.Call)
			if !ok {
				continue
			}
			highest = lead
		default:
			continue
		}
		next, _ := slices.BinarySearchFunc(chain, highest+1, func(a acceptedBid, amount int64) int { return cmpInt(a.amount, amount) })
		if next == len(chain) {
			continue
		}
		target := &out[chain[next].index]
		// Just after: at an equal time the search might try it first.
		target.Call = min(max(target.Call, op.Call+1), target.Return)
	}
	return out
}

// acceptedBid is an accepted bid of a history: its amount and its index.
type acceptedBid struct {
	amount int64
	index  int
}

// acceptedChains are each auction's accepted bids by amount, the order they
// must take effect in.
func acceptedChains(history []porcupine.Operation) map[int64][]acceptedBid {
	chains := map[int64][]acceptedBid{}
	for i, op := range history {
		in, isBid := op.Input.(bidInput)
		o, _ := op.Output.(outcome)
		if isBid && o.Code == "" && !o.Unknown {
			chains[in.Auction.ID] = append(chains[in.Auction.ID], acceptedBid{amount: in.Amount, index: i})
		}
	}
	for id := range chains {
		slices.SortFunc(chains[id], func(a, b acceptedBid) int { return cmpInt(a.amount, b.amount) })
	}
	return chains
}

// latestAccepted is the amount of bidder's last accepted bid in chain that
// had answered before call.
func latestAccepted(history []porcupine.Operation, chain []acceptedBid, bidder, call int64) (int64, bool) {
	for i := len(chain) - 1; i >= 0; i-- {
		op := history[chain[i].index]
		if in, _ := op.Input.(bidInput); in.Bidder == bidder && op.Return <= call {
			return chain[i].amount, true
		}
	}
	return 0, false
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
