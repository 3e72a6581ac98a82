package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/domain/validation"
)

// maxJSONBody bounds a JSON request body; no request of this API needs more.
const maxJSONBody = 64 << 10

// decodeJSON reads a JSON body into dst: 415 for another content type, 413 when
// too large, MALFORMED_REQUEST for what is not JSON, and VALIDATION_FAILED naming
// the field for a value of the wrong type.
func decodeJSON(c echo.Context, dst any) error {
	req := c.Request()
	mediaType, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || (mediaType != echo.MIMEApplicationJSON && !strings.HasSuffix(mediaType, "+json")) {
		if req.ContentLength == 0 && req.Header.Get(echo.HeaderContentType) == "" {
			return errMalformedRequest
		}
		return errUnsupportedMedia
	}
	raw, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, maxJSONBody))
	if err != nil {
		return decodeError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: trailing data after the JSON value", errMalformedRequest)
	}
	if textWithNUL(raw) {
		return fmt.Errorf("%w: a string holds a NUL character", errMalformedRequest)
	}
	return nil
}

// textWithNUL reports whether a string of a JSON value, key or text, holds a
// NUL ("\u0000"): no field of this API needs one and the database refuses it.
// JSON text is otherwise always valid UTF-8.
func textWithNUL(raw []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		if s, ok := tok.(string); ok && strings.ContainsRune(s, 0) {
			return true
		}
	}
}

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return errPayloadTooLarge
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return validation.Field(typeErr.Field, "must be a "+jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &typeErr):
		return fmt.Errorf("%w: the body must be a JSON object", errMalformedRequest)
	default:
		return fmt.Errorf("%w: %w", errMalformedRequest, err)
	}
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "integer"
	case strings.HasPrefix(kind, "float"):
		return "number"
	case kind == "bool":
		return "boolean"
	case kind == "slice":
		return "array"
	case kind == "struct", kind == "map":
		return "object"
	}
	return kind
}
