package httpapi

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/validation"
)

// pathID reads a positive integer id from the path.
func pathID(c echo.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id < 1 {
		return 0, validation.Field(name, "must be a positive integer")
	}
	return id, nil
}

// pageQuery reads size with page or cursor, all optional; with a cursor,
// page is ignored.
func pageQuery(c echo.Context) (application.PageRequest, error) {
	cursor := c.QueryParam("cursor")
	if cursor == "" {
		return numberedPageQuery(c)
	}
	var col validation.Collector
	size := intQuery(c, "size", &col)
	if err := col.Err(); err != nil {
		return application.PageRequest{}, err
	}
	return application.NewCursorPageRequest(cursor, size)
}

// numberedPageQuery reads page and size, both optional, for lists that take
// no cursor.
func numberedPageQuery(c echo.Context) (application.PageRequest, error) {
	var col validation.Collector
	page := intQuery(c, "page", &col)
	size := intQuery(c, "size", &col)
	if err := col.Err(); err != nil {
		return application.PageRequest{}, err
	}
	return application.NewPageRequest(page, size)
}

func intQuery(c echo.Context, name string, col *validation.Collector) int {
	raw := c.QueryParam(name)
	if raw == "" {
		return 0
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < 1 {
		col.Add(name, "must be a positive integer")
		return 0
	}
	return v
}

// hasBody reports whether a request carries a body at all.
func hasBody(r *http.Request) bool {
	return r.ContentLength > 0 || len(r.TransferEncoding) > 0
}
