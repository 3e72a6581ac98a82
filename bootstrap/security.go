package bootstrap

import (
	"go.uber.org/fx"

	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/application"
)

var securityModule = fx.Module("security",
	fx.Provide(
		fx.Annotate(func(cfg Config) (*security.BcryptHasher, error) { return security.NewBcryptHasher(cfg.BcryptCost) },
			fx.As(new(application.PasswordHasher))),
		fx.Annotate(func(cfg Config) (*security.JWTAccessTokens, error) {
			return security.NewJWTAccessTokens([]byte(cfg.JWTSecret), cfg.AccessTokenTTL)
		}, fx.As(new(application.AccessTokens))),
		fx.Annotate(security.NewRandomSecrets, fx.As(new(application.Secrets))),
	),
)
