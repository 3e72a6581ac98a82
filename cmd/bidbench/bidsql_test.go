package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPositionalNumbersEachNameOnce(t *testing.T) {
	t.Parallel()
	s := positional("SELECT :a, CAST(:b AS bigint), x::text, ':quoted' FROM t WHERE y = :a")
	assert.Equal(t, "SELECT $1, CAST($2 AS bigint), x::text, ':quoted' FROM t WHERE y = $1", s.sql)
	args, err := s.args(map[string]int64{"a": 1, "b": 2})
	require.NoError(t, err)
	assert.Equal(t, []any{int64(1), int64(2)}, args)
	_, err = s.args(map[string]int64{"a": 1})
	require.ErrorContains(t, err, ":b")
}

func TestEveryBidStatementHasItsValues(t *testing.T) {
	t.Parallel()
	values := map[string]int64{"auction": 1, "bidder": 2, "amount": 3, "bids": 4, "bids_after": 5, "highest": 6, "leader": 7}
	s := newRawStatements()
	for _, st := range []namedStatement{s.lock, s.readAuction, s.readBalance, s.save, s.hold, s.release, s.recipient, s.outbid} {
		_, err := st.args(values)
		require.NoError(t, err, st.sql)
	}
}
