package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/validation"
)

// CatalogUseCases are the art use cases the REST adapter serves.
type CatalogUseCases struct {
	Create   *application.CreateArt
	Get      *application.GetArt
	Update   *application.UpdateArt
	Delete   *application.DeleteArt
	Like     *application.LikeArt
	Unlike   *application.UnlikeArt
	List     *application.ListArts
	Hashtags *application.ListHashtags
	Image    *application.GetArtImage
	// Clock tells the view whether an auction is scheduled or open.
	Clock application.Clock
	// Idempotent replays a retried art creation (Idempotency-Key).
	Idempotent *application.RunIdempotent
}

type artHandlers struct {
	uc           CatalogUseCases
	authenticate *application.Authenticate
}

func (h artHandlers) register(api *echo.Group) {
	member := requireMember(h.authenticate)
	maybeMember := optionalMember(h.authenticate)
	api.POST("/arts", h.create, member, idempotent(h.uc.Idempotent))
	api.GET("/arts", h.list)
	api.GET("/arts/:id", h.get, maybeMember)
	api.PATCH("/arts/:id", h.update, member)
	api.DELETE("/arts/:id", h.delete, member)
	api.GET("/arts/:id/image", h.image)
	api.PUT("/arts/:id/like", h.like, member)
	api.DELETE("/arts/:id/like", h.unlike, member)
	api.GET("/me/arts", h.myArts, member)
	api.GET("/me/likes", h.myLikes, member)
	api.GET("/hashtags", h.hashtags)
}

func (h artHandlers) create(c echo.Context) error {
	cmd, err := readArtForm(c, principal(c).MemberID)
	if err != nil {
		return err
	}
	d, err := h.uc.Create.Execute(c.Request().Context(), cmd)
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/arts/"+strconv.FormatInt(d.Art.ID(), 10))
	return c.JSON(http.StatusCreated, toArtDetailView(d, h.uc.Clock.Now(), principal(c).MemberID))
}

func (h artHandlers) get(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	d, err := h.uc.Get.Execute(c.Request().Context(), id, principal(c).MemberID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toArtDetailView(d, h.uc.Clock.Now(), principal(c).MemberID))
}

func (h artHandlers) update(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var body struct {
		Name        *string   `json:"name"`
		Description *string   `json:"description"`
		Hashtags    *[]string `json:"hashtags"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	change := art.Change{Name: body.Name, Description: body.Description}
	if body.Hashtags != nil {
		change.Hashtags, change.HasHashtags = *body.Hashtags, true
	}
	d, err := h.uc.Update.Execute(c.Request().Context(), principal(c).MemberID, id, change)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toArtDetailView(d, h.uc.Clock.Now(), principal(c).MemberID))
}

func (h artHandlers) delete(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.uc.Delete.Execute(c.Request().Context(), principal(c).MemberID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// image serves the bytes with a strong ETag; http.ServeContent answers 304 to a
// matching If-None-Match and handles ranges.
func (h artHandlers) image(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	img, err := h.uc.Image.Execute(c.Request().Context(), id)
	if err != nil {
		return err
	}
	defer img.Content.Close()
	header := c.Response().Header()
	header.Set(echo.HeaderContentType, img.ContentType)
	header.Set("ETag", `"`+img.ETag+`"`)
	// The bytes of an art's image never change; a deleted art answers 404 after a day at most.
	header.Set(echo.HeaderCacheControl, "public, max-age=86400")
	http.ServeContent(c.Response(), c.Request(), "", time.Time{}, img.Content)
	return nil
}

func (h artHandlers) like(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.uc.Like.Execute(c.Request().Context(), principal(c).MemberID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h artHandlers) unlike(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.uc.Unlike.Execute(c.Request().Context(), principal(c).MemberID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h artHandlers) list(c echo.Context) error {
	var col validation.Collector
	owner := int64(intQuery(c, "owner_id", &col))
	if err := col.Err(); err != nil {
		return err
	}
	return h.listWith(c, application.ListArtsRequest{
		Text: c.QueryParam("q"), Hashtag: c.QueryParam("hashtag"), Type: c.QueryParam("type"),
		Status: c.QueryParam("status"), Sort: c.QueryParam("sort"), OwnerID: owner,
	})
}

func (h artHandlers) myArts(c echo.Context) error {
	return h.listWith(c, application.ListArtsRequest{
		Status: c.QueryParam("status"), Sort: c.QueryParam("sort"), OwnerID: principal(c).MemberID,
	})
}

func (h artHandlers) myLikes(c echo.Context) error {
	return h.listWith(c, application.ListArtsRequest{LikedBy: principal(c).MemberID})
}

func (h artHandlers) listWith(c echo.Context, req application.ListArtsRequest) error {
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	arts, err := h.uc.List.Execute(c.Request().Context(), req, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPageView(arts, toArtSummaryView))
}

func (h artHandlers) hashtags(c echo.Context) error {
	var col validation.Collector
	limit := intQuery(c, "limit", &col)
	if err := col.Err(); err != nil {
		return err
	}
	tags, err := h.uc.Hashtags.Execute(c.Request().Context(), c.QueryParam("prefix"), limit)
	if err != nil {
		return err
	}
	items := make([]hashtagView, 0, len(tags))
	for _, t := range tags {
		items = append(items, toHashtagView(t))
	}
	return c.JSON(http.StatusOK, map[string][]hashtagView{"items": items})
}
