package bootstrap

import (
	"context"
	"fmt"

	"github.com/uptrace/bun"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/application"
)

// dbReady is a *bun.DB whose migrations have been applied by its start hook.
type dbReady struct{ *bun.DB }

// newDatabase opens the pool; its start hook checks the connection and migrates,
// its stop hook closes the pool after everything that uses it has stopped.
func newDatabase(lc fx.Lifecycle, settings PostgresSettings, logger *zap.Logger) (dbReady, error) {
	db, err := postgres.Open(context.Background(), settings.URL, postgres.WithMaxOpenConns(settings.MaxConns))
	if err != nil {
		return dbReady{}, fmt.Errorf("DATABASE_URL: %w", err)
	}
	lc.Append(fx.Hook{
		OnStart: func(ctx context.Context) error {
			if err := postgres.Migrate(ctx, db); err != nil {
				return fmt.Errorf("migrate database: %w", err)
			}
			logger.Info("database migrated")
			return nil
		},
		OnStop: func(context.Context) error { return db.Close() },
	})
	return dbReady{db}, nil
}

var postgresModule = fx.Module("postgres",
	fx.Provide(
		newDatabase,
		func(db dbReady) *bun.DB { return db.DB },
		fx.Annotate(postgres.NewTransactor, fx.As(new(application.Transactor))),
		fx.Annotate(postgres.NewMemberStore, fx.As(new(application.MemberStore))),
		fx.Annotate(postgres.NewPointStore, fx.As(new(application.PointStore))),
		fx.Annotate(postgres.NewSessionStore, fx.As(new(application.SessionStore))),
		fx.Annotate(postgres.NewMailOutbox, fx.As(new(application.MailOutbox))),
	),
)
