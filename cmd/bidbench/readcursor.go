package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

// errNoCursor is a page answer without next_cursor: the service has no
// keyset paging, so the cursor shape cannot run.
var errNoCursor = errors.New("the art list answers carry no next_cursor: the service has no keyset paging (?cursor=), so the cursor shape cannot run")

// listPage is what the walk reads of a page answer.
type listPage struct {
	ids []int64
	// next is the cursor of the page after; "" on the last page.
	next string
}

// parseListPage reads a page answer; a missing next_cursor is errNoCursor,
// a null one the last page.
func parseListPage(body []byte) (listPage, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return listPage{}, fmt.Errorf("decode page: %w", err)
	}
	var items []struct {
		ID int64 `json:"id"`
	}
	if err := json.Unmarshal(fields["items"], &items); err != nil {
		return listPage{}, fmt.Errorf("decode page items: %w", err)
	}
	raw, ok := fields["next_cursor"]
	if !ok {
		return listPage{}, errNoCursor
	}
	var next *string
	if err := json.Unmarshal(raw, &next); err != nil {
		return listPage{}, fmt.Errorf("decode next_cursor: %w", err)
	}
	page := listPage{ids: make([]int64, len(items))}
	for i, it := range items {
		page.ids[i] = it.ID
	}
	if next != nil {
		if *next == "" {
			return listPage{}, errors.New("next_cursor is an empty string; want a cursor or null")
		}
		page.next = *next
	}
	return page, nil
}

// walkCursors follows next_cursor from page 1 of query (size readPageSize)
// to page last, and returns the cursor that gives each of the pages from
// first to last. It then reads page last by offset too: while nothing is
// written, both must list the same arts.
func walkCursors(ctx context.Context, api *apiClient, base string, query url.Values, first, last int) (map[int]string, error) {
	get := func(q url.Values) (listPage, error) {
		a, err := api.do(ctx, http.MethodGet, base+artsPath+"?"+q.Encode(), "", nil)
		if err != nil {
			return listPage{}, err
		}
		if err := a.expect(http.StatusOK, nil); err != nil {
			return listPage{}, fmt.Errorf("GET %s?%s: %w", artsPath, q.Encode(), err)
		}
		return parseListPage(a.body)
	}
	withSize := func(extra ...string) url.Values {
		q := url.Values{}
		for k, v := range query {
			q[k] = slices.Clone(v)
		}
		q.Set("size", strconv.Itoa(readPageSize))
		for i := 0; i+1 < len(extra); i += 2 {
			q.Set(extra[i], extra[i+1])
		}
		return q
	}
	page, err := get(withSize())
	if err != nil {
		return nil, err
	}
	cursors := map[int]string{}
	for p := 2; p <= last; p++ {
		if page.next == "" {
			return nil, fmt.Errorf("%s ends at page %d, before page %d", query.Encode(), p-1, last)
		}
		if p >= first {
			cursors[p] = page.next
		}
		if page, err = get(withSize("cursor", page.next)); err != nil {
			return nil, fmt.Errorf("page %d by cursor: %w", p, err)
		}
	}
	byOffset, err := get(withSize("page", strconv.Itoa(last)))
	if err != nil {
		return nil, fmt.Errorf("page %d by offset: %w", last, err)
	}
	if !slices.Equal(page.ids, byOffset.ids) {
		return nil, fmt.Errorf("%s: page %d by cursor lists arts %v, by offset %v", query.Encode(), last, page.ids, byOffset.ids)
	}
	return cursors, nil
}
