package main

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/domain/member"
)

// The read benchmark's catalog (docs/benchmarks.md, "Reads"), built with
// set-based SQL in one transaction: every row is planned in temporary tables
// first, so each real table is written once, with its final values, and its
// indexes are maintained once per row.
const (
	// auctionEvery makes every tenth art an auction.
	auctionEvery = 10
	// openAuctionShare of the auctions stay open; the others ended one to
	// fourteen days after they started (closed and sold to their leader, or
	// failed without a bid), unless they started too recently to have ended.
	openAuctionShare = 0.6
	// soldGeneralShare of the general arts were bought.
	soldGeneralShare = 0.1
	// readerPoints is what every member can still spend: each CHARGE covers
	// the member's purchases and holds, plus this.
	readerPoints = 100_000_000
	// artSpread is a multiplier coprime with the number of arts (checked by
	// readCatalogSpec), so that popular arts are spread over every age.
	artSpread = 7919
)

// readCatalogSpec is the size of the catalog and its seed.
type readCatalogSpec struct {
	arts, members, hashtags int
	seed                    uint64
}

// spread is a multiplier that permutes art ranks 0..arts-1 over the ids.
func (s readCatalogSpec) spread() int64 {
	for m := int64(artSpread); ; m += 2 {
		if gcd(m, int64(s.arts)) == 1 {
			return m
		}
	}
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// setseed is the seed as Postgres's setseed wants it, in [0, 1).
func (s readCatalogSpec) setseed() float64 { return float64(s.seed%(1<<20)) / (1 << 20) }

// hashtagNames are n distinct hashtags: the vocabulary's words, then pairs of them.
func hashtagNames(n int) []string {
	names := make([]string, n)
	w := len(vocabulary)
	for i := range names {
		if i < w {
			names[i] = vocabulary[i]
		} else {
			names[i] = vocabulary[i%w] + "-" + vocabulary[i/w]
		}
	}
	return names
}

// catalogSteps build the catalog in order; each takes the named arguments
// of insertCatalog it uses (pgx leaves out the others).
var catalogSteps = []struct {
	what string
	sql  string
}{
	{"seed the draws", `SELECT setseed(@seed)`},
	{"members", `
INSERT INTO members (id, email, password_hash, nickname, name, school, created_at)
SELECT g, 'reader' || g || '@example.com', @hash, 'reader' || g, 'Reader ' || g,
       (@schools::text[])[1 + g % cardinality(@schools::text[])],
       now() - interval '400 days' + g * interval '1 second'
FROM generate_series(1, @members::int) g`},
	// Owners: a few prolific artists (low ids), a long tail. Names and
	// descriptions draw words log-uniformly over rank + 3, close to Zipf's
	// law with s = 1, as words in any text are. Arts are listed one after
	// another over the last year, the newest with the highest id.
	{"plan arts", `
CREATE TEMP TABLE plan_art ON COMMIT DROP AS
SELECT g AS id,
       1 + floor(@members::int * random() ^ 2)::bigint AS owner_id,
       initcap(v.w[floor(3 * v.spread ^ random())::int - 2]) || ' ' || initcap(v.w[floor(3 * v.spread ^ random())::int - 2]) AS name,
       -- "+ 0 * k" ties the aggregate to the inner query: over outer columns only it would be the outer query's.
       (SELECT string_agg(v.w[floor(3 * v.spread ^ random())::int - 2 + 0 * k], ' ')
        FROM generate_series(1, 6 + g % 9) k) AS description,
       CASE WHEN g % @auctionEvery::int = 0 THEN 'auction' ELSE 'general' END AS type,
       1000 + 500 * floor(200 * random() ^ 3)::bigint AS price,
       now() - interval '2 minutes' - ((@arts::int - g) * 31536000.0 / @arts::int) * interval '1 second' AS created_at
FROM generate_series(1, @arts::int) g,
     (SELECT @words::text[] AS w, (cardinality(@words::text[]) + 3) / 3.0 AS spread) v`},
	// One to five hashtags an art, a few of them on many arts; a tag drawn
	// twice for one art counts once, positions follow the first draw.
	{"plan hashtags", `
CREATE TEMP TABLE plan_tag ON COMMIT DROP AS
SELECT art_id, (row_number() OVER (PARTITION BY art_id ORDER BY min(draw)) - 1)::smallint AS position, name
FROM (SELECT a.id AS art_id, d AS draw,
             (@tags::text[])[1 + floor(cardinality(@tags::text[]) * random() ^ 2.5)::int] AS name
      FROM plan_art a CROSS JOIN LATERAL generate_series(1, 1 + floor(random() * 5)::int + 0 * a.id) d) t
GROUP BY art_id, name`},
	// Bid counts: a quarter of the auctions none, a few up to 59.
	{"plan auctions", `
CREATE TEMP TABLE plan_auction ON COMMIT DROP AS
WITH drawn AS MATERIALIZED (
	SELECT row_number() OVER (ORDER BY a.id) AS id, a.id AS art_id, a.owner_id, a.created_at AS start_at,
	       a.price AS start_price,
	       (ARRAY[100, 500, 1000])[1 + floor(random() * 3)::int]::bigint AS bid_increment,
	       1 + floor(random() * 3)::bigint AS step,
	       floor(60 * random() ^ 3)::int AS n_bids,
	       floor(random() * (@members::int - 1))::int AS bidder_offset,
	       random() < 0.3 AS has_buy_now,
	       random() AS fate, random() AS span
	FROM plan_art a WHERE a.type = 'auction'
), timed AS (
	SELECT *, fate >= @openShare::float8
	          AND start_at + interval '1 day' + span * interval '13 days' < now() - interval '1 minute' AS ended
	FROM drawn
)
SELECT id, art_id, owner_id, start_at, start_price, bid_increment, step, n_bids, bidder_offset,
       CASE WHEN has_buy_now THEN start_price + 1000000 END AS buy_now_price,
       CASE WHEN ended THEN start_at + interval '1 day' + span * interval '13 days'
            ELSE now() + interval '1 hour' + span * interval '14 days' END AS end_at,
       CASE WHEN NOT ended THEN 'open' WHEN n_bids > 0 THEN 'closed' ELSE 'failed' END AS status
FROM timed`},
	// Bid k of n is the start price plus k-1 raises, by members other than
	// the seller taking turns, spread evenly between the start and the end
	// (or now, for an open auction).
	{"plan bids", `
CREATE TEMP TABLE plan_bid ON COMMIT DROP AS
SELECT au.id AS auction_id, k,
       au.start_price + (k - 1) * au.bid_increment * au.step AS amount,
       1 + (au.owner_id + (au.bidder_offset + k) % (@members::int - 1)) % @members::int AS bidder_id,
       au.start_at + (least(au.end_at, now()) - au.start_at) * (k::float8 / (au.n_bids + 1)) AS created_at
FROM plan_auction au CROSS JOIN LATERAL generate_series(1, au.n_bids) k`},
	{"plan sales", `
CREATE TEMP TABLE plan_sale ON COMMIT DROP AS
SELECT au.art_id, b.bidder_id AS buyer_id, au.owner_id AS seller_id, b.amount AS price, 'auction' AS kind,
       au.end_at AS purchased_at
FROM plan_auction au JOIN plan_bid b ON b.auction_id = au.id AND b.k = au.n_bids
WHERE au.status = 'closed'
UNION ALL
SELECT id, 1 + (owner_id + floor(random() * (@members::int - 1))::bigint) % @members::int, owner_id, price, 'general',
       created_at + random() * (now() - interval '1 minute' - created_at)
FROM plan_art WHERE type = 'general' AND random() < @soldShare::float8`},
	// Members like up to 119 arts each (most a few), popular arts many times.
	{"plan likes", `
CREATE TEMP TABLE plan_like ON COMMIT DROP AS
SELECT l.member_id, l.art_id, a.created_at + random() * (now() - a.created_at) AS created_at
FROM (SELECT DISTINCT m AS member_id, 1 + (floor(@arts::int * random() ^ 3)::bigint * @spread::bigint) % @arts::int AS art_id
      FROM generate_series(1, @members::int) m
      CROSS JOIN LATERAL generate_series(1, floor(120 * random() ^ 2.5)::int + 0 * m) j) l
JOIN plan_art a ON a.id = l.art_id`},
	{"arts", `
INSERT INTO arts (id, owner_id, name, description, type, price, current_price, status, like_count, bid_count,
                  image_key, image_format, image_width, image_height, image_size, image_etag, created_at, updated_at)
SELECT a.id, a.owner_id, a.name, a.description, a.type, a.price,
       COALESCE(s.price, CASE WHEN au.n_bids > 0 THEN au.start_price + (au.n_bids - 1) * au.bid_increment * au.step
                              ELSE a.price END),
       CASE WHEN s.art_id IS NOT NULL THEN 'sold' WHEN au.status = 'failed' THEN 'unsold' ELSE 'on_sale' END,
       COALESCE(l.n, 0), COALESCE(au.n_bids, 0),
       substr(md5(a.id::text), 1, 2) || '/' || md5(a.id::text) || '.png', 'png', 1, 1, 1, md5(a.id::text),
       a.created_at, a.created_at
FROM plan_art a
LEFT JOIN plan_auction au ON au.art_id = a.id
LEFT JOIN plan_sale s ON s.art_id = a.id
LEFT JOIN (SELECT art_id, count(*) AS n FROM plan_like GROUP BY art_id) l ON l.art_id = a.id
ORDER BY a.id`},
	{"hashtags", `INSERT INTO art_hashtags (art_id, position, name, art_created_at)
		SELECT t.art_id, t.position, t.name, a.created_at FROM plan_tag AS t JOIN arts AS a ON a.id = t.art_id`},
	{"auctions", `
INSERT INTO auctions (id, art_id, start_at, end_at, start_price, buy_now_price, bid_increment, status,
                      highest_amount, highest_bidder_id, bid_count, created_at, updated_at)
SELECT au.id, au.art_id, au.start_at, au.end_at, au.start_price, au.buy_now_price, au.bid_increment, au.status,
       COALESCE(b.amount, 0), b.bidder_id, au.n_bids, au.start_at, least(au.end_at, now())
FROM plan_auction au LEFT JOIN plan_bid b ON b.auction_id = au.id AND b.k = au.n_bids
ORDER BY au.id`},
	// Bid ids follow time, as if every bid had been placed live.
	{"bids", `
INSERT INTO bids (auction_id, bidder_id, amount, created_at)
SELECT auction_id, bidder_id, amount, created_at FROM plan_bid ORDER BY created_at, auction_id, k`},
	{"likes", `INSERT INTO art_likes (member_id, art_id, created_at) SELECT member_id, art_id, created_at FROM plan_like`},
	{"purchases", `
INSERT INTO purchases (art_id, buyer_id, seller_id, price, kind, purchased_at)
SELECT art_id, buyer_id, seller_id, price, kind, purchased_at FROM plan_sale ORDER BY purchased_at`},
	{"ledger", `
INSERT INTO point_ledger (member_id, type, amount, art_id, created_at)
SELECT m.id, 'CHARGE', @points::bigint + COALESCE(spent.amount, 0) + COALESCE(held.amount, 0), NULL, m.created_at
FROM members m
LEFT JOIN (SELECT buyer_id, sum(price) AS amount FROM plan_sale GROUP BY 1) spent ON spent.buyer_id = m.id
LEFT JOIN (SELECT highest_bidder_id, sum(highest_amount) AS amount FROM auctions
           WHERE status = 'open' AND highest_bidder_id IS NOT NULL GROUP BY 1) held ON held.highest_bidder_id = m.id
UNION ALL SELECT buyer_id, 'PURCHASE', price, art_id, purchased_at FROM plan_sale
UNION ALL SELECT seller_id, 'SALE', price, art_id, purchased_at FROM plan_sale`},
	{"balances", `
WITH net AS (
	SELECT member_id, sum(CASE WHEN type IN ('CHARGE', 'SALE') THEN amount ELSE -amount END) AS total
	FROM point_ledger GROUP BY member_id
), held AS (
	SELECT highest_bidder_id AS member_id, sum(highest_amount) AS amount
	FROM auctions WHERE status = 'open' AND highest_bidder_id IS NOT NULL GROUP BY 1
)
UPDATE members m SET points_total = net.total, points_available = net.total - COALESCE(held.amount, 0)
FROM net LEFT JOIN held ON held.member_id = net.member_id
WHERE m.id = net.member_id`},
	// Ids were given explicitly: the service's own inserts continue after them.
	{"sequences", `
SELECT setval(pg_get_serial_sequence('members', 'id'), (SELECT max(id) FROM members)),
       setval(pg_get_serial_sequence('arts', 'id'), (SELECT max(id) FROM arts)),
       setval(pg_get_serial_sequence('auctions', 'id'), (SELECT max(id) FROM auctions))`},
}

// insertCatalog builds the whole catalog on a migrated database and
// analyzes it, so the planner knows its sizes before the first request.
func insertCatalog(ctx context.Context, conn *pgx.Conn, spec readCatalogSpec) (time.Duration, error) {
	start := time.Now()
	hash, err := benchPasswordHash()
	if err != nil {
		return 0, err
	}
	args := pgx.NamedArgs{
		"seed": spec.setseed(), "arts": spec.arts, "members": spec.members,
		"words": vocabulary, "tags": hashtagNames(spec.hashtags), "schools": schools, "hash": hash,
		"spread": spec.spread(), "points": readerPoints, "auctionEvery": auctionEvery,
		"openShare": openAuctionShare, "soldShare": soldGeneralShare,
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("catalog: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	for _, step := range catalogSteps {
		if _, err := tx.Exec(ctx, step.sql, args); err != nil {
			return 0, fmt.Errorf("catalog: %s: %w", step.what, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("catalog: commit: %w", err)
	}
	// A catalog that grew over time has been through autovacuum: with the
	// visibility map set, index-only scans (the capped totals) skip the heap.
	if _, err := conn.Exec(ctx, "VACUUM (ANALYZE)"); err != nil {
		return 0, fmt.Errorf("catalog: vacuum and analyze: %w", err)
	}
	return time.Since(start), nil
}

// benchPasswordHash is every fixture member's password hash, made by the
// service's own hasher at its lowest cost.
func benchPasswordHash() (string, error) {
	hasher, err := security.NewBcryptHasher(security.MinBcryptCost)
	if err != nil {
		return "", fmt.Errorf("bcrypt hasher: %w", err)
	}
	password, err := member.NewPassword("password", benchPassword)
	if err != nil {
		return "", fmt.Errorf("bench password: %w", err)
	}
	return hasher.Hash(password)
}

func readerEmail(id int64) string { return fmt.Sprintf("reader%d@example.com", id) }
