package bootstrap

import (
	"time"

	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/artauction/artauction/adapters/background"
	"github.com/artauction/artauction/adapters/lock"
	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/application"
)

// idempotencyPurgeInterval is how often answered keys past the replay window
// are deleted; a key is only replayed within the window whether or not it is purged.
const idempotencyPurgeInterval = time.Hour

func newRunIdempotent(tx application.Transactor, store application.IdempotencyStore,
	clock application.Clock) (*application.RunIdempotent, error) {
	// An idempotent request owns the transaction the auction guard joins, so
	// it takes over the guard's retries of a lost conditional write.
	return application.NewRunIdempotent(tx, store, clock, lock.DefaultOptimisticRetries)
}

func startIdempotencyPurge(lc fx.Lifecycle, purge *application.PurgeIdempotencyKeys, logger *zap.Logger) error {
	worker, err := background.NewPeriodic("idempotency key purge", purge, idempotencyPurgeInterval, logger)
	if err != nil {
		return err
	}
	lc.Append(fx.Hook{OnStart: worker.Start, OnStop: worker.Stop})
	return nil
}

var idempotencyModule = fx.Module("idempotency",
	fx.Provide(
		fx.Annotate(postgres.NewIdempotencyStore, fx.As(new(application.IdempotencyStore))),
		newRunIdempotent,
		application.NewPurgeIdempotencyKeys,
	),
	fx.Invoke(startIdempotencyPurge),
)
