package application

import "github.com/artauction/artauction/domain/validation"

// Page limits of the OpenAPI document.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	// MaxPageNumber keeps offsets far from overflow; no list is that long.
	MaxPageNumber = 1_000_000
	// TotalCap is how far a list's total is exact: past it, stores may stop
	// counting and answer a capped total.
	TotalCap = 10_000
)

// PageRequest is a validated page size (1..MaxPageSize) with either a page
// number (from 1) or a cursor: the opaque position after which the page starts.
type PageRequest struct {
	number int
	size   int
	// cursor is as the client sent it; after is its position once the use
	// case checked it belongs to the list asked for.
	cursor string
	after  Keyset
}

// NewPageRequest validates page and size; zero means the default.
func NewPageRequest(page, size int) (PageRequest, error) {
	if page == 0 {
		page = 1
	}
	var c validation.Collector
	c.Check(page >= 1 && page <= MaxPageNumber, "page", "must be between 1 and 1000000")
	checkSize(&c, &size)
	if err := c.Err(); err != nil {
		return PageRequest{}, err
	}
	return PageRequest{number: page, size: size}, nil
}

// NewCursorPageRequest validates a request for the page after cursor (taken
// from an earlier page's next cursor); zero size means the default. Whether
// the cursor belongs to the list asked for is the use case's check.
func NewCursorPageRequest(cursor string, size int) (PageRequest, error) {
	var c validation.Collector
	c.Check(wellFormedCursor(cursor), "cursor", "must be a next_cursor of an earlier page")
	checkSize(&c, &size)
	if err := c.Err(); err != nil {
		return PageRequest{}, err
	}
	return PageRequest{number: 1, size: size, cursor: cursor}, nil
}

// NewPageAfter is a request for the page of size after a keyset: what a use
// case hands its store once it has read a cursor.
func NewPageAfter(after Keyset, size int) (PageRequest, error) {
	var c validation.Collector
	c.Check(len(after) > 0, "cursor", "must hold a position")
	checkSize(&c, &size)
	if err := c.Err(); err != nil {
		return PageRequest{}, err
	}
	return PageRequest{number: 2, size: size, after: after}, nil
}

func checkSize(c *validation.Collector, size *int) {
	if *size == 0 {
		*size = DefaultPageSize
	}
	c.Check(*size >= 1 && *size <= MaxPageSize, "size", "must be between 1 and 100")
}

// Number is the page number; a cursor page is numbered one after the page
// whose next cursor it follows.
func (p PageRequest) Number() int { return p.number }
func (p PageRequest) Size() int   { return p.size }

// Offset is the number of items before a numbered page; a cursor page starts
// after its position instead, so 0.
func (p PageRequest) Offset() int {
	if p.ByCursor() {
		return 0
	}
	return (p.number - 1) * p.size
}

// ByCursor tells a cursor page from a numbered one.
func (p PageRequest) ByCursor() bool { return p.cursor != "" || p.after != nil }

// After is the position the page starts after; nil for a numbered page.
func (p PageRequest) After() Keyset { return p.after }

// in checks the cursor, if any, against the list it is used on: a cursor made
// for another list, other filters or another order, or one garbled on the
// way, is a validation error.
func (p PageRequest) in(list listScope) (PageRequest, error) {
	if p.cursor == "" {
		return p, nil
	}
	number, after, err := decodeCursor(p.cursor, list)
	if err != nil {
		return PageRequest{}, err
	}
	p.number, p.after = number, after
	return p, nil
}

// Total is how many items a whole list holds: exact up to TotalCap; Capped
// says the list holds more than Count, which is then TotalCap.
type Total struct {
	Count  int
	Capped bool
}

// CappedTotal is the Total of a list counted up to TotalCap+1 items.
func CappedTotal(counted int) Total {
	if counted > TotalCap {
		return Total{Count: TotalCap, Capped: true}
	}
	return Total{Count: counted}
}

// StoredPage is what a store answers for one page: its items, the position of
// its last item when more follow, and, for a numbered page, the total.
type StoredPage[T any] struct {
	Items []T
	// Next is nil on the last page.
	Next  Keyset
	Total Total
}

// Page is one page of a list as a use case answers it.
type Page[T any] struct {
	Items   []T
	Request PageRequest
	// TotalItems and TotalCapped are set for numbered pages only: a cursor
	// page does not count.
	TotalItems  int
	TotalCapped bool
	// NextCursor starts the page after this one; empty on the last page.
	NextCursor string
}

// HasTotal tells whether the page carries its list's total.
func (p Page[T]) HasTotal() bool { return !p.Request.ByCursor() }

// TotalPages is how many pages of this size the whole list fills.
func (p Page[T]) TotalPages() int {
	return (p.TotalItems + p.Request.size - 1) / p.Request.size
}

// pageOf is the page a store answered for req on list.
func pageOf[T any](stored StoredPage[T], req PageRequest, list listScope) Page[T] {
	page := Page[T]{Items: stored.Items, Request: req, TotalItems: stored.Total.Count, TotalCapped: stored.Total.Capped}
	if req.ByCursor() {
		page.TotalItems, page.TotalCapped = 0, false
	}
	if stored.Next != nil {
		page.NextCursor = encodeCursor(list, min(req.number+1, MaxPageNumber), stored.Next)
	}
	return page
}
