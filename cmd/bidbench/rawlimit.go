package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE of a lock wait that ran past lock_timeout.
const lockNotAvailable = "55P03"

// rawBidder runs the bid transaction straight on its own connection.
type rawBidder struct {
	conn   *pgx.Conn
	id     int64
	stmts  rawStatements
	values map[string]int64
}

type rawStatements struct {
	lock, readAuction, readBalance, save, hold, release, recipient, outbid namedStatement
}

func newRawStatements() rawStatements {
	return rawStatements{
		lock: positional(sqlLockAuction), readAuction: positional(sqlReadAuction),
		readBalance: positional(sqlReadBalance), save: positional(sqlSaveBid),
		hold: positional(sqlHold), release: positional(sqlRelease),
		recipient: positional(sqlReadRecipient), outbid: positional(sqlQueueOutbid),
	}
}

// auctionRead is what the transaction reads of the auction under its lock.
type auctionRead struct {
	highest, leader, bids, minNext, open, buyNow, owner int64
}

// bid runs one bid transaction, deciding by the rules of DESIGN.md section 2
// as the service does, and rolls back a rejected bid.
func (b *rawBidder) bid(ctx context.Context, auctionID, amount int64) bidResult {
	tx, err := b.conn.Begin(ctx)
	if err != nil {
		return bidResult{err: fmt.Errorf("begin: %w", err)}
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	res, err := b.bidIn(ctx, tx, auctionID, amount)
	if err != nil {
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == lockNotAvailable {
			return bidResult{code: codeLockUnavailable, status: http.StatusServiceUnavailable}
		}
		return bidResult{err: err}
	}
	if res.code != "" {
		return res
	}
	if err := tx.Commit(ctx); err != nil {
		return bidResult{err: fmt.Errorf("commit: %w", err)}
	}
	return res
}

func (b *rawBidder) bidIn(ctx context.Context, tx pgx.Tx, auctionID, amount int64) (bidResult, error) {
	v := b.values
	clear(v)
	v["auction"], v["bidder"], v["amount"] = auctionID, b.id, amount
	if _, err := tx.Exec(ctx, sqlSetLockTimeout); err != nil {
		return bidResult{}, fmt.Errorf("set lock timeout: %w", err)
	}
	if err := b.exec(ctx, tx, b.stmts.lock); err != nil {
		return bidResult{}, err
	}
	var au auctionRead
	if err := b.queryRow(ctx, tx, b.stmts.readAuction,
		&au.highest, &au.leader, &au.bids, &au.minNext, &au.open, &au.buyNow, &au.owner); err != nil {
		return bidResult{}, err
	}
	var total, available int64
	if err := b.queryRow(ctx, tx, b.stmts.readBalance, &total, &available); err != nil {
		return bidResult{}, err
	}
	if code, status := decide(au, b.id, amount, available); code != "" {
		return bidResult{code: code, status: status, minNextBid: au.minNext}, nil
	}
	v["bids"], v["bids_after"], v["highest"], v["leader"] = au.bids, au.bids+1, au.highest, au.leader
	var saved int64
	var bidID *int64
	if err := b.queryRow(ctx, tx, b.stmts.save, &saved, &bidID); err != nil {
		return bidResult{}, err
	}
	if saved != 1 || bidID == nil {
		return bidResult{}, fmt.Errorf("auction %d changed under its row lock", auctionID)
	}
	if err := b.moveHolds(ctx, tx, au.leader); err != nil {
		return bidResult{}, err
	}
	if au.leader != 0 {
		if err := b.exec(ctx, tx, b.stmts.recipient); err != nil {
			return bidResult{}, err
		}
		if err := b.exec(ctx, tx, b.stmts.outbid); err != nil {
			return bidResult{}, err
		}
	}
	return bidResult{bidID: *bidID, status: http.StatusCreated}, nil
}

// decide applies the bid rules in their order; "" accepts.
func decide(au auctionRead, bidder, amount, available int64) (code string, status int) {
	switch {
	case au.owner == bidder:
		return "OWN_AUCTION", http.StatusForbidden
	case au.open == 0:
		return "AUCTION_NOT_OPEN", http.StatusConflict
	case au.leader == bidder:
		return "ALREADY_HIGHEST_BIDDER", http.StatusConflict
	case amount < au.minNext:
		return codeBidTooLow, http.StatusUnprocessableEntity
	case au.buyNow > 0 && amount >= au.buyNow:
		return "USE_BUY_NOW", http.StatusUnprocessableEntity
	case available < amount:
		return codeInsufficientPoints, http.StatusConflict
	}
	return "", http.StatusCreated
}

// moveHolds holds the bid and releases the previous leader's, member rows in
// ascending id order as the service does.
func (b *rawBidder) moveHolds(ctx context.Context, tx pgx.Tx, previous int64) error {
	hold := func() error { return b.changeOne(ctx, tx, b.stmts.hold) }
	if previous == 0 {
		return hold()
	}
	release := func() error { return b.changeOne(ctx, tx, b.stmts.release) }
	first, second := hold, release
	if previous < b.id {
		first, second = release, hold
	}
	if err := first(); err != nil {
		return err
	}
	return second()
}

func (b *rawBidder) changeOne(ctx context.Context, tx pgx.Tx, s namedStatement) error {
	args, err := s.args(b.values)
	if err != nil {
		return err
	}
	tag, err := tx.Exec(ctx, s.sql, args...)
	if err != nil {
		return fmt.Errorf("move points: %w", err)
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("move points: %d rows changed by %q", tag.RowsAffected(), s.sql)
	}
	return nil
}

func (b *rawBidder) exec(ctx context.Context, tx pgx.Tx, s namedStatement) error {
	args, err := s.args(b.values)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, s.sql, args...); err != nil {
		return fmt.Errorf("%s: %w", oneLine(s.sql), err)
	}
	return nil
}

func (b *rawBidder) queryRow(ctx context.Context, tx pgx.Tx, s namedStatement, dst ...any) error {
	args, err := s.args(b.values)
	if err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, s.sql, args...).Scan(dst...); err != nil {
		return fmt.Errorf("%s: %w", oneLine(s.sql), err)
	}
	return nil
}

// rawTarget is the database under the raw limit: one connection per bidder.
type rawTarget struct {
	bidders []*rawBidder
}

func connectRawBidders(ctx context.Context, dsn string, f fixture) (rawTarget, error) {
	stmts := newRawStatements()
	t := rawTarget{}
	for _, b := range f.bidders {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.close(ctx)
			return rawTarget{}, fmt.Errorf("connect raw bidder: %w", err)
		}
		t.bidders = append(t.bidders, &rawBidder{conn: conn, id: b.id, stmts: stmts, values: map[string]int64{}})
	}
	return t, nil
}

func (t rawTarget) close(ctx context.Context) {
	for _, b := range t.bidders {
		_ = b.conn.Close(ctx)
	}
}

func (t rawTarget) bid(ctx context.Context, worker int, log *opLog, terms auctionTerms, amount int64) int64 {
	b := t.bidders[worker]
	start := time.Now()
	res := b.bid(ctx, terms.ID, amount)
	end := time.Now()
	if ctx.Err() != nil && res.err != nil {
		return 0
	}
	log.bid(worker, bidInput{Auction: terms, Bidder: b.id, Amount: amount}, start, end, res)
	// The least next bid, as the service's answer would tell it.
	switch res.code {
	case "":
		return amount + terms.Increment
	case codeBidTooLow:
		return res.minNextBid
	}
	return 0
}

// step is the scenario's step function; only hot and spread have a raw limit.
func (t rawTarget) step(scenario string, f fixture) stepFunc {
	if scenario == scenarioHot {
		return hotStep(t, len(t.bidders), f.hot)
	}
	return spreadStep(t, newNextAmounts(f.spread))
}
