package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// SQLSTATE codes the stores turn into domain errors.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
	notNullViolation    = "23502"
)

// violatedConstraint names the constraint err broke when its SQLSTATE is code.
func violatedConstraint(err error, code string) (string, bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == code {
		return pgErr.ConstraintName, true
	}
	return "", false
}

// violatedNotNull names the column err left NULL against its NOT NULL.
func violatedNotNull(err error) (string, bool) {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == notNullViolation {
		return pgErr.ColumnName, true
	}
	return "", false
}
