// Package invariant checks the invariants of docs/rules.md on a
// database, with SQL behind the service's back. The black-box tests and the
// bidbench benchmark both run it after their concurrent runs.
package invariant

import (
	"context"
	"database/sql"
	"fmt"
)

// rule is one invariant: its query lists, in words, the rows that break it.
type rule struct{ name, query string }

// rules each list the rows that break one invariant of docs/rules.md,
// described in words; none may return a row.
var rules = []rule{
	{"auction against its bids: highest = max(bid), leader = last bidder, bid_count = count", `
SELECT format('auction %s: highest %s, leader %s, bid_count %s; bids say max %s, count %s, last bidder %s',
       au.id, au.highest_amount, au.highest_bidder_id, au.bid_count, b.max_amount, b.n, b.last_bidder)
FROM auctions au
CROSS JOIN LATERAL (
    SELECT COALESCE(max(amount), 0) AS max_amount, count(*) AS n,
           (SELECT bidder_id FROM bids WHERE auction_id = au.id ORDER BY id DESC LIMIT 1) AS last_bidder
    FROM bids WHERE auction_id = au.id) b
WHERE au.highest_amount <> b.max_amount OR au.bid_count <> b.n
   OR au.highest_bidder_id IS DISTINCT FROM b.last_bidder`},
	{"bids strictly increasing in id (commit) order, by the rules", `
SELECT format('auction %s: bid %s of %s by member %s at %s follows %s by member %s (start %s, increment %s, buy-now %s, end %s)',
       x.auction_id, x.id, x.amount, x.bidder_id, x.created_at, x.prev_amount, x.prev_bidder,
       au.start_price, au.bid_increment, au.buy_now_price, au.end_at)
FROM (SELECT b.*, lag(amount) OVER w AS prev_amount, lag(bidder_id) OVER w AS prev_bidder
      FROM bids b WINDOW w AS (PARTITION BY auction_id ORDER BY id)) x
JOIN auctions au ON au.id = x.auction_id
WHERE (x.prev_amount IS NOT NULL AND (x.amount < x.prev_amount + au.bid_increment OR x.bidder_id = x.prev_bidder))
   OR (x.prev_amount IS NULL AND x.amount < au.start_price)
   OR (au.buy_now_price IS NOT NULL AND x.amount >= au.buy_now_price)
   OR x.created_at >= au.end_at OR x.created_at < au.start_at`},
	{"art bid_count and current_price follow its auction", `
SELECT format('art %s (%s, %s): bid_count %s, current_price %s; want bid_count %s, current_price %s',
       a.id, a.type, a.status, a.bid_count, a.current_price, COALESCE(au.bid_count, 0), w.want)
FROM arts a
LEFT JOIN auctions au ON au.art_id = a.id
LEFT JOIN purchases p ON p.art_id = a.id
CROSS JOIN LATERAL (SELECT COALESCE(p.price, CASE WHEN au.bid_count > 0 THEN au.highest_amount ELSE a.price END) AS want) w
WHERE a.bid_count <> COALESCE(au.bid_count, 0) OR a.current_price <> w.want
   OR (a.type = 'auction') <> (au.id IS NOT NULL)`},
	{"total - available = highest bids of the open auctions a member leads; no balance below zero", `
SELECT format('member %s: total %s, available %s, but holds %s as leader of open auctions',
       m.id, m.points_total, m.points_available, COALESCE(h.held, 0))
FROM members m
LEFT JOIN (SELECT highest_bidder_id AS id, sum(highest_amount) AS held
           FROM auctions WHERE status = 'open' AND highest_bidder_id IS NOT NULL GROUP BY 1) h ON h.id = m.id
WHERE m.points_total - m.points_available <> COALESCE(h.held, 0)
   OR m.points_available < 0 OR m.points_total < 0 OR m.points_available > m.points_total`},
	{"a member's total = charges - refunds - purchases + sales in the ledger", `
SELECT format('member %s: total %s, ledger nets %s', m.id, m.points_total, COALESCE(l.net, 0))
FROM members m
LEFT JOIN (SELECT member_id, sum(CASE WHEN type IN ('CHARGE', 'SALE') THEN amount ELSE -amount END) AS net
           FROM point_ledger GROUP BY 1) l ON l.member_id = m.id
WHERE m.points_total <> COALESCE(l.net, 0)`},
	{"sum of totals = all charges - all refunds", `
SELECT format('sum of totals %s, charges - refunds %s', t.total, l.net)
FROM (SELECT COALESCE(sum(points_total), 0) AS total FROM members) t,
     (SELECT COALESCE(sum(amount) FILTER (WHERE type = 'CHARGE'), 0)
           - COALESCE(sum(amount) FILTER (WHERE type = 'REFUND'), 0) AS net FROM point_ledger) l
WHERE t.total <> l.net`},
	{"at most one purchase per art; a sold art has exactly one", `
SELECT format('art %s is %s with %s purchases', a.id, a.status, count(p.id))
FROM arts a LEFT JOIN purchases p ON p.art_id = a.id
GROUP BY a.id, a.status
HAVING count(p.id) <> CASE WHEN a.status = 'sold' THEN 1 ELSE 0 END`},
	{"auction status agrees with its art and purchase", `
SELECT format('auction %s is %s with %s bids, its art %s is %s, purchase %s', au.id, au.status, au.bid_count, a.id, a.status, p.id)
FROM auctions au JOIN arts a ON a.id = au.art_id LEFT JOIN purchases p ON p.art_id = a.id
WHERE NOT ((au.status = 'open' AND a.status = 'on_sale' AND p.id IS NULL)
        OR (au.status IN ('closed', 'bought_out') AND a.status = 'sold' AND p.id IS NOT NULL)
        OR (au.status = 'failed' AND a.status = 'unsold' AND p.id IS NULL))`},
	{"closed auctions reach their reserve; failed ones had no bid or stayed below it", `
SELECT format('auction %s is %s with %s bids, highest %s, reserve %s', au.id, au.status, au.bid_count, au.highest_amount, au.reserve_price)
FROM auctions au
WHERE (au.status = 'closed' AND (au.bid_count = 0 OR au.highest_amount < COALESCE(au.reserve_price, 0)))
   OR (au.status = 'failed' AND au.bid_count > 0 AND au.highest_amount >= COALESCE(au.reserve_price, 0))`},
	{"a purchase is what its art or auction says: closed to the leader at the highest bid, bought out at the buy-now price", `
SELECT format('purchase %s of art %s: kind %s, price %s, buyer %s, seller %s; art owner %s, price %s; auction %s %s, highest %s by %s, buy-now %s',
       p.id, p.art_id, p.kind, p.price, p.buyer_id, p.seller_id, a.owner_id, a.price,
       au.id, au.status, au.highest_amount, au.highest_bidder_id, au.buy_now_price)
FROM purchases p JOIN arts a ON a.id = p.art_id LEFT JOIN auctions au ON au.art_id = a.id
WHERE p.seller_id <> a.owner_id
   OR (au.id IS NULL AND NOT (p.kind = 'general' AND p.price = a.price))
   OR (au.id IS NOT NULL AND NOT (
          (au.status = 'closed' AND p.kind = 'auction' AND p.price = au.highest_amount AND p.buyer_id = au.highest_bidder_id)
       OR (au.status = 'bought_out' AND p.kind = 'buy_now' AND p.price = au.buy_now_price)))`},
	{"no bid after the sale of its auction", `
SELECT format('bid %s on auction %s at %s, after purchase %s at %s', b.id, au.id, b.created_at, p.id, p.purchased_at)
FROM bids b JOIN auctions au ON au.id = b.auction_id JOIN purchases p ON p.art_id = au.art_id
WHERE b.created_at > p.purchased_at`},
	{"every purchase has its PURCHASE and SALE ledger entries", `
SELECT format('purchase %s of art %s for %s: %s PURCHASE entries of buyer %s, %s SALE entries of seller %s',
       p.id, p.art_id, p.price, lp.n, p.buyer_id, ls.n, p.seller_id)
FROM purchases p
CROSS JOIN LATERAL (SELECT count(*) AS n FROM point_ledger
                    WHERE type = 'PURCHASE' AND art_id = p.art_id AND member_id = p.buyer_id AND amount = p.price) lp
CROSS JOIN LATERAL (SELECT count(*) AS n FROM point_ledger
                    WHERE type = 'SALE' AND art_id = p.art_id AND member_id = p.seller_id AND amount = p.price) ls
WHERE lp.n <> 1 OR ls.n <> 1`},
	{"every PURCHASE and SALE ledger entry belongs to a purchase", `
SELECT format('ledger entry %s: %s of %s for art %s by member %s matches no purchase', l.id, l.type, l.amount, l.art_id, l.member_id)
FROM point_ledger l
WHERE l.type IN ('PURCHASE', 'SALE') AND NOT EXISTS (
    SELECT 1 FROM purchases p
    WHERE p.art_id = l.art_id AND p.price = l.amount
      AND ((l.type = 'PURCHASE' AND p.buyer_id = l.member_id) OR (l.type = 'SALE' AND p.seller_id = l.member_id)))`},
	{"member counters agree with the arts and follows they count", `
WITH counted AS (
    SELECT member_id, sum(arts) AS arts, sum(sold) AS sold, sum(followers) AS followers, sum(following) AS following
    FROM (SELECT owner_id AS member_id, count(*) AS arts, count(*) FILTER (WHERE status = 'sold') AS sold,
                 0 AS followers, 0 AS following FROM arts GROUP BY owner_id
          UNION ALL SELECT followee_id, 0, 0, count(*), 0 FROM follows GROUP BY followee_id
          UNION ALL SELECT follower_id, 0, 0, 0, count(*) FROM follows GROUP BY follower_id) AS x
    GROUP BY member_id)
SELECT format('member %s: counters say %s works, %s sold, %s followers, %s following; the rows %s, %s, %s, %s',
       COALESCE(s.member_id, c.member_id), s.art_count, s.sold_count, s.follower_count, s.following_count,
       c.arts, c.sold, c.followers, c.following)
FROM member_stats s FULL JOIN counted c ON c.member_id = s.member_id
WHERE (COALESCE(s.art_count, 0), COALESCE(s.sold_count, 0), COALESCE(s.follower_count, 0), COALESCE(s.following_count, 0))
   <> (COALESCE(c.arts, 0), COALESCE(c.sold, 0), COALESCE(c.followers, 0), COALESCE(c.following, 0))`},
	{"no CHARGE or REFUND names an art", `
SELECT format('ledger entry %s: %s names art %s', id, type, art_id)
FROM point_ledger WHERE type IN ('CHARGE', 'REFUND') AND art_id IS NOT NULL`},
}

// Check runs every rule and returns one line per broken row, naming the rule.
func Check(ctx context.Context, db *sql.DB) ([]string, error) {
	var broken []string
	for _, r := range rules {
		rows, err := queryStrings(ctx, db, r.query)
		if err != nil {
			return nil, fmt.Errorf("invariant %q: %w", r.name, err)
		}
		for _, row := range rows {
			broken = append(broken, r.name+": "+row)
		}
	}
	return broken, nil
}

// Bid is one bid a client sent. ID is the bid id an accepted answer gave,
// or 0 when unknown.
type Bid struct {
	AuctionID int64
	BidderID  int64
	Amount    int64
	ID        int64
}

func (b Bid) String() string {
	return fmt.Sprintf("auction %d, member %d, amount %d (bid id %d)", b.AuctionID, b.BidderID, b.Amount, b.ID)
}

// missingBidsSQL lists the given bids that have no record of their own:
// matched by id too when the answer gave one.
const missingBidsSQL = `
SELECT format('auction %s, member %s, amount %s (bid id %s): %s records', k.auction_id, k.bidder_id, k.amount, k.id, n.count)
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[]) AS k(auction_id, bidder_id, amount, id)
CROSS JOIN LATERAL (
    SELECT count(*) FROM bids b
    WHERE b.auction_id = k.auction_id AND b.bidder_id = k.bidder_id AND b.amount = k.amount
      AND (k.id = 0 OR b.id = k.id)) n
WHERE n.count <> 1`

// storedBidsSQL lists the given bids that have a record.
const storedBidsSQL = `
SELECT format('auction %s, member %s, amount %s', k.auction_id, k.bidder_id, k.amount)
FROM unnest($1::bigint[], $2::bigint[], $3::bigint[]) AS k(auction_id, bidder_id, amount)
WHERE EXISTS (
    SELECT 1 FROM bids b WHERE b.auction_id = k.auction_id AND b.bidder_id = k.bidder_id AND b.amount = k.amount)`

// MissingBids returns the accepted bids the database does not hold exactly
// once: an answered 2xx must never be lost.
func MissingBids(ctx context.Context, db *sql.DB, accepted []Bid) ([]string, error) {
	if len(accepted) == 0 {
		return nil, nil
	}
	auctions, bidders, amounts, ids := columns(accepted)
	missing, err := queryStrings(ctx, db, missingBidsSQL, auctions, bidders, amounts, ids)
	if err != nil {
		return nil, fmt.Errorf("look for accepted bids: %w", err)
	}
	return missing, nil
}

// StoredBids returns the rejected bids that left a record anyway. Only for
// bids whose (auction, bidder, amount) no accepted bid shares.
func StoredBids(ctx context.Context, db *sql.DB, rejected []Bid) ([]string, error) {
	if len(rejected) == 0 {
		return nil, nil
	}
	auctions, bidders, amounts, _ := columns(rejected)
	stored, err := queryStrings(ctx, db, storedBidsSQL, auctions, bidders, amounts)
	if err != nil {
		return nil, fmt.Errorf("look for rejected bids: %w", err)
	}
	return stored, nil
}

func columns(bids []Bid) (auctions, bidders, amounts, ids []int64) {
	for _, b := range bids {
		auctions = append(auctions, b.AuctionID)
		bidders = append(bidders, b.BidderID)
		amounts = append(amounts, b.Amount)
		ids = append(ids, b.ID)
	}
	return auctions, bidders, amounts, ids
}

func queryStrings(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s sql.NullString
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s.String)
	}
	return out, rows.Err()
}
