package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/application"
)

// registerFollows serves artists' pages, follows and the feed.
func (h accountHandlers) registerFollows(api *echo.Group, member echo.MiddlewareFunc) {
	api.PUT("/members/:id/follow", h.follow, member)
	api.DELETE("/members/:id/follow", h.unfollow, member)
	api.GET("/members/:id/followers", h.followList(application.Followers))
	api.GET("/members/:id/following", h.followList(application.Following))
	api.GET("/me/feed", h.feed, member)
}

// memberPageView is an artist's page: what anyone may see of a member, with
// their counts, and for a signed-in viewer whether they follow them.
type memberPageView struct {
	ID             int64     `json:"id"`
	Nickname       string    `json:"nickname"`
	School         *string   `json:"school"`
	CreatedAt      time.Time `json:"created_at"`
	ArtCount       int64     `json:"art_count"`
	SoldCount      int64     `json:"sold_count"`
	FollowerCount  int64     `json:"follower_count"`
	FollowingCount int64     `json:"following_count"`
	Followed       *bool     `json:"followed,omitempty"`
}

func toMemberPageView(p application.MemberPage) memberPageView {
	return memberPageView{
		ID: p.Member.ID, Nickname: p.Member.Nickname, School: optional(p.Member.School), CreatedAt: p.CreatedAt.UTC(),
		ArtCount: p.Stats.Arts, SoldCount: p.Stats.Sold, FollowerCount: p.Stats.Followers,
		FollowingCount: p.Stats.Following, Followed: p.Followed,
	}
}

func toOwnerView(m application.MemberRef) ownerView {
	return ownerView{ID: m.ID, Nickname: m.Nickname, School: optional(m.School)}
}

func (h accountHandlers) memberPage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	p, err := h.uc.MemberPage.Execute(c.Request().Context(), id, principal(c).MemberID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMemberPageView(p))
}

func (h accountHandlers) follow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.uc.Follow.Execute(c.Request().Context(), principal(c).MemberID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h accountHandlers) unfollow(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.uc.Unfollow.Execute(c.Request().Context(), principal(c).MemberID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h accountHandlers) followList(direction application.FollowDirection) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := pathID(c, "id")
		if err != nil {
			return err
		}
		page, err := pageQuery(c)
		if err != nil {
			return err
		}
		members, err := h.uc.Follows.Execute(c.Request().Context(), id, direction, page)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, toPageView(members, toOwnerView))
	}
}

func (h accountHandlers) feed(c echo.Context) error {
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	arts, err := h.uc.Feed.Execute(c.Request().Context(), principal(c).MemberID, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPageView(arts, toArtSummaryView))
}
