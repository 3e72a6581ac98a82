package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/art"
)

func TestCatalogHoldsEveryInvariantAndVaries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn, conn := newTestDatabase(ctx, t)

	_, err := insertCatalog(ctx, conn, readCatalogSpec{arts: 3000, members: 80, hashtags: 300, seed: 7})
	require.NoError(t, err)

	broken, err := checkInvariants(ctx, dsn)
	require.NoError(t, err)
	assert.Empty(t, broken, "the catalog must hold every invariant the service keeps")

	c, err := summarizeCatalog(ctx, conn)
	require.NoError(t, err)
	t.Logf("catalog: %+v", c)
	assert.Equal(t, 3000, c.Arts)
	assert.Equal(t, 80, c.Members)
	auctions := 0
	for _, n := range c.Auctions {
		auctions += n
	}
	assert.Equal(t, 300, auctions, "every tenth art is an auction")
	for _, status := range []string{"open", "closed", "failed"} {
		assert.Positive(t, c.Auctions[status], "auctions %s", status)
	}
	for _, status := range []string{"on_sale", "sold", "unsold"} {
		assert.Positive(t, c.ArtsByStatus[status], "arts %s", status)
	}
	assert.Greater(t, c.Auctions["open"], c.Auctions["closed"], "most auctions are open")
	assert.Positive(t, c.Bids)
	assert.Greater(t, c.MaxLikeCount, 5, "popular arts gather many likes")
	assert.Less(t, c.LikedArts, c.Arts, "and many arts none")
	assert.Greater(t, c.MaxTagArts, c.Arts/20, "a popular hashtag is on many arts")
	assert.Greater(t, c.MaxOwnerArts, c.Arts/c.Members*3, "a prolific artist lists many times the average")
	require.Len(t, c.WordMatches, 4)
	assert.Greater(t, c.WordMatches[0].Share, 0.2, "the most frequent word is in many arts")
	assert.Less(t, c.WordMatches[3].Share, c.WordMatches[0].Share/5, "the rarest in few")

	var badTagLists int
	require.NoError(t, conn.QueryRow(ctx, `
SELECT count(*) FROM (SELECT art_id, count(*) AS n, max(position) AS last FROM art_hashtags GROUP BY art_id) t
WHERE n NOT BETWEEN 1 AND 5 OR last <> n - 1`).Scan(&badTagLists))
	assert.Zero(t, badTagLists, "every art has 1 to 5 hashtags at positions 0..n-1")
	var untagged int
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM arts a WHERE NOT EXISTS (SELECT 1 FROM art_hashtags h WHERE h.art_id = a.id)`).Scan(&untagged))
	assert.Zero(t, untagged)
	var ownBids, ended int
	require.NoError(t, conn.QueryRow(ctx, `
SELECT count(*) FROM bids b JOIN auctions au ON au.id = b.auction_id JOIN arts a ON a.id = au.art_id WHERE b.bidder_id = a.owner_id`).Scan(&ownBids))
	assert.Zero(t, ownBids, "nobody bids on their own auction")
	require.NoError(t, conn.QueryRow(ctx, `SELECT count(*) FROM auctions WHERE status = 'open' AND end_at < now() + interval '59 minutes'`).Scan(&ended))
	assert.Zero(t, ended, "no open auction ends while a run lasts")

	var id int64
	require.NoError(t, conn.QueryRow(ctx, `
INSERT INTO members (email, password_hash, nickname, name, created_at) VALUES ('late@example.com', 'x', 'late', 'Late', now()) RETURNING id`).Scan(&id))
	assert.Equal(t, int64(81), id, "the service's own inserts continue after the catalog's ids")

	targets, err := rankCatalog(ctx, conn)
	require.NoError(t, err)
	assert.Len(t, targets.arts, 3000)
	assert.Len(t, targets.auctions, 300)
	assert.Len(t, targets.members, 81)
	assert.Len(t, targets.hashtags, c.Hashtags)
	var topLikes, lastLikes int
	require.NoError(t, conn.QueryRow(ctx, `SELECT like_count FROM arts WHERE id = $1`, targets.arts[0]).Scan(&topLikes))
	require.NoError(t, conn.QueryRow(ctx, `SELECT like_count FROM arts WHERE id = $1`, targets.arts[len(targets.arts)-1]).Scan(&lastLikes))
	assert.Equal(t, c.MaxLikeCount, topLikes, "arts are ranked by likes, most first")
	assert.Zero(t, lastLikes)
}

func TestHashtagNamesAreDistinctValidHashtags(t *testing.T) {
	t.Parallel()
	names := hashtagNames(500)
	seen := map[string]bool{}
	for _, n := range names {
		assert.False(t, seen[n], "%q twice", n)
		seen[n] = true
	}
	tags, err := art.NewHashtags(names[:art.MaxHashtags])
	require.NoError(t, err)
	assert.Equal(t, names[:art.MaxHashtags], tags.List(), "already normalized")
	for i := 0; i < len(names); i += art.MaxHashtags {
		_, err := art.NewHashtags(names[i:min(i+art.MaxHashtags, len(names))])
		require.NoError(t, err, "hashtags %v", names[i:i+art.MaxHashtags])
	}
}

func TestVocabularyWordsAreDistinctLowerCaseWords(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, w := range vocabulary {
		assert.False(t, seen[w], "%q twice", w)
		seen[w] = true
		assert.Equal(t, strings.ToLower(w), w)
		assert.GreaterOrEqual(t, len(w), 4, w)
		assert.NotContains(t, w, " ")
	}
}

func TestArtSpreadIsCoprimeWithTheArts(t *testing.T) {
	t.Parallel()
	for _, arts := range []int{100, 5000, 100_000, artSpread, 3 * artSpread, 7921 * 7919} {
		m := readCatalogSpec{arts: arts}.spread()
		assert.Equal(t, int64(1), gcd(m, int64(arts)), "arts %d, multiplier %d", arts, m)
	}
	assert.Equal(t, int64(artSpread), readCatalogSpec{arts: 100_000}.spread())
}
