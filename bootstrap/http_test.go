package bootstrap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTrustedProxies(t *testing.T) {
	cfg, err := ParseConfig(map[string]string{})
	require.NoError(t, err)
	nets, err := parseTrustedProxies(cfg.HTTP.TrustedProxies)
	require.NoError(t, err)
	assert.Empty(t, nets, "no proxy is trusted by default")

	cfg, err = ParseConfig(map[string]string{"TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8,,::1"})
	require.NoError(t, err)
	nets, err = parseTrustedProxies(cfg.HTTP.TrustedProxies)
	require.NoError(t, err)
	require.Len(t, nets, 3)
	assert.Equal(t, "127.0.0.1/32", nets[0].String())
	assert.Equal(t, "10.0.0.0/8", nets[1].String())
	assert.Equal(t, "::1/128", nets[2].String())

	for _, bad := range []string{"balancer.local", "10.0.0.0/33", "*"} {
		_, err := ParseConfig(map[string]string{"TRUSTED_PROXIES": bad})
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "TRUSTED_PROXIES")
	}
}
