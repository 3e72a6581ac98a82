package test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const goodPassword = "s3cret-Pass"

type memberBody struct {
	ID       int64   `json:"id"`
	Email    string  `json:"email"`
	Nickname string  `json:"nickname"`
	Name     string  `json:"name"`
	School   *string `json:"school"`
	Points   struct {
		Total     int64 `json:"total"`
		Available int64 `json:"available"`
	} `json:"points"`
}

type tokensBody struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// signUp walks the code-and-sign-up path and returns the new member.
func (c *client) signUp(email, nickname string) memberBody {
	t := c.app.t
	t.Helper()
	res := c.do(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": email, "purpose": "signup"})
	require.Equal(t, http.StatusAccepted, res.status, "%s", res.body)
	code := c.app.codeFromMail(email)
	res = c.do(http.MethodPost, "/api/v1/members", map[string]string{
		"email": email, "verification_code": code, "password": goodPassword, "nickname": nickname, "name": "Test " + nickname,
	})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var m memberBody
	res.decode(t, &m)
	require.Equal(t, "/api/v1/members/"+itoa(m.ID), res.header.Get("Location"))
	return m
}

// login logs in and keeps the access token for the client's next requests.
func (c *client) login(email, password string) tokensBody {
	t := c.app.t
	t.Helper()
	res := c.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": email, "password": password})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var tokens tokensBody
	res.decode(t, &tokens)
	c.token = tokens.AccessToken
	return tokens
}

func TestMemberWalk(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.newClient()
	const email = "walker@example.com"

	m := c.signUp(email, "walker")
	assert.Equal(t, email, m.Email)
	assert.Nil(t, m.School)

	tokens := c.login(email, goodPassword)
	assert.Equal(t, "Bearer", tokens.TokenType)
	assert.Equal(t, 900, tokens.ExpiresIn)

	res := c.do(http.MethodGet, "/api/v1/me", nil)
	require.Equal(t, http.StatusOK, res.status)
	var me memberBody
	res.decode(t, &me)
	assert.Equal(t, m.ID, me.ID)
	assert.Zero(t, me.Points.Total)

	res = c.do(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": 5000})
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	assert.JSONEq(t, `{"points":{"total":5000,"available":5000}}`, string(res.body))

	res = c.do(http.MethodPost, "/api/v1/me/points/refunds", map[string]int64{"amount": 10000})
	require.Equal(t, http.StatusConflict, res.status)
	assert.Equal(t, "INSUFFICIENT_POINTS", res.problemCode(t))

	res = c.do(http.MethodPost, "/api/v1/me/points/refunds", map[string]int64{"amount": 1500})
	require.Equal(t, http.StatusCreated, res.status)
	assert.JSONEq(t, `{"points":{"total":3500,"available":3500}}`, string(res.body))

	res = c.do(http.MethodGet, "/api/v1/me/points/history?size=1", nil)
	require.Equal(t, http.StatusOK, res.status)
	var history struct {
		Items []struct {
			Type   string `json:"type"`
			Amount int64  `json:"amount"`
		} `json:"items"`
		TotalItems int `json:"total_items"`
		TotalPages int `json:"total_pages"`
	}
	res.decode(t, &history)
	require.Len(t, history.Items, 1)
	assert.Equal(t, "REFUND", history.Items[0].Type, "newest first")
	assert.Equal(t, int64(1500), history.Items[0].Amount)
	assert.Equal(t, 2, history.TotalItems)
	assert.Equal(t, 2, history.TotalPages)

	// Refresh rotates: the new pair works, the old refresh token is used up, and
	// presenting it again revokes the whole login.
	res = c.do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": tokens.RefreshToken})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var rotated tokensBody
	res.decode(t, &rotated)
	assert.NotEqual(t, tokens.RefreshToken, rotated.RefreshToken)
	c.token = rotated.AccessToken
	require.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/me", nil).status)

	res = c.do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": tokens.RefreshToken})
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "TOKEN_REVOKED", res.problemCode(t))
	res = c.do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": rotated.RefreshToken})
	assert.Equal(t, "TOKEN_REVOKED", res.problemCode(t), "the rotated token belongs to the revoked login")
	res = c.do(http.MethodGet, "/api/v1/me", nil)
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "TOKEN_REVOKED", res.problemCode(t), "access tokens of the revoked login stop too")

	// Logout revokes the access token and its refresh token.
	session := c.login(email, goodPassword)
	require.Equal(t, http.StatusNoContent, c.do(http.MethodPost, "/api/v1/auth/logout", nil).status)
	res = c.do(http.MethodGet, "/api/v1/me", nil)
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "TOKEN_REVOKED", res.problemCode(t))
	res = c.do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": session.RefreshToken})
	assert.Equal(t, "TOKEN_REVOKED", res.problemCode(t))

	// Password reset revokes every token held before and changes the password.
	before := c.login(email, goodPassword)
	res = c.do(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": email, "purpose": "password_reset"})
	require.Equal(t, http.StatusAccepted, res.status)
	code := a.codeFromMail(email)
	const newPassword = "n3w-Password!"
	res = c.do(http.MethodPost, "/api/v1/auth/password-reset", map[string]string{
		"email": email, "verification_code": code, "new_password": newPassword,
	})
	require.Equal(t, http.StatusNoContent, res.status, "%s", res.body)
	res = c.do(http.MethodGet, "/api/v1/me", nil)
	assert.Equal(t, "TOKEN_REVOKED", res.problemCode(t))
	res = c.do(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": before.RefreshToken})
	assert.Equal(t, "TOKEN_REVOKED", res.problemCode(t))
	res = c.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": email, "password": goodPassword})
	assert.Equal(t, "INVALID_CREDENTIALS", res.problemCode(t))
	c.login(email, newPassword)
	assert.Equal(t, http.StatusOK, c.do(http.MethodGet, "/api/v1/me", nil).status)

	// The code is used up.
	res = c.do(http.MethodPost, "/api/v1/auth/password-reset", map[string]string{
		"email": email, "verification_code": code, "new_password": goodPassword,
	})
	assert.Equal(t, "INVALID_VERIFICATION_CODE", res.problemCode(t))
}

func TestRefreshByCookie(t *testing.T) {
	t.Parallel()
	// In development the cookie is not Secure, so this plain-HTTP client sends it back.
	a := startApp(t, withDevEnv)
	c := a.newClient()
	c.signUp("cookie@example.com", "cookie")
	tokens := c.login("cookie@example.com", goodPassword)

	// No body: the browser's cookie carries the refresh token.
	res := c.do(http.MethodPost, "/api/v1/auth/refresh", nil)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var rotated tokensBody
	res.decode(t, &rotated)
	assert.NotEqual(t, tokens.RefreshToken, rotated.RefreshToken)
	cookie := res.header.Get("Set-Cookie")
	for _, attr := range []string{"refresh_token=", "Path=/api/v1/auth", "HttpOnly", "SameSite=Strict"} {
		assert.Contains(t, cookie, attr)
	}
	assert.NotContains(t, cookie, "Secure")

	stranger := a.newClient()
	res = stranger.do(http.MethodPost, "/api/v1/auth/refresh", nil)
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "UNAUTHENTICATED", res.problemCode(t))
}

func TestWrongCodeFiveTimesVoidsIt(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.newClient()
	const email = "guesser@example.com"
	require.Equal(t, http.StatusAccepted,
		c.do(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": email, "purpose": "signup"}).status)
	code := a.codeFromMail(email)
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	signUp := func(code string) response {
		return c.do(http.MethodPost, "/api/v1/members", map[string]string{
			"email": email, "verification_code": code, "password": goodPassword, "nickname": "guesser", "name": "G",
		})
	}
	for range 5 {
		res := signUp(wrong)
		require.Equal(t, http.StatusBadRequest, res.status)
		require.Equal(t, "INVALID_VERIFICATION_CODE", res.problemCode(t))
	}
	res := signUp(code)
	require.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, "INVALID_VERIFICATION_CODE", res.problemCode(t), "five wrong tries void the right code too")
}

func TestDuplicatesAndProfile(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.newClient()
	first := c.signUp("first@example.com", "first")
	other := a.newClient()
	other.signUp("second@example.com", "second")

	res := c.do(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": "FIRST@example.com", "purpose": "signup"})
	require.Equal(t, http.StatusConflict, res.status)
	assert.Equal(t, "EMAIL_TAKEN", res.problemCode(t), "emails compare case-insensitively")

	res = c.do(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": "third@example.com", "purpose": "signup"})
	require.Equal(t, http.StatusAccepted, res.status)
	code := a.codeFromMail("third@example.com")
	res = c.do(http.MethodPost, "/api/v1/members", map[string]string{
		"email": "third@example.com", "verification_code": code, "password": goodPassword, "nickname": "first", "name": "T",
	})
	require.Equal(t, http.StatusConflict, res.status)
	assert.Equal(t, "NICKNAME_TAKEN", res.problemCode(t))
	res = c.do(http.MethodPost, "/api/v1/members", map[string]string{
		"email": "first@example.com", "verification_code": code, "password": goodPassword, "nickname": "first", "name": "T",
	})
	assert.Equal(t, "EMAIL_TAKEN", res.problemCode(t), "email is checked before nickname")

	res = c.do(http.MethodGet, "/api/v1/members/availability?email=first@example.com&nickname=nobody", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{"email":false,"nickname":true}`, string(res.body))
	res = c.do(http.MethodGet, "/api/v1/members/availability?nickname=second", nil)
	assert.JSONEq(t, `{"nickname":false}`, string(res.body))

	c.login("first@example.com", goodPassword)
	res = c.do(http.MethodPatch, "/api/v1/me", map[string]string{"nickname": "second"})
	require.Equal(t, http.StatusConflict, res.status)
	assert.Equal(t, "NICKNAME_TAKEN", res.problemCode(t))
	res = c.do(http.MethodPatch, "/api/v1/me", map[string]string{"nickname": "화가01", "school": "Hongik University"})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	res = c.do(http.MethodGet, "/api/v1/members/"+itoa(first.ID), nil)
	require.Equal(t, http.StatusOK, res.status)
	var public map[string]any
	res.decode(t, &public)
	assert.Equal(t, "화가01", public["nickname"])
	assert.Equal(t, "Hongik University", public["school"])
	assert.NotContains(t, public, "email", "the public profile hides private fields")
	assert.NotContains(t, public, "points")

	res = c.do(http.MethodGet, "/api/v1/members/999999", nil)
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, "MEMBER_NOT_FOUND", res.problemCode(t))

	res = c.do(http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": "wrong-Pass1", "new_password": "An0ther-pass"})
	require.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, "INVALID_CREDENTIALS", res.problemCode(t))
	res = c.do(http.MethodPut, "/api/v1/me/password", map[string]string{"current_password": goodPassword, "new_password": "An0ther-pass"})
	require.Equal(t, http.StatusNoContent, res.status, "%s", res.body)
	c.login("first@example.com", "An0ther-pass")
}

func TestPasswordResetOfUnknownEmailSendsNothing(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.newClient()
	res := c.do(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": "ghost@example.com", "purpose": "password_reset"})
	require.Equal(t, http.StatusAccepted, res.status)
	assert.JSONEq(t, `{"expires_in":600}`, string(res.body))
	// A mail to a known address proves the outbox ran meanwhile.
	c.signUp("known@example.com", "known")
	assert.Zero(t, a.mailCount("ghost@example.com"))

	res = c.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "ghost@example.com", "password": goodPassword})
	require.Equal(t, http.StatusUnauthorized, res.status)
	ghost := res.body
	res = c.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "known@example.com", "password": "wrong-Pass1"})
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, withoutRequestID(t, ghost), withoutRequestID(t, res.body), "unknown email and wrong password look the same")
}

func withoutRequestID(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var p map[string]any
	require.NoError(t, json.Unmarshal(body, &p))
	delete(p, "request_id")
	return p
}

func TestBadRequests(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.newClient()
	c.signUp("bad@example.com", "bad")
	res := c.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "bad@example.com", "password": goodPassword})
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, res.header.Get("Set-Cookie"), "Secure", "outside development the refresh cookie is Secure")
	c.login("bad@example.com", goodPassword)

	res = c.do(http.MethodPost, "/api/v1/auth/login", []byte(`{"email":`), "Content-Type", "application/json")
	require.Equal(t, http.StatusBadRequest, res.status)
	assert.Equal(t, "MALFORMED_REQUEST", res.problemCode(t))

	res = c.do(http.MethodPost, "/api/v1/auth/login", []byte(`email=a`), "Content-Type", "application/x-www-form-urlencoded")
	require.Equal(t, http.StatusUnsupportedMediaType, res.status)
	assert.Equal(t, "UNSUPPORTED_MEDIA_TYPE", res.problemCode(t))

	big := []byte(`{"email":"` + strings.Repeat("a", 200_000) + `"}`)
	res = c.do(http.MethodPost, "/api/v1/auth/login", big, "Content-Type", "application/json")
	require.Equal(t, http.StatusRequestEntityTooLarge, res.status)
	assert.Equal(t, "PAYLOAD_TOO_LARGE", res.problemCode(t))

	res = c.do(http.MethodPost, "/api/v1/me/points/charges", []byte(`{"amount":"lots"}`), "Content-Type", "application/json")
	require.Equal(t, http.StatusBadRequest, res.status)
	assertFieldErrors(t, res, "amount")

	res = c.do(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": 100_000_001})
	assertFieldErrors(t, res, "amount")
	res = c.do(http.MethodPost, "/api/v1/me/points/charges", map[string]any{})
	assertFieldErrors(t, res, "amount")

	res = c.do(http.MethodPost, "/api/v1/members", map[string]string{"email": "nope", "password": "short", "nickname": "x", "name": ""})
	assertFieldErrors(t, res, "email", "password", "nickname", "name", "verification_code")

	res = c.do(http.MethodGet, "/api/v1/me/points/history?size=101", nil)
	assertFieldErrors(t, res, "size")
	res = c.do(http.MethodGet, "/api/v1/members/abc", nil)
	assertFieldErrors(t, res, "id")
	res = c.do(http.MethodGet, "/api/v1/members/availability", nil)
	assertFieldErrors(t, res, "email")
	res = c.do(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": "x@example.com", "purpose": "party"})
	assertFieldErrors(t, res, "purpose")

	anonymous := a.newClient()
	res = anonymous.do(http.MethodGet, "/api/v1/me", nil)
	require.Equal(t, http.StatusUnauthorized, res.status)
	assert.Equal(t, "UNAUTHENTICATED", res.problemCode(t))
	res = anonymous.do(http.MethodGet, "/api/v1/me", nil, "Authorization", "Bearer not.a.jwt")
	assert.Equal(t, "UNAUTHENTICATED", res.problemCode(t))

	res = c.do(http.MethodGet, "/api/v1/no-such-thing", nil)
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, "NOT_FOUND", res.problemCode(t))
	assert.NotEmpty(t, res.header.Get("X-Request-Id"))
}

func assertFieldErrors(t *testing.T, res response, fields ...string) {
	t.Helper()
	require.Equal(t, http.StatusBadRequest, res.status, "%s", res.body)
	var p struct {
		Code   string `json:"code"`
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	res.decode(t, &p)
	assert.Equal(t, "VALIDATION_FAILED", p.Code)
	var got []string
	for _, e := range p.Errors {
		got = append(got, e.Field)
	}
	assert.ElementsMatch(t, fields, got)
}

func TestRateLimits(t *testing.T) {
	t.Parallel()
	a := startApp(t, withRateLimits)
	c := a.newClient()
	body := map[string]string{"email": "limited@example.com", "purpose": "signup"}
	require.Equal(t, http.StatusAccepted, c.do(http.MethodPost, "/api/v1/auth/verification-codes", body).status)
	res := c.do(http.MethodPost, "/api/v1/auth/verification-codes", body)
	require.Equal(t, http.StatusTooManyRequests, res.status)
	assert.Equal(t, "RATE_LIMITED", res.problemCode(t))
	assert.NotEmpty(t, res.header.Get("Retry-After"))

	c.signUp("victim@example.com", "victim")
	for i := range 10 {
		res := c.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": "wrong-Pass1"})
		require.Equal(t, http.StatusUnauthorized, res.status, "failed login %d", i+1)
	}
	res = c.do(http.MethodPost, "/api/v1/auth/login", map[string]string{"email": "victim@example.com", "password": goodPassword})
	require.Equal(t, http.StatusTooManyRequests, res.status, "after 10 failures even the right password waits")
	assert.Equal(t, "RATE_LIMITED", res.problemCode(t))
	retry := res.header.Get("Retry-After")
	assert.NotEmpty(t, retry)
}

func TestOperationsEndpoints(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	c := a.newClient()
	res := c.do(http.MethodGet, "/healthz", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{"status":"ok"}`, string(res.body))
	res = c.do(http.MethodGet, "/readyz", nil)
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	res = c.do(http.MethodGet, "/api/v1/openapi.yaml", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, string(res.body), "openapi: 3")
	res = c.do(http.MethodGet, "/docs", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, string(res.body), "/api/v1/auth/login")
	res = c.do(http.MethodGet, "/metrics", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.Contains(t, string(res.body), `http_request_duration_seconds_count{method="GET",route="/api/v1/openapi.yaml",status="200"}`)
	assert.Contains(t, string(res.body), "mail_outbox_backlog")
}
