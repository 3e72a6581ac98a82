package httpapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/validation"
)

// maxFormField bounds one text field of an upload form: 2000 characters of
// any script fit.
const maxFormField = 16 << 10

// readArtForm streams the multipart upload of a new art into a command.
func readArtForm(c echo.Context, ownerID int64) (application.CreateArtCommand, error) {
	cmd := application.CreateArtCommand{OwnerID: ownerID}
	var col validation.Collector
	image, err := readMultipart(c, func(name, value string) { setArtFormField(&cmd, name, value, &col) })
	if err != nil {
		return cmd, err
	}
	cmd.Image = image
	return cmd, col.Err()
}

// readMultipart streams a multipart form: text fields go to onField, the
// `image` part into memory up to one byte past the limit, so an oversized image
// is told apart without reading it whole.
func readMultipart(c echo.Context, onField func(name, value string)) ([]byte, error) {
	req := c.Request()
	mediaType, _, err := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
	if err != nil || mediaType != echo.MIMEMultipartForm {
		return nil, errNotMultipart
	}
	reader, err := req.MultipartReader()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errMalformedRequest, err)
	}
	var image []byte
	for {
		part, err := reader.NextPart()
		if errors.Is(err, io.EOF) {
			return image, nil
		}
		if err != nil {
			return nil, formReadError(err)
		}
		if part.FormName() == "image" {
			if image, err = io.ReadAll(io.LimitReader(part, art.MaxImageBytes+1)); err != nil {
				return nil, formReadError(err)
			}
			if len(image) > art.MaxImageBytes {
				return nil, fmt.Errorf("%w: over 10 MiB", art.ErrImageTooLarge)
			}
			continue
		}
		value, err := readFormField(part)
		if err != nil {
			return nil, err
		}
		onField(part.FormName(), value)
	}
}

func readFormField(part *multipart.Part) (string, error) {
	raw, err := io.ReadAll(io.LimitReader(part, maxFormField+1))
	if err != nil {
		return "", formReadError(err)
	}
	if len(raw) > maxFormField {
		return "", validation.Field(part.FormName(), "is too long")
	}
	return string(raw), nil
}

// formReadError keeps echo's body-limit error (413) and calls anything else malformed.
func formReadError(err error) error {
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return err
	}
	return fmt.Errorf("%w: %w", errMalformedRequest, err)
}

func setArtFormField(cmd *application.CreateArtCommand, name, value string, col *validation.Collector) {
	switch name {
	case "name":
		cmd.Name = formText(name, value, col)
	case "description":
		cmd.Description = formText(name, value, col)
	case "type":
		cmd.Type = formText(name, value, col)
	case "hashtags":
		cmd.Hashtags = append(cmd.Hashtags, formText(name, value, col))
	case "price":
		cmd.Price = formInt(name, value, col)
	case "buy_now_price":
		cmd.BuyNowPrice = given(formInt(name, value, col))
	case "bid_increment":
		cmd.BidIncrement = given(formInt(name, value, col))
	case "reserve_price":
		cmd.ReservePrice = given(formInt(name, value, col))
	case "start_at":
		cmd.StartAt = given(formTime(name, value, col))
	case "end_at":
		cmd.EndAt = given(formTime(name, value, col))
	}
}

// given marks an optional field as sent, whatever its value.
func given[T any](v T) *T { return &v }

// formText refuses what JSON bodies cannot carry either: bytes that are not
// UTF-8, and NUL characters. The database would refuse both with a 500.
func formText(name, value string, col *validation.Collector) string {
	if !validation.StorableText(value) {
		col.Add(name, "must be UTF-8 text without NUL characters")
	}
	return value
}

func formInt(name, value string, col *validation.Collector) int64 {
	v, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if err != nil {
		col.Add(name, "must be an integer")
	}
	return v
}

func formTime(name, value string, col *validation.Collector) time.Time {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(value))
	if err != nil {
		col.Add(name, "must be an RFC 3339 time such as 2026-12-01T18:00:00Z")
	}
	return t
}
