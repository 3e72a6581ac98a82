package postgres

import (
	"context"

	"github.com/uptrace/bun"
)

// IDB is idb for adapters outside this package that must run a statement in
// the transaction WithinTx put in ctx (the lock guards take their lock there),
// or else on the pool.
func IDB(ctx context.Context, db *bun.DB) bun.IDB {
	return idb(ctx, db)
}
