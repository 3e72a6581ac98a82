package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/art"
)

func hc(name string, n int) application.HashtagCount {
	return application.HashtagCount{Name: name, ArtCount: n}
}

func TestHashtagStorePopular(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	store := postgres.NewHashtagStore(db)
	owner := createMember(t, db, "painter")
	for i, tags := range [][]string{
		{"sunset", "sea", "sun"},
		{"sunset", "sun", "50%off"},
		{"sunset", "sunflower", "s_x"},
		{"sea", "sunflower", "sox"},
		{"sky", "500off"},
	} {
		createTestArt(t, db, newTestArt(t, owner, fmt.Sprintf("Art %d", i), "text", art.TypeGeneral, 1000, tags, testNow), nil)
	}
	tests := []struct {
		prefix string
		limit  int
		want   []application.HashtagCount
	}{
		{prefix: "su", limit: 10, want: []application.HashtagCount{hc("sunset", 3), hc("sun", 2), hc("sunflower", 2)}},
		{prefix: "s", limit: 4, want: []application.HashtagCount{hc("sunset", 3), hc("sea", 2), hc("sun", 2), hc("sunflower", 2)}},
		{prefix: "", limit: 2, want: []application.HashtagCount{hc("sunset", 3), hc("sea", 2)}},
		{prefix: "sunset", limit: 10, want: []application.HashtagCount{hc("sunset", 3)}},
		{prefix: "50%", limit: 10, want: []application.HashtagCount{hc("50%off", 1)}},
		{prefix: "s_", limit: 10, want: []application.HashtagCount{hc("s_x", 1)}},
		{prefix: "%", limit: 10, want: []application.HashtagCount{}},
		{prefix: "moon", limit: 10, want: []application.HashtagCount{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q limit %d", tt.prefix, tt.limit), func(t *testing.T) {
			t.Parallel()
			got, err := store.Popular(context.Background(), tt.prefix, tt.limit)

			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// The counters the lists and autocompletion read follow every way an art's
// hashtags change: arts listed at once with the same hashtags in other orders,
// an edit that replaces them, and a delete.
func TestHashtagCountersFollowTheTags(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	arts := postgres.NewArtStore(db)
	owner := createMember(t, db, "painter")
	orders := [][]string{{"sea", "sky", "sun"}, {"sun", "sky", "sea"}, {"sky", "sea"}, {"sun"}}
	ids := make([]int64, 40)
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for i := range ids {
		wg.Go(func() {
			id, err := arts.Create(ctx, newTestArt(t, owner, fmt.Sprintf("Art %d", i), "text", art.TypeGeneral, 1000, orders[i%len(orders)], testNow), nil)
			ids[i] = id
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for _, id := range ids[:10] {
		a, err := arts.ByID(ctx, id)
		require.NoError(t, err)
		require.NoError(t, a.Edit(owner, art.Change{Hashtags: []string{"moon", "sky"}, HasHashtags: true}))
		require.NoError(t, arts.Update(ctx, a))
	}
	for _, id := range ids[10:25] {
		require.NoError(t, arts.Delete(ctx, id))
	}

	var counted, kept []application.HashtagCount
	require.NoError(t, db.NewRaw(`SELECT name, count(*) AS art_count FROM art_hashtags GROUP BY name ORDER BY name`).Scan(ctx, &counted))
	require.NoError(t, db.NewRaw(`SELECT name, sum(art_count) AS art_count FROM hashtag_counts GROUP BY name HAVING sum(art_count) > 0 ORDER BY name`).Scan(ctx, &kept))
	require.Len(t, counted, 4, "moon, sea, sky and sun are left")
	assert.Equal(t, counted, kept)
	popular, err := postgres.NewHashtagStore(db).Popular(ctx, "", 10)
	require.NoError(t, err)
	assert.ElementsMatch(t, counted, popular)
}
