package httpapi

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/validation"
)

// NotificationUseCases are the inbox use cases the REST adapter serves.
type NotificationUseCases struct {
	List        *application.ListNotifications
	CountUnread *application.CountUnreadNotifications
	MarkRead    *application.MarkNotificationRead
	MarkAllRead *application.MarkAllNotificationsRead
}

type notificationHandlers struct {
	uc           NotificationUseCases
	authenticate *application.Authenticate
}

func (h notificationHandlers) register(api *echo.Group) {
	member := requireMember(h.authenticate)
	api.GET("/me/notifications", h.list, member)
	api.GET("/me/notifications/unread-count", h.unreadCount, member)
	api.PUT("/me/notifications/:id/read", h.markRead, member)
	api.POST("/me/notifications/read-all", h.markAllRead, member)
}

func (h notificationHandlers) list(c echo.Context) error {
	unreadOnly, err := unreadQuery(c)
	if err != nil {
		return err
	}
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	items, err := h.uc.List.Execute(c.Request().Context(), principal(c).MemberID, unreadOnly, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPageView(items, toNotificationView))
}

// unreadQuery reads ?unread=, true or false; absent means false.
func unreadQuery(c echo.Context) (bool, error) {
	switch c.QueryParam("unread") {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	}
	return false, validation.Field("unread", "must be true or false")
}

func (h notificationHandlers) unreadCount(c echo.Context) error {
	n, err := h.uc.CountUnread.Execute(c.Request().Context(), principal(c).MemberID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]int64{"unread": n})
}

func (h notificationHandlers) markRead(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := h.uc.MarkRead.Execute(c.Request().Context(), principal(c).MemberID, id); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h notificationHandlers) markAllRead(c echo.Context) error {
	if err := h.uc.MarkAllRead.Execute(c.Request().Context(), principal(c).MemberID); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// notificationView is a notification as the inbox and the member stream show it.
type notificationView struct {
	ID        int64              `json:"id"`
	Kind      notification.Kind  `json:"kind"`
	ArtID     int64              `json:"art_id"`
	AuctionID *int64             `json:"auction_id,omitempty"`
	Amount    *int64             `json:"amount,omitempty"`
	Actor     *notificationActor `json:"actor,omitempty"`
	Read      bool               `json:"read"`
	CreatedAt time.Time          `json:"created_at"`
}

// notificationActor is the member a notification is about.
type notificationActor struct {
	ID       int64  `json:"id"`
	Nickname string `json:"nickname"`
}

func toNotificationView(n notification.Notification) notificationView {
	v := notificationView{ID: n.ID(), Kind: n.Kind(), ArtID: n.ArtID(), Read: n.Read(), CreatedAt: n.CreatedAt().UTC()}
	if id := n.AuctionID(); id != 0 {
		v.AuctionID = &id
	}
	if amount := n.Amount(); amount != 0 {
		v.Amount = &amount
	}
	if actor, ok := n.Actor(); ok {
		v.Actor = &notificationActor{ID: actor.ID, Nickname: actor.Nickname}
	}
	return v
}
