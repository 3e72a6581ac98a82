package httpapi

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientIPBehindTrustedProxies(t *testing.T) {
	_, balancers, err := net.ParseCIDR("10.0.0.0/24")
	require.NoError(t, err)
	_, loopback, err := net.ParseCIDR("127.0.0.1/32")
	require.NoError(t, err)
	behind := clientIPExtractor([]*net.IPNet{balancers, loopback})
	direct := clientIPExtractor(nil)

	for _, tc := range []struct {
		name, peer, xff string
		behind, direct  string
	}{
		{"a client straight to the service", "203.0.113.7:5000", "", "203.0.113.7", "203.0.113.7"},
		{"a client straight to the service, lying", "203.0.113.7:5000", "198.51.100.1", "203.0.113.7", "203.0.113.7"},
		{"through the balancer", "10.0.0.5:5000", "203.0.113.7", "203.0.113.7", "10.0.0.5"},
		{"through the balancer, lying", "10.0.0.5:5000", "198.51.100.1, 203.0.113.7", "203.0.113.7", "10.0.0.5"},
		{"through two trusted hops", "127.0.0.1:5000", "203.0.113.7, 10.0.0.9", "203.0.113.7", "127.0.0.1"},
		{"a private address not ours is a client", "10.0.0.5:5000", "192.168.1.20", "192.168.1.20", "10.0.0.5"},
		{"through the balancer, a header that does not parse", "10.0.0.5:5000", "not-an-ip", "10.0.0.5", "10.0.0.5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.RemoteAddr = tc.peer
			if tc.xff != "" {
				req.Header.Set("X-Forwarded-For", tc.xff)
			}
			assert.Equal(t, tc.behind, behind(req), "with trusted proxies")
			assert.Equal(t, tc.direct, direct(req), "without")
		})
	}
}
