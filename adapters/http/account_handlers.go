package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/validation"
)

// AccountUseCases are the member and auth use cases the REST adapter serves.
type AccountUseCases struct {
	RequestCode    *application.RequestVerificationCode
	SignUp         *application.SignUp
	Login          *application.Login
	Refresh        *application.RefreshTokens
	Logout         *application.Logout
	ResetPassword  *application.ResetPassword
	Authenticate   *application.Authenticate
	GetMember      *application.GetMember
	Availability   *application.CheckAvailability
	UpdateProfile  *application.UpdateProfile
	ChangePassword *application.ChangePassword
	ChargePoints   *application.ChargePoints
	RefundPoints   *application.RefundPoints
	PointHistory   *application.ListPointHistory
	// Idempotent replays a retried points charge or refund (Idempotency-Key).
	Idempotent *application.RunIdempotent
	// MemberPage, Follow, Unfollow, Follows and Feed serve artists' pages and
	// follows (follow_handlers.go).
	MemberPage *application.GetMemberPage
	Follow     *application.FollowMember
	Unfollow   *application.UnfollowMember
	Follows    *application.ListFollows
	Feed       *application.ListFeed
}

// CookieSettings shape the refresh-token cookie.
type CookieSettings struct {
	Secure     bool
	RefreshTTL time.Duration
}

type accountHandlers struct {
	uc     AccountUseCases
	cookie CookieSettings
}

const refreshCookie = "refresh_token"

func (h accountHandlers) register(api *echo.Group) {
	member := requireMember(h.uc.Authenticate)
	api.POST("/auth/verification-codes", h.requestCode)
	api.POST("/auth/login", h.login)
	api.POST("/auth/refresh", h.refresh)
	api.POST("/auth/logout", h.logout, member)
	api.POST("/auth/password-reset", h.resetPassword)
	api.POST("/members", h.signUp)
	api.GET("/members/availability", h.availability)
	api.GET("/members/:id", h.memberPage, optionalMember(h.uc.Authenticate))
	api.GET("/me", h.me, member)
	api.PATCH("/me", h.updateProfile, member)
	api.PUT("/me/password", h.changePassword, member)
	once := idempotent(h.uc.Idempotent)
	api.POST("/me/points/charges", h.charge, member, once)
	api.POST("/me/points/refunds", h.refund, member, once)
	api.GET("/me/points/history", h.pointHistory, member)
	h.registerFollows(api, member)
}

func (h accountHandlers) requestCode(c echo.Context) error {
	var body struct {
		Email   string `json:"email"`
		Purpose string `json:"purpose"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	ttl, err := h.uc.RequestCode.Execute(c.Request().Context(), application.RequestVerificationCodeCommand{
		Email: body.Email, Purpose: body.Purpose, ClientIP: c.RealIP(),
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, map[string]int64{"expires_in": int64(ttl.Seconds())})
}

func (h accountHandlers) signUp(c echo.Context) error {
	var body struct {
		Email            string `json:"email"`
		VerificationCode string `json:"verification_code"`
		Password         string `json:"password"`
		Nickname         string `json:"nickname"`
		Name             string `json:"name"`
		School           string `json:"school"`
		Phone            string `json:"phone"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	m, err := h.uc.SignUp.Execute(c.Request().Context(), application.SignUpCommand{
		Email: body.Email, VerificationCode: body.VerificationCode, Password: body.Password,
		Nickname: body.Nickname, Name: body.Name, School: body.School, Phone: body.Phone,
	})
	if err != nil {
		return err
	}
	c.Response().Header().Set(echo.HeaderLocation, "/api/v1/members/"+strconv.FormatInt(m.ID(), 10))
	return c.JSON(http.StatusCreated, toMemberView(m))
}

func (h accountHandlers) login(c echo.Context) error {
	var body struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	pair, err := h.uc.Login.Execute(c.Request().Context(), application.LoginCommand{
		Email: body.Email, Password: body.Password, ClientIP: c.RealIP(),
	})
	if err != nil {
		return err
	}
	return h.answerTokens(c, pair)
}

// refresh takes the token from the body or, for browsers, from the cookie.
func (h accountHandlers) refresh(c echo.Context) error {
	var body struct {
		RefreshToken string `json:"refresh_token"`
	}
	if hasBody(c.Request()) {
		if err := decodeJSON(c, &body); err != nil {
			return err
		}
	}
	token := body.RefreshToken
	if token == "" {
		if cookie, err := c.Cookie(refreshCookie); err == nil {
			token = cookie.Value
		}
	}
	pair, err := h.uc.Refresh.Execute(c.Request().Context(), token)
	if err != nil {
		return err
	}
	return h.answerTokens(c, pair)
}

func (h accountHandlers) answerTokens(c echo.Context, pair application.TokenPair) error {
	c.SetCookie(h.refreshTokenCookie(pair.RefreshToken, int(h.cookie.RefreshTTL.Seconds())))
	c.Response().Header().Set(echo.HeaderCacheControl, "no-store")
	return c.JSON(http.StatusOK, toTokensView(pair))
}

func (h accountHandlers) refreshTokenCookie(value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: refreshCookie, Value: value, Path: "/api/v1/auth", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.cookie.Secure,
	}
}

func (h accountHandlers) logout(c echo.Context) error {
	if err := h.uc.Logout.Execute(c.Request().Context(), principal(c)); err != nil {
		return err
	}
	c.SetCookie(h.refreshTokenCookie("", -1))
	return c.NoContent(http.StatusNoContent)
}

func (h accountHandlers) resetPassword(c echo.Context) error {
	var body struct {
		Email            string `json:"email"`
		VerificationCode string `json:"verification_code"`
		NewPassword      string `json:"new_password"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	err := h.uc.ResetPassword.Execute(c.Request().Context(), application.ResetPasswordCommand{
		Email: body.Email, VerificationCode: body.VerificationCode, NewPassword: body.NewPassword,
	})
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (h accountHandlers) availability(c echo.Context) error {
	var q application.AvailabilityQuery
	if values := c.QueryParams(); values.Has("email") {
		email := values.Get("email")
		q.Email = &email
	}
	if values := c.QueryParams(); values.Has("nickname") {
		nickname := values.Get("nickname")
		q.Nickname = &nickname
	}
	a, err := h.uc.Availability.Execute(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, struct {
		Email    *bool `json:"email,omitempty"`
		Nickname *bool `json:"nickname,omitempty"`
	}{a.Email, a.Nickname})
}

func (h accountHandlers) me(c echo.Context) error {
	m, err := h.uc.GetMember.Execute(c.Request().Context(), principal(c).MemberID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMemberView(m))
}

func (h accountHandlers) updateProfile(c echo.Context) error {
	var body struct {
		Nickname *string `json:"nickname"`
		School   *string `json:"school"`
		Phone    *string `json:"phone"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	m, err := h.uc.UpdateProfile.Execute(c.Request().Context(), principal(c).MemberID, member.ProfileChange{
		Nickname: body.Nickname, School: body.School, Phone: body.Phone,
	})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toMemberView(m))
}

func (h accountHandlers) changePassword(c echo.Context) error {
	var body struct {
		CurrentPassword string `json:"current_password"`
		NewPassword     string `json:"new_password"`
	}
	if err := decodeJSON(c, &body); err != nil {
		return err
	}
	err := h.uc.ChangePassword.Execute(c.Request().Context(), principal(c).MemberID, body.CurrentPassword, body.NewPassword)
	if err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

type amountBody struct {
	Amount *int64 `json:"amount"`
}

func decodeAmount(c echo.Context) (int64, error) {
	var body amountBody
	if err := decodeJSON(c, &body); err != nil {
		return 0, err
	}
	if body.Amount == nil {
		return 0, validation.Field("amount", "is required")
	}
	return *body.Amount, nil
}

func (h accountHandlers) charge(c echo.Context) error {
	amount, err := decodeAmount(c)
	if err != nil {
		return err
	}
	balance, err := h.uc.ChargePoints.Execute(c.Request().Context(), principal(c).MemberID, amount)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]pointsView{"points": toPointsView(balance)})
}

func (h accountHandlers) refund(c echo.Context) error {
	amount, err := decodeAmount(c)
	if err != nil {
		return err
	}
	balance, err := h.uc.RefundPoints.Execute(c.Request().Context(), principal(c).MemberID, amount)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, map[string]pointsView{"points": toPointsView(balance)})
}

func (h accountHandlers) pointHistory(c echo.Context) error {
	page, err := pageQuery(c)
	if err != nil {
		return err
	}
	history, err := h.uc.PointHistory.Execute(c.Request().Context(), principal(c).MemberID, page)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, toPageView(history, toLedgerEntryView))
}
