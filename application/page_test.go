package application_test

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/application"
)

func mustPage(t *testing.T, page, size int) application.PageRequest {
	t.Helper()
	p, err := application.NewPageRequest(page, size)
	require.NoError(t, err)
	return p
}

func mustCursorPage(t *testing.T, cursor string, size int) application.PageRequest {
	t.Helper()
	p, err := application.NewCursorPageRequest(cursor, size)
	require.NoError(t, err)
	return p
}

func TestNewPageRequestAccepts(t *testing.T) {
	tests := []struct {
		name                 string
		page, size           int
		wantNumber, wantSize int
		wantOffset           int
	}{
		{name: "defaults", page: 0, size: 0, wantNumber: 1, wantSize: 20, wantOffset: 0},
		{name: "smallest size", page: 1, size: 1, wantNumber: 1, wantSize: 1, wantOffset: 0},
		{name: "largest size", page: 2, size: 100, wantNumber: 2, wantSize: 100, wantOffset: 100},
		{name: "third page of 20", page: 3, size: 20, wantNumber: 3, wantSize: 20, wantOffset: 40},
		{name: "default size on a later page", page: 4, size: 0, wantNumber: 4, wantSize: 20, wantOffset: 60},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := mustPage(t, tt.page, tt.size)

			assert.Equal(t, tt.wantNumber, p.Number())
			assert.Equal(t, tt.wantSize, p.Size())
			assert.Equal(t, tt.wantOffset, p.Offset())
		})
	}
}

func TestNewPageRequestRejects(t *testing.T) {
	tests := []struct {
		name       string
		page, size int
		wantFields []string
	}{
		{name: "negative page", page: -1, size: 20, wantFields: []string{"page"}},
		{name: "size above 100", page: 1, size: 101, wantFields: []string{"size"}},
		{name: "negative size", page: 1, size: -1, wantFields: []string{"size"}},
		{name: "both bad", page: -3, size: 1000, wantFields: []string{"page", "size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := application.NewPageRequest(tt.page, tt.size)

			assert.Equal(t, tt.wantFields, validationFieldNames(t, err))
		})
	}
}

// A page number is client input (?page=): an accepted request must give an
// offset a database accepts, never one that overflowed into a negative number.
func TestNewPageRequestNeverGivesANegativeOffset(t *testing.T) {
	for _, tt := range []struct{ page, size int }{
		{page: math.MaxInt, size: 100},
		{page: math.MaxInt/20 + 2, size: 20},
		{page: 1 << 62, size: 2},
	} {
		p, err := application.NewPageRequest(tt.page, tt.size)
		if err != nil {
			assert.Equal(t, []string{"page"}, validationFieldNames(t, err))
			continue
		}
		assert.GreaterOrEqual(t, p.Offset(), 0, "page %d of size %d", tt.page, tt.size)
	}
}

func TestPageTotalPages(t *testing.T) {
	tests := []struct {
		totalItems, size, want int
	}{
		{totalItems: 0, size: 20, want: 0},
		{totalItems: 1, size: 20, want: 1},
		{totalItems: 20, size: 20, want: 1},
		{totalItems: 21, size: 20, want: 2},
		{totalItems: 57, size: 20, want: 3},
		{totalItems: 100, size: 1, want: 100},
		{totalItems: 101, size: 100, want: 2},
	}
	for _, tt := range tests {
		page := application.Page[string]{Request: mustPage(t, 1, tt.size), TotalItems: tt.totalItems}

		assert.Equal(t, tt.want, page.TotalPages(), "%d items in pages of %d", tt.totalItems, tt.size)
	}
}

func TestNewCursorPageRequestChecksCursorAndSize(t *testing.T) {
	tests := []struct {
		name       string
		cursor     string
		size       int
		wantFields []string
	}{
		{name: "a cursor's characters with the default size", cursor: "AQ-_09az", size: 0},
		{name: "no cursor", cursor: "", size: 20, wantFields: []string{"cursor"}},
		{name: "a padded cursor", cursor: "AQ==", size: 20, wantFields: []string{"cursor"}},
		{name: "a cursor with a space", cursor: "AQ AQ", size: 20, wantFields: []string{"cursor"}},
		{name: "a cursor too long", cursor: strings.Repeat("A", 129), size: 20, wantFields: []string{"cursor"}},
		{name: "a bad size too", cursor: "%", size: 101, wantFields: []string{"cursor", "size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := application.NewCursorPageRequest(tt.cursor, tt.size)

			if tt.wantFields == nil {
				require.NoError(t, err)
				assert.True(t, p.ByCursor())
				assert.Equal(t, 20, p.Size())
				assert.Zero(t, p.Offset(), "a cursor page has no offset")
				return
			}
			assert.Equal(t, tt.wantFields, validationFieldNames(t, err))
		})
	}
}

func TestCappedTotal(t *testing.T) {
	assert.Equal(t, application.Total{Count: 0}, application.CappedTotal(0))
	assert.Equal(t, application.Total{Count: 10_000}, application.CappedTotal(10_000), "exact up to the cap")
	assert.Equal(t, application.Total{Count: 10_000, Capped: true}, application.CappedTotal(10_001))
}

func TestPageTotalPagesOfACappedTotal(t *testing.T) {
	p := application.Page[int]{Request: mustPage(t, 1, 30), TotalItems: 10_000, TotalCapped: true}

	assert.Equal(t, 334, p.TotalPages())
}
