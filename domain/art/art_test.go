package art_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/art"
)

const (
	ownerID    int64 = 7
	strangerID int64 = 8
)

var listedAt = time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)

func testImage() art.Image {
	return art.RestoreImage("arts/abc.jpg", art.FormatJPEG, 800, 600, 123_456, "etag-abc")
}

// storedArt is an on-sale general art of ownerID; edit tweaks the record first.
func storedArt(edit ...func(*art.Record)) *art.Art {
	r := art.Record{
		ID: 42, OwnerID: ownerID, Name: "Sunset", Description: "Oil on canvas", Type: art.TypeGeneral,
		Price: 5000, CurrentPrice: 5000, Hashtags: []string{"sunset", "oil"}, Image: testImage(),
		Status: art.StatusOnSale, LikeCount: 3, CreatedAt: listedAt,
	}
	for _, e := range edit {
		e(&r)
	}
	return art.Restore(r)
}

func sold(r *art.Record)   { r.Status = art.StatusSold }
func unsold(r *art.Record) { r.Status = art.StatusUnsold }
func auctionWithBids(r *art.Record) {
	r.Type, r.BidCount, r.CurrentPrice = art.TypeAuction, 3, 7000
}

func ptr[T any](v T) *T { return &v }

func TestParseType(t *testing.T) {
	tests := []struct {
		in     string
		want   art.Type
		wantOK bool
	}{
		{in: "auction", want: art.TypeAuction, wantOK: true},
		{in: "general", want: art.TypeGeneral, wantOK: true},
		{in: "", wantOK: false},
		{in: "Auction", wantOK: false},
		{in: "lottery", wantOK: false},
	}
	for _, tt := range tests {
		got, ok := art.ParseType(tt.in)

		assert.Equal(t, tt.wantOK, ok, "ParseType(%q)", tt.in)
		assert.Equal(t, tt.want, got, "ParseType(%q)", tt.in)
	}
}

func TestParseStatus(t *testing.T) {
	for _, s := range []art.Status{art.StatusOnSale, art.StatusSold, art.StatusUnsold} {
		got, ok := art.ParseStatus(string(s))

		assert.True(t, ok, string(s))
		assert.Equal(t, s, got)
	}
	for _, s := range []string{"", "open_auction", "ON_SALE", "deleted"} {
		_, ok := art.ParseStatus(s)

		assert.False(t, ok, "ParseStatus(%q)", s)
	}
}

func TestNewDraftAcceptsAValidListing(t *testing.T) {
	d, err := art.NewDraft("  Sunset  ", "\tOil on canvas\n", "auction", 5000, []string{"#Sunset", "oil"})

	require.NoError(t, err)
	assert.Equal(t, art.TypeAuction, d.Type())
	assert.Equal(t, int64(5000), d.Price())

	a := art.New(ownerID, d, testImage(), listedAt)
	assert.Equal(t, "Sunset", a.Name())
	assert.Equal(t, "Oil on canvas", a.Description())
	assert.Equal(t, []string{"sunset", "oil"}, a.Hashtags().List())
}

func TestNewDraftBoundaries(t *testing.T) {
	valid := func() (string, string, string, int64, []string) {
		return "Sunset", "Oil on canvas", "general", 5000, []string{"sunset"}
	}
	tests := []struct {
		name       string
		edit       func(name, description, typ *string, price *int64, tags *[]string)
		wantFields []string
	}{
		{name: "valid", edit: func(*string, *string, *string, *int64, *[]string) {}},
		{name: "empty name", edit: func(n, _, _ *string, _ *int64, _ *[]string) { *n = "" }, wantFields: []string{"name"}},
		{name: "blank name", edit: func(n, _, _ *string, _ *int64, _ *[]string) { *n = "   " }, wantFields: []string{"name"}},
		{name: "1 character name", edit: func(n, _, _ *string, _ *int64, _ *[]string) { *n = "a" }},
		{name: "100 character name", edit: func(n, _, _ *string, _ *int64, _ *[]string) { *n = strings.Repeat("a", 100) }},
		{name: "100 Hangul character name", edit: func(n, _, _ *string, _ *int64, _ *[]string) { *n = strings.Repeat("한", 100) }},
		{name: "101 character name", edit: func(n, _, _ *string, _ *int64, _ *[]string) { *n = strings.Repeat("a", 101) }, wantFields: []string{"name"}},
		{name: "100 characters after trimming", edit: func(n, _, _ *string, _ *int64, _ *[]string) { *n = "  " + strings.Repeat("a", 100) + "  " }},
		{name: "empty description", edit: func(_, d, _ *string, _ *int64, _ *[]string) { *d = "" }, wantFields: []string{"description"}},
		{name: "blank description", edit: func(_, d, _ *string, _ *int64, _ *[]string) { *d = "\n\t " }, wantFields: []string{"description"}},
		{name: "2000 character description", edit: func(_, d, _ *string, _ *int64, _ *[]string) { *d = strings.Repeat("d", 2000) }},
		{name: "2001 character description", edit: func(_, d, _ *string, _ *int64, _ *[]string) { *d = strings.Repeat("d", 2001) }, wantFields: []string{"description"}},
		{name: "auction type", edit: func(_, _, ty *string, _ *int64, _ *[]string) { *ty = "auction" }},
		{name: "empty type", edit: func(_, _, ty *string, _ *int64, _ *[]string) { *ty = "" }, wantFields: []string{"type"}},
		{name: "capitalized type", edit: func(_, _, ty *string, _ *int64, _ *[]string) { *ty = "General" }, wantFields: []string{"type"}},
		{name: "unknown type", edit: func(_, _, ty *string, _ *int64, _ *[]string) { *ty = "lottery" }, wantFields: []string{"type"}},
		{name: "price 999", edit: func(_, _, _ *string, p *int64, _ *[]string) { *p = 999 }, wantFields: []string{"price"}},
		{name: "price 1000", edit: func(_, _, _ *string, p *int64, _ *[]string) { *p = 1000 }},
		{name: "price zero", edit: func(_, _, _ *string, p *int64, _ *[]string) { *p = 0 }, wantFields: []string{"price"}},
		{name: "negative price", edit: func(_, _, _ *string, p *int64, _ *[]string) { *p = -5000 }, wantFields: []string{"price"}},
		{name: "price MaxPrice", edit: func(_, _, _ *string, p *int64, _ *[]string) { *p = art.MaxPrice }},
		{name: "price MaxPrice+1", edit: func(_, _, _ *string, p *int64, _ *[]string) { *p = art.MaxPrice + 1 }, wantFields: []string{"price"}},
		{name: "no hashtags", edit: func(_, _, _ *string, _ *int64, h *[]string) { *h = nil }, wantFields: []string{"hashtags"}},
		{name: "eleven hashtags", edit: func(_, _, _ *string, _ *int64, h *[]string) { *h = numberedTags(11) }, wantFields: []string{"hashtags"}},
		{name: "an empty hashtag", edit: func(_, _, _ *string, _ *int64, h *[]string) { *h = []string{"cat", ""} }, wantFields: []string{"hashtags"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, description, typ, price, tags := valid()
			tt.edit(&name, &description, &typ, &price, &tags)

			_, err := art.NewDraft(name, description, typ, price, tags)

			if tt.wantFields == nil {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tt.wantFields, fieldNames(t, err))
		})
	}
}

func TestNewDraftReportsEveryBadFieldAtOnce(t *testing.T) {
	_, err := art.NewDraft("", strings.Repeat("d", 2001), "lottery", 999, nil)

	assert.Equal(t, []string{"name", "description", "type", "price", "hashtags"}, fieldNames(t, err))
}

func TestNewListsADraftOnSale(t *testing.T) {
	d, err := art.NewDraft("Sunset", "Oil on canvas", "general", 5000, []string{"sunset"})
	require.NoError(t, err)
	seoul := time.FixedZone("KST", 9*60*60)

	a := art.New(ownerID, d, testImage(), listedAt.In(seoul))

	assert.Zero(t, a.ID())
	assert.Equal(t, ownerID, a.OwnerID())
	assert.Equal(t, art.TypeGeneral, a.Type())
	assert.Equal(t, int64(5000), a.Price())
	assert.Equal(t, int64(5000), a.CurrentPrice())
	assert.Equal(t, art.StatusOnSale, a.Status())
	assert.Equal(t, testImage(), a.Image())
	assert.Zero(t, a.LikeCount())
	assert.Zero(t, a.BidCount())
	assert.Equal(t, listedAt, a.CreatedAt())
	assert.Equal(t, time.UTC, a.CreatedAt().Location())
}

func TestEditByTheOwner(t *testing.T) {
	tests := []struct {
		name            string
		record          []func(*art.Record)
		change          art.Change
		wantName        string
		wantDescription string
		wantHashtags    []string
	}{
		{
			name:     "name only, trimmed",
			change:   art.Change{Name: ptr("  Dawn ")},
			wantName: "Dawn", wantDescription: "Oil on canvas", wantHashtags: []string{"sunset", "oil"},
		},
		{
			name:     "description only",
			change:   art.Change{Description: ptr("Acrylic")},
			wantName: "Sunset", wantDescription: "Acrylic", wantHashtags: []string{"sunset", "oil"},
		},
		{
			name:     "hashtags replaced whole and normalized",
			change:   art.Change{Hashtags: []string{"#Dawn", "sea", "dawn"}, HasHashtags: true},
			wantName: "Sunset", wantDescription: "Oil on canvas", wantHashtags: []string{"dawn", "sea"},
		},
		{
			name:     "hashtags ignored unless HasHashtags",
			change:   art.Change{Hashtags: []string{"dawn"}},
			wantName: "Sunset", wantDescription: "Oil on canvas", wantHashtags: []string{"sunset", "oil"},
		},
		{
			name:     "everything",
			change:   art.Change{Name: ptr("Dawn"), Description: ptr("Acrylic"), Hashtags: []string{"dawn"}, HasHashtags: true},
			wantName: "Dawn", wantDescription: "Acrylic", wantHashtags: []string{"dawn"},
		},
		{
			name:     "nothing",
			change:   art.Change{},
			wantName: "Sunset", wantDescription: "Oil on canvas", wantHashtags: []string{"sunset", "oil"},
		},
		{
			name:     "an auction art with bids",
			record:   []func(*art.Record){auctionWithBids},
			change:   art.Change{Name: ptr("Dawn"), Hashtags: []string{"dawn"}, HasHashtags: true},
			wantName: "Dawn", wantDescription: "Oil on canvas", wantHashtags: []string{"dawn"},
		},
		{
			name:     "an unsold art",
			record:   []func(*art.Record){unsold},
			change:   art.Change{Description: ptr("Acrylic")},
			wantName: "Sunset", wantDescription: "Acrylic", wantHashtags: []string{"sunset", "oil"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := storedArt(tt.record...)
			before := storedArt(tt.record...)

			err := a.Edit(ownerID, tt.change)

			require.NoError(t, err)
			assert.Equal(t, tt.wantName, a.Name())
			assert.Equal(t, tt.wantDescription, a.Description())
			assert.Equal(t, tt.wantHashtags, a.Hashtags().List())
			// Nothing else moves.
			assert.Equal(t, before.ID(), a.ID())
			assert.Equal(t, before.Type(), a.Type())
			assert.Equal(t, before.Price(), a.Price())
			assert.Equal(t, before.CurrentPrice(), a.CurrentPrice())
			assert.Equal(t, before.Status(), a.Status())
			assert.Equal(t, before.BidCount(), a.BidCount())
			assert.Equal(t, before.Image(), a.Image())
		})
	}
}

func TestEditRefused(t *testing.T) {
	tests := []struct {
		name       string
		record     []func(*art.Record)
		by         int64
		change     art.Change
		wantErr    error
		wantFields []string
	}{
		{name: "a stranger", by: strangerID, change: art.Change{Name: ptr("Mine now")}, wantErr: art.ErrNotOwner},
		{name: "a stranger on a sold art", record: []func(*art.Record){sold}, by: strangerID, change: art.Change{Name: ptr("x")}, wantErr: art.ErrNotOwner},
		{name: "the owner of a sold art", record: []func(*art.Record){sold}, by: ownerID, change: art.Change{Name: ptr("Dawn")}, wantErr: art.ErrSold},
		{name: "an empty name", by: ownerID, change: art.Change{Name: ptr("  ")}, wantFields: []string{"name"}},
		{name: "a 101 character name", by: ownerID, change: art.Change{Name: ptr(strings.Repeat("a", 101))}, wantFields: []string{"name"}},
		{name: "an empty description", by: ownerID, change: art.Change{Description: ptr("")}, wantFields: []string{"description"}},
		{name: "a 2001 character description", by: ownerID, change: art.Change{Description: ptr(strings.Repeat("d", 2001))}, wantFields: []string{"description"}},
		{name: "no hashtags", by: ownerID, change: art.Change{Hashtags: nil, HasHashtags: true}, wantFields: []string{"hashtags"}},
		{name: "eleven hashtags", by: ownerID, change: art.Change{Hashtags: numberedTags(11), HasHashtags: true}, wantFields: []string{"hashtags"}},
		{
			name: "a valid name with bad hashtags changes nothing", by: ownerID,
			change:     art.Change{Name: ptr("Dawn"), Hashtags: []string{"black cat"}, HasHashtags: true},
			wantFields: []string{"hashtags"},
		},
		{
			name: "valid hashtags with a bad name change nothing", by: ownerID,
			change:     art.Change{Name: ptr(""), Hashtags: []string{"dawn"}, HasHashtags: true},
			wantFields: []string{"name"},
		},
		{
			name: "every field bad at once", by: ownerID,
			change:     art.Change{Name: ptr(""), Description: ptr(""), Hashtags: []string{}, HasHashtags: true},
			wantFields: []string{"name", "description", "hashtags"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := storedArt(tt.record...)

			err := a.Edit(tt.by, tt.change)

			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				assert.Equal(t, tt.wantFields, fieldNames(t, err))
			}
			assert.Equal(t, storedArt(tt.record...), a, "a refused edit leaves the art unchanged")
		})
	}
}

func TestCheckDeletable(t *testing.T) {
	tests := []struct {
		name    string
		record  []func(*art.Record)
		by      int64
		wantErr error
	}{
		{name: "the owner of an art on sale", by: ownerID},
		{name: "the owner of an unsold art", record: []func(*art.Record){unsold}, by: ownerID},
		{
			name:   "the owner of an auction art without bids",
			record: []func(*art.Record){func(r *art.Record) { r.Type = art.TypeAuction }}, by: ownerID,
		},
		{name: "a stranger", by: strangerID, wantErr: art.ErrNotOwner},
		{name: "a stranger on a sold art", record: []func(*art.Record){sold}, by: strangerID, wantErr: art.ErrNotOwner},
		{name: "a sold art", record: []func(*art.Record){sold}, by: ownerID, wantErr: art.ErrSold},
		{name: "an auction with bids", record: []func(*art.Record){auctionWithBids}, by: ownerID, wantErr: art.ErrAuctionHasBids},
		{name: "a sold auction with bids", record: []func(*art.Record){auctionWithBids, sold}, by: ownerID, wantErr: art.ErrSold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := storedArt(tt.record...).CheckDeletable(tt.by)

			if tt.wantErr == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.wantErr)
		})
	}
}

func TestRestoreKeepsEveryField(t *testing.T) {
	a := storedArt(auctionWithBids, sold)

	assert.Equal(t, int64(42), a.ID())
	assert.Equal(t, ownerID, a.OwnerID())
	assert.Equal(t, "Sunset", a.Name())
	assert.Equal(t, "Oil on canvas", a.Description())
	assert.Equal(t, art.TypeAuction, a.Type())
	assert.Equal(t, int64(5000), a.Price())
	assert.Equal(t, int64(7000), a.CurrentPrice())
	assert.Equal(t, []string{"sunset", "oil"}, a.Hashtags().List())
	assert.Equal(t, testImage(), a.Image())
	assert.Equal(t, art.StatusSold, a.Status())
	assert.Equal(t, int64(3), a.LikeCount())
	assert.Equal(t, int64(3), a.BidCount())
	assert.Equal(t, listedAt, a.CreatedAt())
}
