package postgres_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/auction"
)

// fixtureArt is what the list fixture knows of each art, to compute expected
// orders in Go.
type fixtureArt struct {
	id           int64
	ownerID      int64
	typ          art.Type
	status       art.Status
	text         string
	tags         []string
	currentPrice int64
	likes        int64
	bids         int64
	createdAt    time.Time
	// Auction arts only.
	auctionStatus auction.Status
	startAt       time.Time
	endAt         time.Time
}

func (f fixtureArt) openAt(now time.Time) bool {
	return f.typ == art.TypeAuction && f.auctionStatus == auction.StatusOpen && !f.startAt.After(now) && f.endAt.After(now)
}

func (f fixtureArt) hasTag(tag string) bool {
	for _, t := range f.tags {
		if t == tag {
			return true
		}
	}
	return false
}

type catalogFixture struct {
	db     *bun.DB
	store  *postgres.ArtStore
	owners []int64
	arts   []fixtureArt
}

// newCatalogFixture lists 12 auction and 12 general arts by three owners, with
// ties in price, likes, bids, creation time and end time, and auctions that
// are open, scheduled, ended but not yet closed, failed and closed.
func newCatalogFixture(t *testing.T) *catalogFixture {
	t.Helper()
	db := pgtest.NewDB(t)
	f := &catalogFixture{db: db, store: postgres.NewArtStore(db)}
	for _, nick := range []string{"owner0", "owner1", "owner2"} {
		f.owners = append(f.owners, createMember(t, db, nick))
	}
	bidder := createMember(t, db, "bidder")
	base := testNow.Add(-48 * time.Hour)
	for i := range 24 {
		fa := fixtureArt{
			ownerID: f.owners[i%3],
			typ:     art.TypeGeneral,
			status:  art.StatusOnSale,
			// 12 distinct times, each used twice: ties are broken by id.
			createdAt: base.Add(time.Duration((i*7)%12) * time.Hour),
			// Prices repeat every 7 arts.
			currentPrice: 1000 + int64(i%7)*500,
			likes:        int64((i * 3) % 5),
		}
		name := fmt.Sprintf("Work %02d", i)
		description := "a quiet piece"
		switch {
		case i%4 == 0:
			description = "golden sunset over the sea"
		case i == 5:
			description = "now 50% off"
		case i == 6:
			description = "price 5000 points"
		case i == 9:
			description = "snake_case title"
		case i == 10:
			description = "snakeXcase title"
		}
		fa.text = name + " " + description
		fa.tags = []string{"art"}
		if i%2 == 0 {
			fa.tags = append(fa.tags, "even")
		}
		if i%3 == 0 {
			fa.tags = append([]string{"blue"}, fa.tags...)
		}
		var au *auction.Auction
		if i%2 == 0 {
			fa.typ = art.TypeAuction
			j := i / 2
			fa.auctionStatus = auction.StatusOpen
			switch j % 4 {
			case 0, 1: // open now; j 0 and 4 end at the same time
				fa.startAt = testNow.Add(-time.Hour)
				fa.endAt = testNow.Add(time.Duration(13-j) * time.Hour)
				if j == 4 {
					fa.endAt = testNow.Add(13 * time.Hour)
				}
			case 2: // scheduled
				fa.startAt = testNow.Add(time.Hour)
				fa.endAt = testNow.Add(5 * time.Hour)
			case 3: // ended
				fa.startAt = testNow.Add(-5 * time.Hour)
				fa.endAt = testNow.Add(-time.Hour)
				switch j {
				case 7:
					fa.auctionStatus, fa.status = auction.StatusFailed, art.StatusUnsold
				case 11:
					fa.auctionStatus, fa.status = auction.StatusClosed, art.StatusSold
				}
			}
			au = newTestAuction(fa.startAt, fa.endAt, fa.currentPrice, 0)
		} else if i == 1 || i == 13 {
			fa.status = art.StatusSold
		}
		a := newTestArt(t, fa.ownerID, name, description, fa.typ, fa.currentPrice, fa.tags, fa.createdAt)
		fa.id = createTestArt(t, db, a, au)
		ctx := context.Background()
		_, err := db.ExecContext(ctx, "UPDATE arts SET like_count = ?, status = ? WHERE id = ?", fa.likes, string(fa.status), fa.id)
		require.NoError(t, err)
		if au != nil {
			_, err = db.ExecContext(ctx, "UPDATE auctions SET status = ? WHERE art_id = ?", string(fa.auctionStatus), fa.id)
			require.NoError(t, err)
			// Bids on some auctions: their current price becomes the highest bid.
			if i%3 == 0 && fa.startAt.Before(testNow) {
				fa.bids = int64(i%5 + 1)
				fa.currentPrice += int64(i%4) * 700
				placeBid(t, db, fa.id, bidder, fa.currentPrice, fa.bids)
			}
		}
		f.arts = append(f.arts, fa)
	}
	return f
}

// expect lists the ids of the fixture arts that keep passes, ordered by less
// with ties broken by id descending.
func (f *catalogFixture) expect(keep func(fixtureArt) bool, less func(a, b fixtureArt) int) []int64 {
	var sel []fixtureArt
	for _, a := range f.arts {
		if keep == nil || keep(a) {
			sel = append(sel, a)
		}
	}
	sort.SliceStable(sel, func(i, j int) bool {
		if c := less(sel[i], sel[j]); c != 0 {
			return c < 0
		}
		return sel[i].id > sel[j].id
	})
	ids := make([]int64, len(sel))
	for i, a := range sel {
		ids[i] = a.id
	}
	return ids
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpTime(a, b time.Time) int { return a.Compare(b) }

// list runs List and checks that total matches the ids of a page holding everything.
func (f *catalogFixture) list(t *testing.T, q application.ArtQuery) []int64 {
	t.Helper()
	if q.Now.IsZero() {
		q.Now = testNow
	}
	got, err := f.store.List(context.Background(), q, mustPage(t, 1, 100))
	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: len(got.Items)}, got.Total)
	assert.Nil(t, got.Next, "everything fits one page")
	return summaryIDs(got.Items)
}

func TestArtStoreListSorts(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	newest := func(a, b fixtureArt) int { return -cmpTime(a.createdAt, b.createdAt) }
	tests := []struct {
		sort application.ArtSort
		less func(a, b fixtureArt) int
	}{
		{sort: "", less: newest},
		{sort: application.SortNewest, less: newest},
		{sort: application.SortOldest, less: func(a, b fixtureArt) int { return cmpTime(a.createdAt, b.createdAt) }},
		{sort: application.SortPriceAsc, less: func(a, b fixtureArt) int { return cmpInt(a.currentPrice, b.currentPrice) }},
		{sort: application.SortPriceDesc, less: func(a, b fixtureArt) int { return -cmpInt(a.currentPrice, b.currentPrice) }},
		{sort: application.SortLikesDesc, less: func(a, b fixtureArt) int { return -cmpInt(a.likes, b.likes) }},
		{sort: application.SortLikesAsc, less: func(a, b fixtureArt) int { return cmpInt(a.likes, b.likes) }},
		{sort: application.SortBidsDesc, less: func(a, b fixtureArt) int { return -cmpInt(a.bids, b.bids) }},
		{sort: application.SortBidsAsc, less: func(a, b fixtureArt) int { return cmpInt(a.bids, b.bids) }},
		{sort: application.SortEndingSoon, less: func(a, b fixtureArt) int {
			ao, bo := a.openAt(testNow), b.openAt(testNow)
			switch {
			case ao && bo:
				return cmpTime(a.endAt, b.endAt)
			case ao:
				return -1
			case bo:
				return 1
			}
			return newest(a, b)
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.sort), func(t *testing.T) {
			t.Parallel()
			want := f.expect(nil, tt.less)
			require.Len(t, want, 24)

			got := f.list(t, application.ArtQuery{Sort: tt.sort})

			assert.Equal(t, want, got)
		})
	}
}

func TestArtStoreListFilters(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	newest := func(a, b fixtureArt) int { return -cmpTime(a.createdAt, b.createdAt) }
	contains := func(s string) func(fixtureArt) bool {
		return func(a fixtureArt) bool { return strings.Contains(strings.ToLower(a.text), strings.ToLower(s)) }
	}
	tests := []struct {
		name  string
		query application.ArtQuery
		keep  func(fixtureArt) bool
		less  func(a, b fixtureArt) int
	}{
		{
			name:  "text and type",
			query: application.ArtQuery{Text: "SUNSET", Type: art.TypeAuction, Sort: application.SortPriceDesc},
			keep:  func(a fixtureArt) bool { return contains("sunset")(a) && a.typ == art.TypeAuction },
			less:  func(a, b fixtureArt) int { return -cmpInt(a.currentPrice, b.currentPrice) },
		},
		{
			name:  "text matches the name too",
			query: application.ArtQuery{Text: "work 1"},
			keep:  contains("work 1"),
			less:  newest,
		},
		{
			name:  "percent taken literally",
			query: application.ArtQuery{Text: "50%"},
			keep:  contains("50%"),
			less:  newest,
		},
		{
			name:  "underscore taken literally",
			query: application.ArtQuery{Text: "snake_case"},
			keep:  contains("snake_case"),
			less:  newest,
		},
		{
			name:  "hashtag and status",
			query: application.ArtQuery{Hashtag: "blue", Status: application.StatusOnSaleArt, Sort: application.SortOldest},
			keep:  func(a fixtureArt) bool { return a.hasTag("blue") && a.status == art.StatusOnSale },
			less:  func(a, b fixtureArt) int { return cmpTime(a.createdAt, b.createdAt) },
		},
		{
			name:  "hashtag alone, newest",
			query: application.ArtQuery{Hashtag: "blue"},
			keep:  func(a fixtureArt) bool { return a.hasTag("blue") },
			less:  newest,
		},
		{
			name:  "hashtag alone, oldest",
			query: application.ArtQuery{Hashtag: "blue", Sort: application.SortOldest},
			keep:  func(a fixtureArt) bool { return a.hasTag("blue") },
			less:  func(a, b fixtureArt) int { return cmpTime(a.createdAt, b.createdAt) },
		},
		{
			name:  "sold",
			query: application.ArtQuery{Status: application.StatusSoldArt},
			keep:  func(a fixtureArt) bool { return a.status == art.StatusSold },
			less:  newest,
		},
		{
			name:  "unsold",
			query: application.ArtQuery{Status: application.StatusUnsoldArt},
			keep:  func(a fixtureArt) bool { return a.status == art.StatusUnsold },
			less:  newest,
		},
		{
			name:  "open auctions leave out scheduled and ended ones",
			query: application.ArtQuery{Status: application.StatusOpenAuction, Sort: application.SortBidsDesc},
			keep:  func(a fixtureArt) bool { return a.openAt(testNow) },
			less:  func(a, b fixtureArt) int { return -cmpInt(a.bids, b.bids) },
		},
		{
			name:  "owner alone",
			query: application.ArtQuery{OwnerID: f.owners[1]},
			keep:  func(a fixtureArt) bool { return a.ownerID == f.owners[1] },
			less:  newest,
		},
		{
			name:  "owner and type",
			query: application.ArtQuery{OwnerID: f.owners[1], Type: art.TypeGeneral, Sort: application.SortLikesDesc},
			keep:  func(a fixtureArt) bool { return a.ownerID == f.owners[1] && a.typ == art.TypeGeneral },
			less:  func(a, b fixtureArt) int { return -cmpInt(a.likes, b.likes) },
		},
		{
			name:  "hashtag and owner",
			query: application.ArtQuery{Hashtag: "even", OwnerID: f.owners[2]},
			keep:  func(a fixtureArt) bool { return a.hasTag("even") && a.ownerID == f.owners[2] },
			less:  newest,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			want := f.expect(tt.keep, tt.less)
			require.NotEmpty(t, want, "the fixture must give this filter something to find")

			got := f.list(t, tt.query)

			assert.Equal(t, want, got)
		})
	}

	t.Run("open auctions at another time", func(t *testing.T) {
		t.Parallel()
		later := testNow.Add(2 * time.Hour)
		want := f.expect(func(a fixtureArt) bool { return a.openAt(later) }, newest)

		got := f.list(t, application.ArtQuery{Status: application.StatusOpenAuction, Now: later})

		assert.Equal(t, want, got)
		assert.Len(t, got, 9, "six open ones and three scheduled ones that started")
	})

	t.Run("a hashtag nobody uses gives an empty page", func(t *testing.T) {
		t.Parallel()
		got, err := f.store.List(context.Background(), application.ArtQuery{Hashtag: "nobody"}, mustPage(t, 1, 20))

		require.NoError(t, err)
		assert.Empty(t, got.Items)
		assert.Zero(t, got.Total.Count)
		assert.Nil(t, got.Next)
	})

	t.Run("pattern characters match only themselves", func(t *testing.T) {
		t.Parallel()
		for q, n := range map[string]int{"%": 1, "_": 1, `\`: 0, "%%%": 0, "50_": 0} {
			want := f.expect(contains(q), newest)
			require.Len(t, want, n, q)

			got := f.list(t, application.ArtQuery{Text: q})

			assert.Equal(t, want, got, q)
		}
	})
}

func TestArtStoreListPages(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	ctx := context.Background()
	want := f.expect(nil, func(a, b fixtureArt) int { return -cmpInt(a.currentPrice, b.currentPrice) })
	q := application.ArtQuery{Sort: application.SortPriceDesc, Now: testNow}

	var got []int64
	for number := 1; number <= 5; number++ {
		page, err := f.store.List(ctx, q, mustPage(t, number, 5))
		require.NoError(t, err)
		assert.Equal(t, application.Total{Count: 24}, page.Total)
		if number < 5 {
			assert.Len(t, page.Items, 5)
			assert.NotNil(t, page.Next, "more follow page %d", number)
		} else {
			assert.Len(t, page.Items, 4, "the last page holds the rest")
			assert.Nil(t, page.Next, "nothing follows the last page")
		}
		got = append(got, summaryIDs(page.Items)...)
	}
	assert.Equal(t, want, got)

	past, err := f.store.List(ctx, q, mustPage(t, 6, 5))
	require.NoError(t, err)
	assert.Empty(t, past.Items, "past the last page")
	assert.Equal(t, application.Total{Count: 24}, past.Total, "counted alone")

	auctions, err := f.store.List(ctx, application.ArtQuery{Type: art.TypeAuction, Now: testNow}, mustPage(t, 2, 10))
	require.NoError(t, err)
	assert.Equal(t, application.Total{Count: 12}, auctions.Total)
	assert.Len(t, auctions.Items, 2)
}

func TestArtStoreListSummaries(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)

	page, err := f.store.List(context.Background(), application.ArtQuery{Now: testNow}, mustPage(t, 1, 100))

	require.NoError(t, err)
	items := page.Items
	byID := map[int64]fixtureArt{}
	for _, a := range f.arts {
		byID[a.id] = a
	}
	for _, it := range items {
		fa := byID[it.Art.ID()]
		assert.Equal(t, fa.tags, it.Art.Hashtags().List(), "hashtags in order")
		assert.Equal(t, fa.ownerID, it.Owner.ID)
		assert.Equal(t, fmt.Sprintf("owner%d", slices.Index(f.owners, fa.ownerID)), it.Owner.Nickname)
		assert.Equal(t, "Seoul Arts", it.Owner.School)
		assert.Equal(t, fa.currentPrice, it.Art.CurrentPrice())
		assert.Equal(t, fa.likes, it.Art.LikeCount())
		assert.Equal(t, fa.bids, it.Art.BidCount())
		assert.Equal(t, fa.status, it.Art.Status())
		assert.True(t, fa.createdAt.Equal(it.Art.CreatedAt()))
		if fa.typ == art.TypeAuction {
			assert.True(t, fa.endAt.Equal(it.AuctionEndAt), "end of art %d", fa.id)
		} else {
			assert.True(t, it.AuctionEndAt.IsZero())
		}
	}
}

func TestArtStoreListLikedBy(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	ctx := context.Background()
	likes := postgres.NewLikeStore(f.db)
	fan := createMember(t, f.db, "fan")
	other := createMember(t, f.db, "other")
	// Liked out of id order; two at the same moment tie by id.
	order := []int{7, 2, 19, 11, 4}
	minutes := []int{1, 2, 3, 3, 4}
	for k, i := range order {
		require.NoError(t, likes.Like(ctx, fan, f.arts[i].id, testNow.Add(time.Duration(minutes[k])*time.Minute)))
	}
	require.NoError(t, likes.Like(ctx, other, f.arts[0].id, testNow))

	got := f.list(t, application.ArtQuery{LikedBy: fan, Sort: application.SortPriceAsc})

	want := []int64{f.arts[4].id, max(f.arts[19].id, f.arts[11].id), min(f.arts[19].id, f.arts[11].id), f.arts[2].id, f.arts[7].id}
	assert.Equal(t, want, got, "most recently liked first, whatever the sort")

	got = f.list(t, application.ArtQuery{LikedBy: fan, Type: art.TypeAuction})
	assert.Equal(t, []int64{f.arts[4].id, f.arts[2].id}, got)
}

// walkByCursor lists q page after page, each after the previous one's next
// keyset, calling between after each page, and returns every id in order.
func (f *catalogFixture) walkByCursor(t *testing.T, q application.ArtQuery, size int, between func()) []int64 {
	t.Helper()
	ctx := context.Background()
	page, err := f.store.List(ctx, q, mustPage(t, 1, size))
	require.NoError(t, err)
	ids := summaryIDs(page.Items)
	for page.Next != nil {
		if between != nil {
			between()
		}
		page, err = f.store.List(ctx, q, afterPage(t, page.Next, size))
		require.NoError(t, err)
		assert.Zero(t, page.Total, "a cursor page does not count")
		require.LessOrEqual(t, len(ids), len(f.arts)*2, "the walk ends")
		ids = append(ids, summaryIDs(page.Items)...)
	}
	return ids
}

// walkByNumber lists q page after page by number.
func (f *catalogFixture) walkByNumber(t *testing.T, q application.ArtQuery, size int) []int64 {
	t.Helper()
	var ids []int64
	for number := 1; ; number++ {
		page, err := f.store.List(context.Background(), q, mustPage(t, number, size))
		require.NoError(t, err)
		ids = append(ids, summaryIDs(page.Items)...)
		if page.Next == nil {
			assert.Equal(t, application.Total{Count: len(ids)}, page.Total)
			return ids
		}
		require.Len(t, page.Items, size, "a page before the last is full")
	}
}

// listQueries are every sort unfiltered, and filters that change how a page
// is read: ending_soon's two parts, its open part alone, its rest alone, a
// member's likes.
func listQueries(owner, fan int64) map[string]application.ArtQuery {
	queries := map[string]application.ArtQuery{}
	for _, sort := range []application.ArtSort{application.SortNewest, application.SortOldest, application.SortPriceAsc,
		application.SortPriceDesc, application.SortLikesDesc, application.SortLikesAsc, application.SortBidsDesc,
		application.SortBidsAsc, application.SortEndingSoon} {
		queries[string(sort)] = application.ArtQuery{Sort: sort, Now: testNow}
	}
	queries["open auctions ending soon"] = application.ArtQuery{Status: application.StatusOpenAuction, Sort: application.SortEndingSoon, Now: testNow}
	queries["open auctions by price"] = application.ArtQuery{Status: application.StatusOpenAuction, Sort: application.SortPriceAsc, Now: testNow}
	queries["general arts ending soon"] = application.ArtQuery{Type: art.TypeGeneral, Sort: application.SortEndingSoon, Now: testNow}
	queries["an owner's arts by likes"] = application.ArtQuery{OwnerID: owner, Sort: application.SortLikesAsc, Now: testNow}
	queries["a hashtag by bids"] = application.ArtQuery{Hashtag: "art", Sort: application.SortBidsDesc, Now: testNow}
	queries["a hashtag newest"] = application.ArtQuery{Hashtag: "art", Now: testNow}
	queries["a hashtag oldest"] = application.ArtQuery{Hashtag: "art", Sort: application.SortOldest, Now: testNow}
	queries["text newest"] = application.ArtQuery{Text: "sunset", Now: testNow}
	queries["a member's likes"] = application.ArtQuery{LikedBy: fan, Now: testNow}
	return queries
}

// likeAll has fan like every fixture art, two at a time at the same moment.
func (f *catalogFixture) likeAll(t *testing.T) int64 {
	t.Helper()
	fan := createMember(t, f.db, "fan")
	likes := postgres.NewLikeStore(f.db)
	for i, a := range f.arts {
		require.NoError(t, likes.Like(context.Background(), fan, a.id, testNow.Add(time.Duration(i/2)*time.Minute)))
	}
	return fan
}

func TestArtStoreListByCursorMatchesNumberedPages(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	fan := f.likeAll(t)
	for name, q := range listQueries(f.owners[0], fan) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, size := range []int{1, 5, 7} {
				byNumber := f.walkByNumber(t, q, size)
				require.NotEmpty(t, byNumber)

				byCursor := f.walkByCursor(t, q, size, nil)

				assert.Equal(t, byNumber, byCursor, "size %d", size)
			}
		})
	}
}

func TestArtStoreListByCursorWhileArtsAreAdded(t *testing.T) {
	t.Parallel()
	for name := range listQueries(0, 0) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newCatalogFixture(t) // its own arts to add to
			fan := f.likeAll(t)
			q := listQueries(f.owners[0], fan)[name]
			before := f.walkByNumber(t, q, 100)
			added := 0
			// Between pages, a new art of every kind: general and auction,
			// open now, cheap and dear, listed now, liked or not.
			between := func() {
				added++
				typ, price := art.TypeGeneral, int64(500*added+1000)
				var au *auction.Auction
				if added%2 == 0 {
					typ = art.TypeAuction
					au = newTestAuction(testNow.Add(-time.Hour), testNow.Add(time.Duration(added)*time.Hour), price, 0)
				}
				a := newTestArt(t, f.owners[added%3], fmt.Sprintf("Added %d", added), "a sunset, added", typ, price,
					[]string{"art"}, testNow.Add(time.Duration(added)*time.Second))
				id := createTestArt(t, f.db, a, au)
				if added%3 == 0 {
					require.NoError(t, postgres.NewLikeStore(f.db).Like(context.Background(), fan, id, testNow.Add(time.Hour)))
				}
			}

			during := f.walkByCursor(t, q, 4, between)

			seen := map[int64]int{}
			for _, id := range during {
				seen[id]++
			}
			for id, n := range seen {
				assert.Equal(t, 1, n, "art %d listed %d times", id, n)
			}
			var kept []int64
			for _, id := range during {
				if slices.Contains(before, id) {
					kept = append(kept, id)
				}
			}
			assert.Equal(t, before, kept, "every art listed before is listed once, in its order")
			assert.Positive(t, added)
		})
	}
}

func TestArtStoreListCursorKeepsTheFirstPagesTime(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	q := application.ArtQuery{Sort: application.SortEndingSoon, Now: testNow}
	first, err := f.store.List(context.Background(), q, mustPage(t, 1, 3))
	require.NoError(t, err)
	want := f.walkByNumber(t, q, 3)

	// Later, auctions of the first page have ended: the cursor still lists
	// the order of the time it was made at.
	q.Now = testNow.Add(100 * time.Hour)
	rest := f.walkByCursorFrom(t, q, first.Next, 3)

	assert.Equal(t, want, append(summaryIDs(first.Items), rest...))
}

// walkByCursorFrom lists q from after keyset to its end.
func (f *catalogFixture) walkByCursorFrom(t *testing.T, q application.ArtQuery, after application.Keyset, size int) []int64 {
	t.Helper()
	var ids []int64
	for after != nil {
		page, err := f.store.List(context.Background(), q, afterPage(t, after, size))
		require.NoError(t, err)
		ids = append(ids, summaryIDs(page.Items)...)
		after = page.Next
	}
	return ids
}

func TestArtStoreListRefusesAKeysetOfAnotherShape(t *testing.T) {
	t.Parallel()
	f := newCatalogFixture(t)
	year10000 := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	tests := []struct {
		name   string
		query  application.ArtQuery
		keyset application.Keyset
	}{
		{name: "too short for newest", query: application.ArtQuery{}, keyset: application.Keyset{1}},
		{name: "too long for price", query: application.ArtQuery{Sort: application.SortPriceAsc}, keyset: application.Keyset{1, 2, 3}},
		{name: "no time for ending_soon", query: application.ArtQuery{Sort: application.SortEndingSoon}, keyset: application.Keyset{0, 1, 2}},
		{name: "an unknown part", query: application.ArtQuery{Sort: application.SortEndingSoon}, keyset: application.Keyset{testNow.UnixMicro(), 2, testNow.UnixMicro(), 5}},
		{name: "the rest part of open auctions", query: application.ArtQuery{Status: application.StatusOpenAuction, Sort: application.SortEndingSoon},
			keyset: application.Keyset{testNow.UnixMicro(), 1, testNow.UnixMicro(), 5}},
		{name: "a time past year 9999", query: application.ArtQuery{}, keyset: application.Keyset{year10000, 5}},
		{name: "a time before year 1", query: application.ArtQuery{Sort: application.SortOldest}, keyset: application.Keyset{-1 << 62, 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.query.Now = testNow

			_, err := f.store.List(context.Background(), tt.query, afterPage(t, tt.keyset, 5))

			assert.ErrorIs(t, err, application.ErrInvalidCursor)
		})
	}
}
