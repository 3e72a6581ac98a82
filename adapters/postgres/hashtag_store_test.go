package postgres_test

import (
	"context"
	"fmt"
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
