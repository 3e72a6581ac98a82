package main

import (
	"fmt"
	"strings"
)

// The bid transaction of the raw limit: the statements the service sends for
// one bid under the row strategy (adapters/lock, application/place_bid.go,
// adapters/postgres/auction_store.go and wallet.go), in the same order, with
// :name parameters so that pgbench runs the very same text.
const (
	sqlSetLockTimeout = `SET LOCAL lock_timeout = '3000ms'`
	sqlLockAuction    = `SELECT id FROM auctions WHERE id = :auction FOR NO KEY UPDATE`
	sqlReadAuction    = `
SELECT au.highest_amount AS highest, COALESCE(au.highest_bidder_id, 0) AS leader, au.bid_count AS bids,
       CASE WHEN au.bid_count = 0 THEN au.start_price ELSE au.highest_amount + au.bid_increment END AS min_next,
       CASE WHEN au.status = 'open' AND au.start_at <= now() AND now() < au.end_at THEN 1 ELSE 0 END AS open,
       COALESCE(au.buy_now_price, 0) AS buy_now, a.owner_id AS owner
FROM auctions au JOIN arts a ON a.id = au.art_id WHERE au.id = :auction`
	sqlReadBalance = `SELECT points_total AS total, points_available AS available FROM members WHERE id = :bidder`
	// sqlSaveBid is saveBidSQL of adapters/postgres/auction_store.go.
	sqlSaveBid = `
WITH au AS (
	UPDATE auctions
	SET highest_amount = :amount, highest_bidder_id = :bidder, bid_count = :bids_after, end_at = end_at, updated_at = now()
	WHERE id = :auction AND status = 'open' AND bid_count = :bids
	RETURNING id, art_id, highest_amount, highest_bidder_id, bid_count, updated_at
), ar AS (
	UPDATE arts
	SET current_price = au.highest_amount, bid_count = au.bid_count, updated_at = au.updated_at
	FROM au
	WHERE arts.id = au.art_id AND arts.status = 'on_sale'
	RETURNING au.id AS auction_id, au.highest_bidder_id, au.highest_amount, au.updated_at
), ins AS (
	INSERT INTO bids (auction_id, bidder_id, amount, created_at)
	SELECT auction_id, highest_bidder_id, highest_amount, updated_at FROM ar
	RETURNING id
)
SELECT (SELECT count(*) FROM au) AS saved, (SELECT id FROM ins) AS bid_id`
	sqlHold = `
UPDATE members SET points_available = points_available - :amount, updated_at = now()
WHERE points_available >= :amount AND id = :bidder`
	sqlRelease = `
UPDATE members SET points_available = points_available + :highest, updated_at = now()
WHERE points_available + :highest <= points_total AND id = :leader`
	// The outbid mail: its recipient is read, then the mail is queued.
	sqlReadRecipient = `SELECT * FROM members WHERE id = :leader`
	sqlQueueOutbid   = `
INSERT INTO mail_outbox (recipient, subject, body)
VALUES ((SELECT email FROM members WHERE id = :leader), 'You have been outbid',
        format('Someone bid %s points on auction %s, above your bid.', CAST(:amount AS bigint), CAST(:auction AS bigint)))
RETURNING id`
)

// namedStatement is a statement with :name parameters, ready for pgx as
// $1, $2... with the names in their order.
type namedStatement struct {
	sql   string
	names []string
}

// positional turns :name parameters into $n, the same name the same number;
// "::" casts and quoted text are left alone.
func positional(named string) namedStatement {
	var out strings.Builder
	var names []string
	number := map[string]int{}
	inQuote := false
	for i := 0; i < len(named); i++ {
		c := named[i]
		if c == '\'' {
			inQuote = !inQuote
		}
		if inQuote || c != ':' || (i+1 < len(named) && named[i+1] == ':') || (i > 0 && named[i-1] == ':') {
			out.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(named) && (named[j] == '_' || named[j] >= 'a' && named[j] <= 'z') {
			j++
		}
		if j == i+1 {
			out.WriteByte(c)
			continue
		}
		name := named[i+1 : j]
		if _, ok := number[name]; !ok {
			names = append(names, name)
			number[name] = len(names)
		}
		fmt.Fprintf(&out, "$%d", number[name])
		i = j - 1
	}
	return namedStatement{sql: out.String(), names: names}
}

// args are the statement's arguments, in order, from values by name.
func (s namedStatement) args(values map[string]int64) ([]any, error) {
	args := make([]any, len(s.names))
	for i, n := range s.names {
		v, ok := values[n]
		if !ok {
			return nil, fmt.Errorf("no value for :%s", n)
		}
		args[i] = v
	}
	return args, nil
}

// oneLine folds a statement onto one line, for a pgbench script.
func oneLine(sql string) string { return strings.Join(strings.Fields(sql), " ") }
