// Package notification holds what members find in their inbox: the kinds of
// notification, who is told what when a trade, a close or a listing happens
// (docs/rules.md, Notifications), and a notification as it is kept.
package notification

import (
	"errors"
	"fmt"
	"time"
)

// ErrNotFound is a notification that does not exist or belongs to another member.
var ErrNotFound = errors.New("notification not found")

// Kind is what a notification tells.
type Kind string

// The kinds of the OpenAPI document.
const (
	KindOutbid        Kind = "outbid"
	KindAuctionWon    Kind = "auction_won"
	KindAuctionLost   Kind = "auction_lost"
	KindArtSold       Kind = "art_sold"
	KindAuctionFailed Kind = "auction_failed"
	KindNewWork       Kind = "new_work"
)

// ParseKind reads a stored kind.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case KindOutbid, KindAuctionWon, KindAuctionLost, KindArtSold, KindAuctionFailed, KindNewWork:
		return k, nil
	}
	return "", fmt.Errorf("unknown notification kind %q", s)
}

// Draft is a notification to make: to whom, of which kind, about which art
// (and auction), for how much and because of whom. Zero means none.
type Draft struct {
	memberID  int64
	kind      Kind
	artID     int64
	auctionID int64
	amount    int64
	actorID   int64
}

func (d Draft) MemberID() int64  { return d.memberID }
func (d Draft) Kind() Kind       { return d.kind }
func (d Draft) ArtID() int64     { return d.artID }
func (d Draft) AuctionID() int64 { return d.auctionID }
func (d Draft) Amount() int64    { return d.amount }
func (d Draft) ActorID() int64   { return d.actorID }

// Losers stands for the auction_lost notifications of an ended auction: one
// to every member with an accepted bid on it but its buyer, once each. Who
// bid is known to storage, which makes them in the write of the end itself.
type Losers struct {
	auctionID int64
	artID     int64
	// buyerID is 0 and price 0 when the auction ended without a sale.
	buyerID int64
	price   int64
}

func (l Losers) AuctionID() int64 { return l.auctionID }
func (l Losers) ArtID() int64     { return l.artID }
func (l Losers) BuyerID() int64   { return l.buyerID }
func (l Losers) Price() int64     { return l.price }

// Set is everything one change tells members.
type Set struct {
	drafts []Draft
	losers *Losers
}

// Drafts are the notifications to named members.
func (s Set) Drafts() []Draft { return s.drafts }

// Losers are the auction_lost notifications, when the change ended an auction
// that had bids.
func (s Set) Losers() (Losers, bool) {
	if s.losers == nil {
		return Losers{}, false
	}
	return *s.losers, true
}

// Empty tells a change that tells nobody anything.
func (s Set) Empty() bool { return len(s.drafts) == 0 && s.losers == nil }

// BidPlaced: the leader a bid passed is told outbid, with the new highest
// amount; a first bid tells nobody.
func BidPlaced(artID, auctionID, amount, previousLeaderID int64) Set {
	if previousLeaderID == 0 {
		return Set{}
	}
	return Set{drafts: []Draft{{memberID: previousLeaderID, kind: KindOutbid, artID: artID, auctionID: auctionID, amount: amount}}}
}

// AuctionSold: an auction ended with a sale, at its close or by buy-now. The
// buyer is told auction_won and the seller art_sold, both with the price; every
// other member who bid is told auction_lost with it. A buy-now tells nobody
// outbid: the auction ended instead.
func AuctionSold(artID, auctionID, sellerID, buyerID, price int64) Set {
	return Set{
		drafts: []Draft{
			{memberID: buyerID, kind: KindAuctionWon, artID: artID, auctionID: auctionID, amount: price},
			artSold(artID, auctionID, sellerID, buyerID, price),
		},
		losers: &Losers{auctionID: auctionID, artID: artID, buyerID: buyerID, price: price},
	}
}

// AuctionFailed: an auction ended without a sale, with no bid or below its
// reserve. The seller is told auction_failed; every member who bid is told
// auction_lost, without an amount as nothing sold.
func AuctionFailed(artID, auctionID, sellerID int64, hadBids bool) Set {
	s := Set{drafts: []Draft{{memberID: sellerID, kind: KindAuctionFailed, artID: artID, auctionID: auctionID}}}
	if hadBids {
		s.losers = &Losers{auctionID: auctionID, artID: artID}
	}
	return s
}

// ArtPurchased: a general art was bought outright; its seller is told
// art_sold. The buyer, who just bought it, is told nothing.
func ArtPurchased(artID, sellerID, buyerID, price int64) Set {
	return Set{drafts: []Draft{artSold(artID, 0, sellerID, buyerID, price)}}
}

func artSold(artID, auctionID, sellerID, buyerID, price int64) Draft {
	return Draft{memberID: sellerID, kind: KindArtSold, artID: artID, auctionID: auctionID, amount: price, actorID: buyerID}
}

// WorkListed: each follower of an artist who lists a work is told new_work,
// the artist as its actor.
func WorkListed(artID, artistID int64, followerIDs []int64) Set {
	drafts := make([]Draft, len(followerIDs))
	for i, id := range followerIDs {
		drafts[i] = Draft{memberID: id, kind: KindNewWork, artID: artID, actorID: artistID}
	}
	return Set{drafts: drafts}
}

// Actor is the member a notification is about (the buyer, the artist).
type Actor struct {
	ID       int64
	Nickname string
}

// Notification is one notification in a member's inbox.
type Notification struct {
	id        int64
	memberID  int64
	seq       int64
	kind      Kind
	artID     int64
	auctionID int64
	amount    int64
	actor     *Actor
	read      bool
	createdAt time.Time
}

// Record is a notification as storage keeps it; zero AuctionID and Amount and
// a nil Actor mean none.
type Record struct {
	ID       int64
	MemberID int64
	// Seq is the notification's place in its member's inbox: 1 for the first.
	// Ids grow with it, member by member.
	Seq       int64
	Kind      Kind
	ArtID     int64
	AuctionID int64
	Amount    int64
	Actor     *Actor
	Read      bool
	CreatedAt time.Time
}

// Restore rebuilds a notification read from storage.
func Restore(r Record) Notification {
	n := Notification{id: r.ID, memberID: r.MemberID, seq: r.Seq, kind: r.Kind, artID: r.ArtID, auctionID: r.AuctionID,
		amount: r.Amount, read: r.Read, createdAt: r.CreatedAt}
	if r.Actor != nil {
		actor := *r.Actor
		n.actor = &actor
	}
	return n
}

func (n Notification) ID() int64            { return n.id }
func (n Notification) MemberID() int64      { return n.memberID }
func (n Notification) Seq() int64           { return n.seq }
func (n Notification) Kind() Kind           { return n.kind }
func (n Notification) ArtID() int64         { return n.artID }
func (n Notification) AuctionID() int64     { return n.auctionID }
func (n Notification) Amount() int64        { return n.amount }
func (n Notification) Read() bool           { return n.read }
func (n Notification) CreatedAt() time.Time { return n.createdAt }

// Actor is the member the notification is about; false when none.
func (n Notification) Actor() (Actor, bool) {
	if n.actor == nil {
		return Actor{}, false
	}
	return *n.actor, true
}
