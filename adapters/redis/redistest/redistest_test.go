package redistest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/redis/redistest"
)

func TestPrefixesAreUniqueAndCleanedUp(t *testing.T) {
	var first, second string
	t.Run("sub[*]", func(t *testing.T) {
		client, prefix := redistest.New(t)
		first = prefix
		require.NoError(t, client.Set(t.Context(), prefix+"k", "v", 0).Err())
		require.NotContains(t, prefix, "*", "glob characters are kept out of prefixes")
	})
	t.Run("sub[*]", func(t *testing.T) {
		_, second = redistest.New(t)
	})
	require.NotEqual(t, first, second)

	client, _ := redistest.New(t)
	n, err := client.Exists(t.Context(), first+"k").Result()
	require.NoError(t, err)
	require.Zero(t, n, "keys under the prefix are deleted at cleanup")
}
