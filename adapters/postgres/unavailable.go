package postgres

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/artauction/artauction/application"
)

// markUnavailable marks err with application.ErrUnavailable when it says the
// database could not be reached or dropped the connection, so that it answers
// 503 and not 500; any other error (a bug, a constraint not handled) is left as is.
func markUnavailable(err error) error {
	if err == nil || errors.Is(err, application.ErrUnavailable) || !lostDatabase(err) {
		return err
	}
	return fmt.Errorf("%w: %w", application.ErrUnavailable, err)
}

// lostDatabaseCodes are the SQLSTATEs of a database that cannot serve now: the
// connection exceptions of class 08 but 08P01 (a protocol violation is a bug),
// a shutdown, a crash restart, a server not yet accepting connections, and one
// out of connection slots. Others (28 authentication included) are the query's
// or the configuration's fault.
var lostDatabaseCodes = map[string]bool{
	"08000": true, "08001": true, "08003": true, "08004": true, "08006": true, "08007": true,
	"57P01": true, "57P02": true, "57P03": true, "53300": true,
}

// lostDatabase tells a failure of the connection from a failure of the query.
func lostDatabase(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return lostDatabaseCodes[pgErr.Code]
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// The types below wrap pgx's database/sql driver: every error a store can get
// from the database passes through them, so connection failures are marked in
// this one place instead of at every query.

// unavailableConnector opens connections whose errors are marked.
type unavailableConnector struct{ driver.Connector }

// pgxConn is what pgx's database/sql connection implements; database/sql
// looks for each of these on the wrapper.
type pgxConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.NamedValueChecker
	Conn() *pgx.Conn
}

// pgxRows is what pgx's database/sql rows implement; bun reads column types.
type pgxRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

func (c unavailableConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, markUnavailable(err)
	}
	full, ok := conn.(pgxConn)
	if !ok {
		_ = conn.Close()
		return nil, fmt.Errorf("database driver connection %T lacks a database/sql interface", conn)
	}
	return unavailableConn{full}, nil
}

type unavailableConn struct{ pgxConn }

// failed marks err, and the "conn closed" pgx answers when the connection died
// under it.
func (c unavailableConn) failed(err error) error {
	if err != nil && c.Conn().IsClosed() && !errors.Is(err, application.ErrUnavailable) {
		return fmt.Errorf("%w: %w", application.ErrUnavailable, err)
	}
	return markUnavailable(err)
}

func (c unavailableConn) Prepare(query string) (driver.Stmt, error) {
	stmt, err := c.pgxConn.Prepare(query)
	return stmt, c.failed(err)
}

func (c unavailableConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	stmt, err := c.pgxConn.PrepareContext(ctx, query)
	return stmt, c.failed(err)
}

func (c unavailableConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c unavailableConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	tx, err := c.beginTx(ctx, opts)
	if err != nil {
		if pgconn.SafeToRetry(err) && c.Conn().IsClosed() {
			// Nothing was sent: database/sql begins again on a fresh connection.
			err = fmt.Errorf("%w: %w", driver.ErrBadConn, err)
		}
		return nil, c.failed(err)
	}
	return unavailableTx{tx: tx, conn: c}, nil
}

// beginTx begins with the statement ctx carries (beginSQLKey), which pgx's
// database/sql driver cannot be given, else as the driver does.
func (c unavailableConn) beginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	begin, ok := ctx.Value(beginSQLKey{}).(string)
	if !ok {
		return c.pgxConn.BeginTx(ctx, opts)
	}
	if opts != (driver.TxOptions{}) {
		return nil, errors.New("a transaction begun with its own statement takes no options")
	}
	if c.Conn().IsClosed() {
		return nil, driver.ErrBadConn
	}
	tx, err := c.Conn().BeginTx(ctx, pgx.TxOptions{BeginQuery: begin})
	if err != nil {
		// A statement after BEGIN that failed would leave the connection in an
		// aborted transaction; closed, the pool never hands it out again.
		_ = c.Conn().Close(ctx)
		return nil, err
	}
	return pgxDriverTx{ctx: ctx, tx: tx}, nil
}

// pgxDriverTx is a pgx transaction as database/sql drives it, as pgx's driver
// wraps the transactions it begins itself.
type pgxDriverTx struct {
	ctx context.Context
	tx  pgx.Tx
}

func (t pgxDriverTx) Commit() error   { return t.tx.Commit(t.ctx) }
func (t pgxDriverTx) Rollback() error { return t.tx.Rollback(t.ctx) }

func (c unavailableConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	res, err := c.pgxConn.ExecContext(ctx, query, args)
	return res, c.failed(err)
}

func (c unavailableConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.pgxConn.QueryContext(ctx, query, args)
	if err != nil {
		return nil, c.failed(err)
	}
	if full, ok := rows.(pgxRows); ok {
		return unavailableRows{full}, nil
	}
	return rows, nil
}

func (c unavailableConn) Ping(ctx context.Context) error {
	return c.failed(c.pgxConn.Ping(ctx))
}

type unavailableTx struct {
	tx   driver.Tx
	conn unavailableConn
}

// Commit marks a connection lost at commit too: its outcome is unknown, and a
// retry (with an Idempotency-Key) is how a client learns it.
func (t unavailableTx) Commit() error { return t.conn.failed(t.tx.Commit()) }

func (t unavailableTx) Rollback() error { return t.conn.failed(t.tx.Rollback()) }

type unavailableRows struct{ pgxRows }

func (r unavailableRows) Next(dest []driver.Value) error {
	err := r.pgxRows.Next(dest)
	//nolint:errorlint // database/sql compares the end of the rows with ==, so it must stay unwrapped.
	if err == io.EOF {
		return err
	}
	return markUnavailable(err)
}
