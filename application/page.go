package application

import "github.com/artauction/artauction/domain/validation"

// Page limits of API.md.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
	// MaxPageNumber keeps offsets far from overflow; no list is that long.
	MaxPageNumber = 1_000_000
)

// PageRequest is a validated page number (from 1) and size (1..MaxPageSize).
type PageRequest struct {
	number int
	size   int
}

// NewPageRequest validates page and size; zero means the default.
func NewPageRequest(page, size int) (PageRequest, error) {
	if page == 0 {
		page = 1
	}
	if size == 0 {
		size = DefaultPageSize
	}
	var c validation.Collector
	c.Check(page >= 1 && page <= MaxPageNumber, "page", "must be between 1 and 1000000")
	c.Check(size >= 1 && size <= MaxPageSize, "size", "must be between 1 and 100")
	if err := c.Err(); err != nil {
		return PageRequest{}, err
	}
	return PageRequest{number: page, size: size}, nil
}

func (p PageRequest) Number() int { return p.number }
func (p PageRequest) Size() int   { return p.size }

// Offset is the number of items before this page.
func (p PageRequest) Offset() int { return (p.number - 1) * p.size }

// Page is one page of a list with the size of the whole list.
type Page[T any] struct {
	Items      []T
	Request    PageRequest
	TotalItems int
}

// TotalPages is how many pages of this size the whole list fills.
func (p Page[T]) TotalPages() int {
	return (p.TotalItems + p.Request.size - 1) / p.Request.size
}
