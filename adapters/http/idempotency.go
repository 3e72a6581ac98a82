package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/validation"
)

// Headers of idempotent retries (the OpenAPI document).
const (
	headerIdempotencyKey     = "Idempotency-Key"
	headerIdempotentReplayed = "Idempotent-Replayed"
	maxIdempotencyKeyLength  = 255
)

// replayedHeaders are the headers of an answer a retry gets back with its body.
var replayedHeaders = []string{echo.HeaderContentType, echo.HeaderLocation}

// idempotent lets a member-only route honour Idempotency-Key: the handler runs
// inside the transaction that records its answer, and a retry gets that answer
// back instead of a second effect. Without the header the route runs as usual.
func idempotent(run *application.RunIdempotent) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key, present, err := idempotencyKey(c.Request().Header)
			if err != nil {
				return err
			}
			if !present {
				return next(c)
			}
			req := c.Request()
			// Hashing needs the whole body, and a retried attempt reads it again.
			body, err := io.ReadAll(req.Body)
			if err != nil {
				return readBodyError(err)
			}
			request := application.IdempotentRequest{
				Key: application.IdempotencyKey{MemberID: principal(c).MemberID,
					Operation: req.Method + " " + c.Path(), Key: key},
				RequestHash: requestHash(req, body),
			}
			answer, replayed, err := run.Execute(req.Context(), request, func(ctx context.Context) (application.RecordedAnswer, error) {
				attempt := req.WithContext(ctx)
				attempt.Body = io.NopCloser(bytes.NewReader(body))
				return recordAnswer(c, next, attempt)
			})
			c.SetRequest(req)
			if err != nil {
				return err
			}
			return writeAnswer(c, answer, replayed)
		}
	}
}

// idempotencyKey reads the header: absent is fine; empty, repeated, too long
// or not visible ASCII is a validation failure.
func idempotencyKey(header http.Header) (key string, present bool, err error) {
	values := header.Values(headerIdempotencyKey)
	if len(values) == 0 {
		return "", false, nil
	}
	key = values[0]
	valid := len(values) == 1 && key != "" && len(key) <= maxIdempotencyKeyLength &&
		!strings.ContainsFunc(key, func(r rune) bool { return r < 0x20 || r > 0x7e })
	if !valid {
		return "", true, validation.Field(headerIdempotencyKey, "must be one header of 1 to 255 visible ASCII characters")
	}
	return key, true, nil
}

func readBodyError(err error) error {
	var he *echo.HTTPError
	var tooLarge *http.MaxBytesError
	if errors.As(err, &he) || errors.As(err, &tooLarge) {
		return errPayloadTooLarge
	}
	return fmt.Errorf("%w: the body could not be read: %w", errMalformedRequest, err)
}

// recordAnswer runs the handler on req with its answer captured rather than
// sent: nothing reaches the client before the transaction commits.
func recordAnswer(c echo.Context, next echo.HandlerFunc, req *http.Request) (application.RecordedAnswer, error) {
	original := c.Response()
	recorder := &answerRecorder{header: http.Header{}}
	c.SetRequest(req)
	c.SetResponse(echo.NewResponse(recorder, c.Echo()))
	// Deferred so that a panic, recovered further out, still answers on the wire.
	defer c.SetResponse(original)
	if err := next(c); err != nil {
		return application.RecordedAnswer{}, err
	}
	headers := map[string]string{}
	for _, name := range replayedHeaders {
		if v := recorder.header.Get(name); v != "" {
			headers[name] = v
		}
	}
	return application.RecordedAnswer{Status: recorder.status, Headers: headers, Body: recorder.body.Bytes()}, nil
}

func writeAnswer(c echo.Context, answer application.RecordedAnswer, replayed bool) error {
	res := c.Response()
	for name, v := range answer.Headers {
		res.Header().Set(name, v)
	}
	if replayed {
		res.Header().Set(headerIdempotentReplayed, "true")
	}
	res.WriteHeader(answer.Status)
	if _, err := res.Write(answer.Body); err != nil {
		return fmt.Errorf("write idempotent answer: %w", err)
	}
	return nil
}

// answerRecorder keeps what a handler writes.
type answerRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *answerRecorder) Header() http.Header { return r.header }

func (r *answerRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *answerRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// requestHash tells two requests apart by what they ask, not by how they were
// encoded: JSON is hashed with its keys sorted and its spacing dropped, and a
// multipart form by its parts, whatever its boundary. A body that does not
// parse is hashed as it is.
func requestHash(req *http.Request, body []byte) []byte {
	h := sha256.New()
	mediaType, params, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	fmt.Fprintf(h, "%s %s?%s\n%s\n", req.Method, req.URL.Path, req.URL.RawQuery, mediaType)
	var canonical bool
	switch {
	case mediaType == echo.MIMEMultipartForm:
		canonical = hashMultipart(h, body, params["boundary"])
	case mediaType == echo.MIMEApplicationJSON || strings.HasSuffix(mediaType, "+json"):
		canonical = hashJSON(h, body)
	}
	if !canonical {
		h.Write(body)
	}
	return h.Sum(nil)
}

func hashJSON(h hash.Hash, body []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.Decode(&struct{}{}) != io.EOF {
		return false
	}
	// Marshal sorts object keys.
	sorted, err := json.Marshal(v)
	if err != nil {
		return false
	}
	h.Write(sorted)
	return true
}

func hashMultipart(h hash.Hash, body []byte, boundary string) bool {
	if boundary == "" {
		return false
	}
	var parts []string
	reader := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return false
		}
		content := sha256.New()
		_, err = io.Copy(content, part)
		if err != nil {
			return false
		}
		parts = append(parts, fmt.Sprintf("%q %q %x", part.FormName(), part.FileName(), content.Sum(nil)))
	}
	slices.Sort(parts)
	for _, p := range parts {
		fmt.Fprintln(h, p)
	}
	return true
}
