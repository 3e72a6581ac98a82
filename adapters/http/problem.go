// Package httpapi is the REST adapter: echo handlers, middleware, the OpenAPI
// document, and the one mapping from errors to RFC 9457 problem documents.
package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"
	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
	"github.com/artauction/artauction/domain/auth"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/notification"
	"github.com/artauction/artauction/domain/point"
	"github.com/artauction/artauction/domain/validation"
)

// Problem is an RFC 9457 problem document with the stable code clients switch on.
type Problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Detail    string `json:"detail"`
	Code      string `json:"code"`
	RequestID string `json:"request_id,omitempty"`
	// MinNextBid tells a BID_TOO_LOW client the lowest amount it may bid now.
	MinNextBid *int64         `json:"min_next_bid,omitempty"`
	Errors     []FieldProblem `json:"errors,omitempty"`

	retryAfterSeconds int
}

// FieldProblem names one invalid field of a request.
type FieldProblem struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Errors raised by the HTTP layer itself.
var (
	errMalformedRequest = errors.New("the request body is not valid JSON")
	errUnsupportedMedia = errors.New("the request body must be application/json")
	errNotMultipart     = errors.New("the request body must be multipart/form-data")
	errPayloadTooLarge  = errors.New("the request body is too large")
	errMissingBearer    = fmt.Errorf("an Authorization: Bearer token is required: %w", auth.ErrUnauthenticated)
)

// mapping is the one table from domain and application errors to problems; the
// first entry that matches wins, so specific errors stand before general ones.
var mapping = []struct {
	err    error
	status int
	code   string
	detail string
}{
	{member.ErrNotFound, http.StatusNotFound, "MEMBER_NOT_FOUND", "No member has this id."},
	{art.ErrNotFound, http.StatusNotFound, "ART_NOT_FOUND", "No art has this id."},
	{auction.ErrNotFound, http.StatusNotFound, "AUCTION_NOT_FOUND", "No auction has this id."},
	{notification.ErrNotFound, http.StatusNotFound, "NOTIFICATION_NOT_FOUND", "You have no notification with this id."},
	{auction.ErrOwnAuction, http.StatusForbidden, "OWN_AUCTION", "Members may not bid on or buy their own auction."},
	{auction.ErrNotOpen, http.StatusConflict, "AUCTION_NOT_OPEN", "The auction is not open."},
	{auction.ErrAlreadyHighestBidder, http.StatusConflict, "ALREADY_HIGHEST_BIDDER", "You already lead this auction."},
	{auction.ErrUseBuyNow, http.StatusUnprocessableEntity, "USE_BUY_NOW",
		"The amount reaches the buy-now price; buy now instead."},
	{auction.ErrBuyNowUnavailable, http.StatusConflict, "BUY_NOW_UNAVAILABLE",
		"This auction has no buy-now price, or its highest bid has reached it."},
	{art.ErrOwnArt, http.StatusForbidden, "OWN_ART", "Members may not buy their own art."},
	{art.ErrNotForDirectSale, http.StatusConflict, "NOT_FOR_DIRECT_SALE", "An auction art is sold by its auction only."},
	{application.ErrDetectionUnavailable, http.StatusServiceUnavailable, "DETECTION_UNAVAILABLE",
		"Object detection is unavailable; try again later."},
	{application.ErrIdempotencyKeyReused, http.StatusUnprocessableEntity, "IDEMPOTENCY_KEY_REUSED",
		"This Idempotency-Key was already used for a different request; use a new key."},
	{application.ErrIdempotencyInProgress, http.StatusConflict, "IDEMPOTENCY_IN_PROGRESS",
		"A request with this Idempotency-Key is still running; retry it shortly."},
	{application.ErrLockUnavailable, http.StatusServiceUnavailable, "LOCK_UNAVAILABLE",
		"The auction is busy; try again in a moment."},
	{art.ErrNotOwner, http.StatusForbidden, "NOT_ART_OWNER", "Only the art's owner may do this."},
	{art.ErrSold, http.StatusConflict, "ART_SOLD", "The art is sold."},
	{art.ErrAuctionHasBids, http.StatusConflict, "AUCTION_HAS_BIDS", "The art's auction has bids."},
	{art.ErrUnsupportedImage, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
		"The image must be a JPEG, PNG or WebP."},
	{art.ErrImageTooLarge, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE",
		"The image must be at most 10 MiB, 40 megapixels and 16384 pixels a side."},
	{member.ErrEmailTaken, http.StatusConflict, "EMAIL_TAKEN", "This email is already registered."},
	{member.ErrNicknameTaken, http.StatusConflict, "NICKNAME_TAKEN", "This nickname is already taken."},
	{member.ErrCannotFollowSelf, http.StatusConflict, "CANNOT_FOLLOW_SELF", "Members may not follow themselves."},
	{auth.ErrInvalidVerificationCode, http.StatusBadRequest, "INVALID_VERIFICATION_CODE",
		"The verification code is wrong, expired, or used up; request a new one."},
	{auth.ErrWrongCurrentPassword, http.StatusBadRequest, "INVALID_CREDENTIALS", "The current password is wrong."},
	{auth.ErrInvalidCredentials, http.StatusUnauthorized, "INVALID_CREDENTIALS", "The email or password is wrong."},
	{auth.ErrTokenExpired, http.StatusUnauthorized, "TOKEN_EXPIRED", "The token has expired; refresh it or log in again."},
	{auth.ErrTokenRevoked, http.StatusUnauthorized, "TOKEN_REVOKED", "The token has been revoked; log in again."},
	{auth.ErrUnauthenticated, http.StatusUnauthorized, "UNAUTHENTICATED", "A valid access token is required."},
	{point.ErrInsufficientPoints, http.StatusConflict, "INSUFFICIENT_POINTS", "Not enough available points."},
	{errMalformedRequest, http.StatusBadRequest, "MALFORMED_REQUEST", "The request body is not valid JSON."},
	{errUnsupportedMedia, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
		"Send the request body as application/json."},
	{errNotMultipart, http.StatusUnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE",
		"Send the request body as multipart/form-data."},
	{errPayloadTooLarge, http.StatusRequestEntityTooLarge, "PAYLOAD_TOO_LARGE", "The request body is too large."},
	// One code for both watcher limits; the status tells whose limit it is.
	{errTooManyWatchersFromIP, http.StatusTooManyRequests, "TOO_MANY_WATCHERS",
		"Too many live streams are open from your address; close one or try again later."},
	{errTooManyWatchers, http.StatusServiceUnavailable, "TOO_MANY_WATCHERS",
		"This server is watching too many live streams; try again shortly."},
	// Last: a more specific answer (LOCK_UNAVAILABLE) wins over the dependency it failed on.
	{application.ErrUnavailable, http.StatusServiceUnavailable, "SERVICE_UNAVAILABLE",
		"A service this request needs is unavailable; try again shortly."},
}

// retryAfterByCode says when a client may try again after a problem whose
// answer depends on others: a 503 not listed here says one second.
var retryAfterByCode = map[string]int{
	// Spreads out the reconnects of refused watchers.
	"TOO_MANY_WATCHERS":       5,
	"IDEMPOTENCY_IN_PROGRESS": 1,
}

// problemFor turns any error into the problem a client sees. Unknown errors
// become a 500 without detail: their text may hold SQL or internals. A lost
// database or Redis is not unknown: the adapters mark it application.ErrUnavailable.
func problemFor(err error) Problem {
	var verr *validation.Error
	if errors.As(err, &verr) {
		p := newProblem(http.StatusBadRequest, "VALIDATION_FAILED", "Some fields are invalid.")
		for _, f := range verr.Fields() {
			p.Errors = append(p.Errors, FieldProblem{Field: f.Field, Message: f.Message})
		}
		return p
	}
	var tooLow *auction.BidTooLowError
	if errors.As(err, &tooLow) {
		p := newProblem(http.StatusUnprocessableEntity, "BID_TOO_LOW", fmt.Sprintf("The bid must be at least %d points.", tooLow.MinNextBid))
		p.MinNextBid = &tooLow.MinNextBid
		return p
	}
	var limited *application.RateLimitedError
	if errors.As(err, &limited) {
		p := newProblem(http.StatusTooManyRequests, "RATE_LIMITED", "Too many requests; try again later.")
		p.retryAfterSeconds = int((limited.RetryAfter + 999_999_999) / 1_000_000_000)
		return p
	}
	for _, m := range mapping {
		if errors.Is(err, m.err) {
			p := newProblem(m.status, m.code, m.detail)
			p.retryAfterSeconds = retryAfterByCode[m.code]
			if p.retryAfterSeconds == 0 && m.status == http.StatusServiceUnavailable {
				p.retryAfterSeconds = 1
			}
			return p
		}
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return problemForStatus(he.Code)
	}
	return newProblem(http.StatusInternalServerError, "INTERNAL", "An unexpected error occurred.")
}

// problemForStatus covers what echo itself answers: unknown routes, wrong methods,
// oversized bodies.
func problemForStatus(status int) Problem {
	switch status {
	case http.StatusNotFound:
		return newProblem(status, "NOT_FOUND", "No such resource.")
	case http.StatusMethodNotAllowed:
		return newProblem(status, "METHOD_NOT_ALLOWED", "This method is not allowed here.")
	case http.StatusRequestEntityTooLarge:
		return newProblem(status, "PAYLOAD_TOO_LARGE", "The request body is too large.")
	case http.StatusUnsupportedMediaType:
		return newProblem(status, "UNSUPPORTED_MEDIA_TYPE", "This content type is not supported here.")
	case http.StatusBadRequest:
		return newProblem(status, "MALFORMED_REQUEST", "The request is malformed.")
	case http.StatusUnauthorized:
		return newProblem(status, "UNAUTHENTICATED", "A valid access token is required.")
	case http.StatusForbidden:
		return newProblem(status, "FORBIDDEN", "This is not allowed.")
	case http.StatusServiceUnavailable:
		return newProblem(status, "SERVICE_UNAVAILABLE", "The service is unavailable.")
	}
	return newProblem(http.StatusInternalServerError, "INTERNAL", "An unexpected error occurred.")
}

func newProblem(status int, code, detail string) Problem {
	return Problem{
		Type:   "urn:artauction:problem:" + strings.ToLower(strings.ReplaceAll(code, "_", "-")),
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
	}
}

// writeProblem sends a problem document with the request id.
func writeProblem(c echo.Context, p Problem) error {
	p.RequestID = c.Response().Header().Get(echo.HeaderXRequestID)
	if p.retryAfterSeconds > 0 {
		c.Response().Header().Set("Retry-After", strconv.Itoa(p.retryAfterSeconds))
	}
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	return c.JSON(p.Status, p)
}

// errorHandler is echo's error handler: the one place an error becomes an answer,
// and the one place an unexpected error is logged.
func errorHandler(logger *zap.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		fields := []zap.Field{zap.Error(err), zap.String("request_id", c.Response().Header().Get(echo.HeaderXRequestID)),
			zap.String("route", c.Path())}
		if c.Response().Committed {
			// The answer has begun (a live stream, a body being written): no
			// problem can follow it, so this line is the only trace of the cut.
			logger.Warn("request failed after its answer began", append(fields, zap.Int("status", c.Response().Status))...)
			return
		}
		p := problemFor(err)
		switch {
		case p.Status == http.StatusServiceUnavailable:
			// Expected under load or while a dependency is down: no stack trace.
			logger.Warn("request answered unavailable", fields...)
		case p.Status >= http.StatusInternalServerError:
			logger.Error("request failed", fields...)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		if werr := writeProblem(c, p); werr != nil {
			logger.Warn("write problem", zap.Error(werr))
		}
	}
}
