package postgres_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

// matchFixture is four arts, oldest first: cat; cat and portrait; portrait (an
// auction art); dog.
type matchFixture struct {
	store                           *postgres.ArtStore
	owner                           int64
	cat, catPortrait, portrait, dog int64
	portraitEnd                     time.Time
}

func newMatchFixture(t *testing.T) matchFixture {
	t.Helper()
	db := pgtest.NewDB(t)
	f := matchFixture{store: postgres.NewArtStore(db), owner: createMember(t, db, "painter")}
	base := testNow.Add(-time.Hour)
	f.cat = createTestArt(t, db, newTestArt(t, f.owner, "Cat", "A cat", art.TypeGeneral, 10_000, []string{"cat", "sleep"}, base), nil)
	f.catPortrait = createTestArt(t, db, newTestArt(t, f.owner, "CatPortrait", "A cat's portrait", art.TypeGeneral, 10_000,
		[]string{"portrait", "cat"}, base.Add(time.Minute)), nil)
	f.portraitEnd = testNow.Add(24 * time.Hour)
	f.portrait = createTestArt(t, db, newTestArt(t, f.owner, "Portrait", "A face", art.TypeAuction, 10_000, []string{"portrait"}, base.Add(2*time.Minute)),
		newTestAuction(testNow.Add(-time.Hour), f.portraitEnd, 10_000, 0))
	f.dog = createTestArt(t, db, newTestArt(t, f.owner, "Dog", "A dog", art.TypeGeneral, 10_000, []string{"dog"}, base.Add(3*time.Minute)), nil)
	return f
}

func TestMatchHashtagsRanksByMatchesThenConfidence(t *testing.T) {
	t.Parallel()
	f := newMatchFixture(t)
	ctx := context.Background()

	items, total, err := f.store.MatchHashtags(ctx, []application.WeightedHashtag{
		{Name: "cat", Confidence: 0.9}, {Name: "portrait", Confidence: 0.6},
	}, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, 3, total)
	require.Equal(t, []int64{f.catPortrait, f.cat, f.portrait}, summaryIDs(items), "two matches, then 0.9, then 0.6; dog absent")

	// Summaries are built as List builds them: owner, hashtags in the owner's
	// order, auction end.
	first := items[0]
	assert.Equal(t, "CatPortrait", first.Art.Name())
	assert.Equal(t, []string{"portrait", "cat"}, first.Art.Hashtags().List())
	assert.Equal(t, application.MemberRef{ID: f.owner, Nickname: "painter", School: "Seoul Arts"}, first.Owner)
	assert.True(t, first.AuctionEndAt.IsZero())
	last := items[2]
	assert.Equal(t, art.TypeAuction, last.Art.Type())
	assert.Equal(t, f.portraitEnd, last.AuctionEndAt)

	// The other way round, portrait's confidence wins among single matches.
	items, total, err = f.store.MatchHashtags(ctx, []application.WeightedHashtag{
		{Name: "cat", Confidence: 0.5}, {Name: "portrait", Confidence: 0.8},
	}, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, 3, total)
	assert.Equal(t, []int64{f.catPortrait, f.portrait, f.cat}, summaryIDs(items))
}

func TestMatchHashtagsIsExact(t *testing.T) {
	t.Parallel()
	f := newMatchFixture(t)
	ctx := context.Background()

	for _, name := range []string{"ca", "Cat", "cats", "%", "c_t"} {
		items, total, err := f.store.MatchHashtags(ctx, []application.WeightedHashtag{{Name: name, Confidence: 1}}, mustPage(t, 1, 20))
		require.NoError(t, err)
		assert.Empty(t, items, name)
		assert.Zero(t, total, name)
	}

	items, total, err := f.store.MatchHashtags(ctx, []application.WeightedHashtag{{Name: "dog", Confidence: 0.1}}, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, 1, total)
	assert.Equal(t, []int64{f.dog}, summaryIDs(items))
}

func TestMatchHashtagsUsesTheBestConfidenceOfARepeatedName(t *testing.T) {
	t.Parallel()
	f := newMatchFixture(t)
	ctx := context.Background()

	// cat counts once: counted twice, the cat art (two matches) would come
	// before the portrait.
	items, total, err := f.store.MatchHashtags(ctx, []application.WeightedHashtag{
		{Name: "cat", Confidence: 0.3}, {Name: "portrait", Confidence: 0.9}, {Name: "cat", Confidence: 0.2},
	}, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, 3, total)
	assert.Equal(t, []int64{f.catPortrait, f.portrait, f.cat}, summaryIDs(items))

	// cat's best confidence, 0.95, wins over the portrait's 0.9, wherever it comes.
	items, total, err = f.store.MatchHashtags(ctx, []application.WeightedHashtag{
		{Name: "cat", Confidence: 0.3}, {Name: "portrait", Confidence: 0.9}, {Name: "cat", Confidence: 0.95},
	}, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, 3, total)
	assert.Equal(t, []int64{f.catPortrait, f.cat, f.portrait}, summaryIDs(items))
}

func TestMatchHashtagsBreaksTiesByNewestThenID(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	ctx := context.Background()
	owner := createMember(t, db, "painter")
	old := createTestArt(t, db, newTestArt(t, owner, "Old", "A cat", art.TypeGeneral, 10_000, []string{"cat"}, testNow.Add(-time.Hour)), nil)
	sameA := createTestArt(t, db, newTestArt(t, owner, "SameA", "A cat", art.TypeGeneral, 10_000, []string{"cat"}, testNow), nil)
	sameB := createTestArt(t, db, newTestArt(t, owner, "SameB", "A cat", art.TypeGeneral, 10_000, []string{"cat"}, testNow), nil)
	newer := createTestArt(t, db, newTestArt(t, owner, "Newer", "A cat", art.TypeGeneral, 10_000, []string{"cat"}, testNow.Add(-time.Minute)), nil)
	require.Less(t, sameA, sameB)

	items, total, err := store.MatchHashtags(ctx, []application.WeightedHashtag{{Name: "cat", Confidence: 0.7}}, mustPage(t, 1, 20))
	require.NoError(t, err)
	assert.Equal(t, 4, total)
	assert.Equal(t, []int64{sameB, sameA, newer, old}, summaryIDs(items))
}

func TestMatchHashtagsPages(t *testing.T) {
	t.Parallel()
	f := newMatchFixture(t)
	ctx := context.Background()
	search := []application.WeightedHashtag{{Name: "cat", Confidence: 0.9}, {Name: "portrait", Confidence: 0.6}, {Name: "bird", Confidence: 1}}

	tests := []struct {
		number, size int
		want         []int64
	}{
		{1, 2, []int64{f.catPortrait, f.cat}},
		{2, 2, []int64{f.portrait}},
		{3, 2, []int64{}},
		{2, 1, []int64{f.cat}},
	}
	for _, tt := range tests {
		items, total, err := f.store.MatchHashtags(ctx, search, mustPage(t, tt.number, tt.size))
		require.NoError(t, err)
		assert.Equal(t, 3, total, "page %d of %d", tt.number, tt.size)
		assert.Equal(t, tt.want, summaryIDs(items), "page %d of %d", tt.number, tt.size)
	}
}

func TestMatchHashtagsWithoutTagsQueriesNothing(t *testing.T) {
	t.Parallel()
	f := newMatchFixture(t)
	// A cancelled context fails any query: none is made.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()

	for _, tags := range [][]application.WeightedHashtag{nil, {}} {
		items, total, err := f.store.MatchHashtags(ctx, tags, mustPage(t, 1, 20))
		require.NoError(t, err)
		assert.NotNil(t, items)
		assert.Empty(t, items)
		assert.Zero(t, total)
	}
}

func TestMatchHashtagsRunsInTheCallersTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewArtStore(db)
	owner := createMember(t, db, "painter")
	search := []application.WeightedHashtag{{Name: "cat", Confidence: 0.9}}

	require.NoError(t, postgres.NewTransactor(db).WithinTx(context.Background(), func(ctx context.Context) error {
		id := createTestArtIn(ctx, t, store, newTestArt(t, owner, "Cat", "A cat", art.TypeGeneral, 10_000, []string{"cat"}, testNow))
		items, total, err := store.MatchHashtags(ctx, search, mustPage(t, 1, 20))
		require.NoError(t, err)
		assert.Equal(t, 1, total)
		assert.Equal(t, []int64{id}, summaryIDs(items), "the transaction sees its own art")
		return nil
	}))
}

// createTestArtIn saves a general art in ctx's transaction.
func createTestArtIn(ctx context.Context, t *testing.T, store *postgres.ArtStore, a *art.Art) int64 {
	t.Helper()
	id, err := store.Create(ctx, a, nil)
	require.NoError(t, err)
	return id
}

// queryRecorder keeps the SQL of every query a bun.DB runs.
type queryRecorder struct {
	queries []string
}

func (r *queryRecorder) BeforeQuery(ctx context.Context, _ *bun.QueryEvent) context.Context {
	return ctx
}

func (r *queryRecorder) AfterQuery(_ context.Context, e *bun.QueryEvent) {
	r.queries = append(r.queries, e.Query)
}

// TestMatchHashtagsQueryPlans checks at 100k arts that MatchHashtags finds the
// searched names through art_hashtags_name_idx, page and count alike, and that
// for rare names (200 arts each) it reads arts by id, not sequentially.
func TestMatchHashtagsQueryPlans(t *testing.T) {
	if testing.Short() {
		t.Skip("bulk-loads 100k arts")
	}
	t.Parallel()
	db := pgtest.NewDB(t)
	seedManyArts(t, db)
	recorder := &queryRecorder{}
	store := postgres.NewArtStore(db.WithQueryHook(recorder))
	ctx := context.Background()
	tests := []struct {
		name string
		tags []application.WeightedHashtag
		// rare is true when few arts match: arts must then be read by id.
		rare bool
	}{
		{name: "rare", tags: []application.WeightedHashtag{{Name: "tag42", Confidence: 0.9}, {Name: "tag7", Confidence: 0.5}}, rare: true},
		{name: "common", tags: []application.WeightedHashtag{{Name: "common1", Confidence: 0.9}, {Name: "tag7", Confidence: 0.5}}},
	}
	for _, tt := range tests {
		recorder.queries = nil
		_, total, err := store.MatchHashtags(ctx, tt.tags, mustPage(t, 1, 20))
		require.NoError(t, err)
		require.Positive(t, total)
		// The page, the total, then the page's hashtags.
		require.Len(t, recorder.queries, 3, tt.name)
		for _, query := range recorder.queries[:2] {
			var raw string
			require.NoError(t, db.QueryRowContext(ctx, "EXPLAIN (FORMAT JSON) "+query).Scan(&raw))
			var plans []struct {
				Plan planNode `json:"Plan"`
			}
			require.NoError(t, json.Unmarshal([]byte(raw), &plans))
			require.Len(t, plans, 1)
			var indexes []string
			plans[0].Plan.walk(func(n planNode) {
				indexes = append(indexes, n.IndexName)
				if n.NodeType != "Seq Scan" {
					return
				}
				assert.NotEqual(t, "art_hashtags", n.RelationName, "%s: sequential scan of art_hashtags", tt.name)
				if tt.rare {
					assert.NotEqual(t, "arts", n.RelationName, "%s: sequential scan of arts", tt.name)
				}
			})
			assert.True(t, slices.Contains(indexes, "art_hashtags_name_idx"), "%s: plan uses %v", tt.name, indexes)
			t.Logf("%s\n%s\n%s", tt.name, query, explainText(t, db, query))
		}
	}
}
