package bootstrap

import (
	"fmt"

	"go.uber.org/fx"

	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/storage"
	"github.com/artauction/artauction/application"
)

func newImageStore(settings ImageSettings) (*storage.LocalImageStore, error) {
	store, err := storage.NewLocalImageStore(settings.Dir)
	if err != nil {
		return nil, fmt.Errorf("IMAGE_DIR: %w", err)
	}
	return store, nil
}

var catalogModule = fx.Module("catalog",
	fx.Provide(
		fx.Annotate(newImageStore, fx.As(new(application.ImageStore))),
		fx.Annotate(storage.NewImageInspector, fx.As(new(application.ImageInspector))),
		fx.Annotate(postgres.NewArtStore, fx.As(new(application.ArtStore)), fx.As(new(application.HashtagMatcher))),
		fx.Annotate(postgres.NewLikeStore, fx.As(new(application.LikeStore))),
		fx.Annotate(postgres.NewHashtagStore, fx.As(new(application.HashtagStore))),
		application.NewCreateArt,
		application.NewGetArt,
		application.NewUpdateArt,
		application.NewDeleteArt,
		application.NewLikeArt,
		application.NewUnlikeArt,
		application.NewListArts,
		application.NewListHashtags,
		application.NewGetArtImage,
		newCatalogUseCases,
	),
)

func newCatalogUseCases(create *application.CreateArt, get *application.GetArt, update *application.UpdateArt,
	del *application.DeleteArt, like *application.LikeArt, unlike *application.UnlikeArt, list *application.ListArts,
	hashtags *application.ListHashtags, image *application.GetArtImage, clock application.Clock,
	idempotent *application.RunIdempotent) httpapi.CatalogUseCases {
	return httpapi.CatalogUseCases{
		Create: create, Get: get, Update: update, Delete: del, Like: like, Unlike: unlike, List: list,
		Hashtags: hashtags, Image: image, Clock: clock, Idempotent: idempotent,
	}
}
