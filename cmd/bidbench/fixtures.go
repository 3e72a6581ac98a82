package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"golang.org/x/sync/errgroup"

	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/domain/member"
)

// The fixture path (docs/benchmarks.md): members and auction arts are
// inserted with SQL, since sign-up needs a mailed code and an art needs an
// uploaded image; members then log in and charge their points over the API.
const (
	benchPassword = "bench-Pass-2024!"
	// startPrice, bidIncrement and buyNowPrice are every auction's terms;
	// buy-now and a reserve are set only on the mixed scenario's auctions,
	// whose reserve a few bids reach: the answers say whether it is met
	// on both sides of it, and buy-now must ignore it.
	startPrice   = 1000
	bidIncrement = 1
	buyNowPrice  = 1_000_000
	reservePrice = startPrice + 5
	// memberPoints covers any bidder's holds in a long run, and a few buy-nows.
	memberPoints = 100_000_000
)

// bidder is a member who bids, with the access token it bids with.
type bidder struct {
	id    int64
	token string
}

// auctionTerms is what the bidders and the linearizability model know of an auction.
type auctionTerms struct {
	ID         int64
	StartPrice int64
	Increment  int64
	// BuyNow and Reserve are 0 when the auction has none.
	BuyNow  int64
	Reserve int64
}

// fixture is the data one strategy's run bids on.
type fixture struct {
	sellerID int64
	bidders  []bidder
	hot      auctionTerms
	spread   []auctionTerms
	mixed    []auctionTerms
}

// insertFixture inserts the seller, the bidders and the auctions of every scenario.
func insertFixture(ctx context.Context, conn *pgx.Conn, bidders, auctions int) (fixture, error) {
	hasher, err := security.NewBcryptHasher(security.MinBcryptCost)
	if err != nil {
		return fixture{}, fmt.Errorf("bcrypt hasher: %w", err)
	}
	password, err := member.NewPassword("password", benchPassword)
	if err != nil {
		return fixture{}, fmt.Errorf("bench password: %w", err)
	}
	hash, err := hasher.Hash(password)
	if err != nil {
		return fixture{}, err
	}
	ids, err := insertMembers(ctx, conn, hash, bidders+1)
	if err != nil {
		return fixture{}, err
	}
	f := fixture{sellerID: ids[0]}
	for _, id := range ids[1:] {
		f.bidders = append(f.bidders, bidder{id: id})
	}
	hot, err := insertAuctions(ctx, conn, f.sellerID, 1, 0, 0)
	if err != nil {
		return fixture{}, err
	}
	f.hot = hot[0]
	if f.spread, err = insertAuctions(ctx, conn, f.sellerID, auctions, 0, 0); err != nil {
		return fixture{}, err
	}
	if f.mixed, err = insertAuctions(ctx, conn, f.sellerID, auctions, buyNowPrice, reservePrice); err != nil {
		return fixture{}, err
	}
	return f, nil
}

// insertMembers inserts n members in id order: bench0 (the seller), bench1...
func insertMembers(ctx context.Context, conn *pgx.Conn, passwordHash string, n int) ([]int64, error) {
	rows, err := conn.Query(ctx, `
INSERT INTO members (email, password_hash, nickname, name, created_at)
SELECT 'bench' || g || '@example.com', $1, 'bench' || g, 'Bench member ' || g, now()
FROM generate_series(0, $2::int - 1) AS g
ORDER BY g
RETURNING id`, passwordHash, n)
	if err != nil {
		return nil, fmt.Errorf("insert members: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("insert members: %w", err)
	}
	return ids, nil
}

func memberEmail(i int) string { return fmt.Sprintf("bench%d@example.com", i) }

// insertAuctions lists n open auction arts of seller, ending in a day, each
// with one hashtag and an image key of the shape the service makes (the
// benchmark never reads the image).
func insertAuctions(ctx context.Context, conn *pgx.Conn, sellerID int64, n int, buyNow, reserve int64) ([]auctionTerms, error) {
	rows, err := conn.Query(ctx, `
WITH art AS (
	INSERT INTO arts (owner_id, name, description, type, price, current_price,
	                  image_key, image_format, image_width, image_height, image_size, image_etag, created_at)
	SELECT $1, 'Bench piece ' || g, 'A work listed by the benchmark.', 'auction', $3, $3,
	       substr(md5(g::text), 1, 2) || '/' || md5(g::text) || '.png', 'png', 1, 1, 1, md5(g::text), now()
	FROM generate_series(1, $2::int) AS g
	RETURNING id, created_at
), tag AS (
	INSERT INTO art_hashtags (art_id, position, name, art_created_at) SELECT id, 0, 'bench', created_at FROM art
)
INSERT INTO auctions (art_id, start_at, end_at, start_price, buy_now_price, bid_increment, reserve_price)
SELECT id, now() - interval '1 minute', now() + interval '1 day', $3, NULLIF($4::bigint, 0), $5, NULLIF($6::bigint, 0) FROM art
ORDER BY id
RETURNING id`, sellerID, n, startPrice, buyNow, bidIncrement, reserve)
	if err != nil {
		return nil, fmt.Errorf("insert auctions: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("insert auctions: %w", err)
	}
	terms := make([]auctionTerms, len(ids))
	for i, id := range ids {
		terms[i] = auctionTerms{ID: id, StartPrice: startPrice, Increment: bidIncrement, BuyNow: buyNow, Reserve: reserve}
	}
	return terms, nil
}

// signInBidders logs every bidder in over the API and charges its points
// there, a few at a time: each login is a bcrypt comparison.
func signInBidders(ctx context.Context, api *apiClient, urls []string, f *fixture) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for i := range f.bidders {
		base := urls[i%len(urls)]
		g.Go(func() error {
			token, err := api.login(ctx, base, memberEmail(i+1), benchPassword)
			if err != nil {
				return err
			}
			if err := api.charge(ctx, base, token, memberPoints); err != nil {
				return err
			}
			f.bidders[i].token = token // each goroutine writes its own element
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return fmt.Errorf("sign in bidders: %w", err)
	}
	return nil
}

// chargeDirectly gives members their points with SQL and the ledger entries
// that go with them, for the raw limit's database, where no service runs.
func chargeDirectly(ctx context.Context, conn *pgx.Conn, ids []int64, amount int64) error {
	_, err := conn.Exec(ctx, `
WITH charged AS (
	UPDATE members SET points_total = points_total + $2, points_available = points_available + $2
	WHERE id = ANY($1) RETURNING id
)
INSERT INTO point_ledger (member_id, type, amount, created_at) SELECT id, 'CHARGE', $2, now() FROM charged`, ids, amount)
	if err != nil {
		return fmt.Errorf("charge members: %w", err)
	}
	return nil
}
