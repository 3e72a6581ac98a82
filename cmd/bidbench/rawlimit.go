package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/artauction/artauction/adapters/lock"
	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/point"
)

// SQLSTATE of a lock wait that ran past lock_timeout.
const lockNotAvailable = "55P03"

// rawBidder runs the bid transaction straight on its own connection: the
// statements the service sends for one bid under the row strategy, built by
// the service's own code (adapters/lock, adapters/postgres), in the order of
// application/place_bid.go, the rules decided by the domain as the service
// decides them. Only HTTP, the pool and the service's Go around them are left out.
type rawBidder struct {
	conn *pgx.Conn
	id   int64
}

// bid runs one bid transaction and rolls back a refused bid.
func (b *rawBidder) bid(ctx context.Context, auctionID, amount int64) bidResult {
	// The service's default wait (AUCTION_LOCK_WAIT), bounded with the BEGIN as the guard does.
	tx, err := b.conn.BeginTx(ctx, pgx.TxOptions{BeginQuery: postgres.BoundedBeginSQL(lock.DefaultWait)})
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
	lockSQL, lockArgs := lock.AuctionRowLock(auctionID)
	if _, err := tx.Exec(ctx, lockSQL, lockArgs...); err != nil {
		return bidResult{}, fmt.Errorf("lock auction: %w", err)
	}
	read := postgres.ReadTradeAuction(auctionID, b.id)
	d, bidder, err := postgres.ScanTradeAuction(tx.QueryRow(ctx, read.SQL, read.Args...).Scan, b.id)
	if err != nil {
		return bidResult{}, fmt.Errorf("read auction: %w", err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	// The service's default soft-close window (AUCTION_EXTEND_WINDOW) is off.
	out, err := d.Auction.PlaceBid(auction.Participant{MemberID: b.id, Available: bidder.Balance.Available()},
		d.Art.Art.OwnerID(), amount, now, 0)
	if err != nil {
		return refusal(err)
	}
	save, err := postgres.SaveBid(d.Auction, now)
	if err != nil {
		return bidResult{}, err
	}
	var auctions, arts int64
	var bidID *int64
	if err := tx.QueryRow(ctx, save.SQL, save.Args...).Scan(&auctions, &arts, &bidID); err != nil {
		return bidResult{}, fmt.Errorf("save bid: %w", err)
	}
	if auctions != 1 || arts != 1 || bidID == nil {
		return bidResult{}, fmt.Errorf("auction %d changed under its row lock", auctionID)
	}
	move, err := postgres.MovePoints(application.BidMoves(b.id, amount, out))
	if err != nil {
		return bidResult{}, err
	}
	refused, err := postgres.ScanMovedPoints(tx.QueryRow(ctx, move.SQL, move.Args...).Scan)
	if err != nil {
		return bidResult{}, fmt.Errorf("move points: %w", err)
	}
	if refused != 0 {
		return bidResult{}, fmt.Errorf("move points: member %d refused", refused)
	}
	if out.PreviousLeaderID != 0 {
		if err := notifyOutbid(ctx, tx, application.BidNotices(d.Art.Art.ID(), auctionID, amount, out.PreviousLeaderID, now)); err != nil {
			return bidResult{}, err
		}
	}
	met, hasReserve := d.Auction.ReserveMet()
	reserve := reserveNone
	if hasReserve {
		reserve = reserveState(&met)
	}
	return bidResult{bidID: *bidID, status: http.StatusCreated, reserve: reserve}, nil
}

// notifyOutbid writes the outbid mail and notification in the service's one
// statement and reads the notification it made back, as the service does.
func notifyOutbid(ctx context.Context, tx pgx.Tx, notices application.Notices) error {
	notify := postgres.Notify(notices)
	rows, err := tx.Query(ctx, notify.SQL, notify.Args...)
	if err != nil {
		return fmt.Errorf("notify outbid: %w", err)
	}
	defer rows.Close()
	made := 0
	for rows.Next() {
		if _, err := postgres.ScanNotification(rows.Scan); err != nil {
			return fmt.Errorf("read outbid notification: %w", err)
		}
		made++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("notify outbid: %w", err)
	}
	if made != 1 {
		return fmt.Errorf("notify outbid: %d notifications made", made)
	}
	return nil
}

// refusal is the answer the service gives to a bid the domain refused
// (adapters/http/problem.go).
func refusal(err error) (bidResult, error) {
	var tooLow *auction.BidTooLowError
	switch {
	case errors.As(err, &tooLow):
		return bidResult{code: codeBidTooLow, status: http.StatusUnprocessableEntity, minNextBid: tooLow.MinNextBid}, nil
	case errors.Is(err, auction.ErrOwnAuction):
		return bidResult{code: "OWN_AUCTION", status: http.StatusForbidden}, nil
	case errors.Is(err, auction.ErrNotOpen):
		return bidResult{code: "AUCTION_NOT_OPEN", status: http.StatusConflict}, nil
	case errors.Is(err, auction.ErrAlreadyHighestBidder):
		return bidResult{code: "ALREADY_HIGHEST_BIDDER", status: http.StatusConflict}, nil
	case errors.Is(err, auction.ErrUseBuyNow):
		return bidResult{code: "USE_BUY_NOW", status: http.StatusUnprocessableEntity}, nil
	case errors.Is(err, point.ErrInsufficientPoints):
		return bidResult{code: codeInsufficientPoints, status: http.StatusConflict}, nil
	}
	return bidResult{}, fmt.Errorf("place bid: %w", err)
}

// rawTarget is the database under the raw limit: one connection per bidder.
type rawTarget struct {
	bidders []*rawBidder
}

func connectRawBidders(ctx context.Context, dsn string, f fixture) (rawTarget, error) {
	t := rawTarget{}
	for _, b := range f.bidders {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.close(ctx)
			return rawTarget{}, fmt.Errorf("connect raw bidder: %w", err)
		}
		t.bidders = append(t.bidders, &rawBidder{conn: conn, id: b.id})
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
