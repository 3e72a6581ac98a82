package bootstrap

import (
	"go.uber.org/fx"

	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/application"
)

var securityModule = fx.Module("security",
	fx.Provide(
		fx.Annotate(func(auth AuthSettings) (*security.BcryptHasher, error) {
			return security.NewBcryptHasher(auth.BcryptCost)
		}, fx.As(new(application.PasswordHasher))),
		fx.Annotate(func(auth AuthSettings) (*security.JWTAccessTokens, error) {
			return security.NewJWTAccessTokens([]byte(auth.JWTSecret), auth.AccessTokenTTL)
		}, fx.As(new(application.AccessTokens))),
		fx.Annotate(security.NewRandomSecrets, fx.As(new(application.Secrets))),
	),
)
