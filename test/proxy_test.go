package test

import (
	"io"
	"net"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// cuttableProxy forwards TCP connections to a target until it is cut: then it
// drops every open connection and refuses new ones until it is restored, as a
// Postgres, Redis or SMTP server that went away would look to the service.
type cuttableProxy struct {
	t        *testing.T
	listener net.Listener
	target   string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

func startCuttableProxy(t *testing.T, target string) *cuttableProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &cuttableProxy{t: t, listener: ln, target: target, conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() {
		_ = ln.Close()
		p.dropAll()
	})
	go p.serve()
	return p
}

func (p *cuttableProxy) addr() string { return p.listener.Addr().String() }

func (p *cuttableProxy) serve() {
	for {
		client, err := p.listener.Accept()
		if err != nil {
			return
		}
		go p.forward(client)
	}
}

func (p *cuttableProxy) forward(client net.Conn) {
	p.mu.Lock()
	down := p.cut
	p.mu.Unlock()
	if down {
		_ = client.Close()
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = client.Close()
		return
	}
	if !p.track(client, server) {
		return
	}
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(server, client)
	go pipe(client, server)
	<-done
	p.untrack(client, server)
}

// track registers a forwarded pair, unless the proxy was cut meanwhile.
func (p *cuttableProxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cut {
		for _, c := range conns {
			_ = c.Close()
		}
		return false
	}
	for _, c := range conns {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *cuttableProxy) untrack(conns ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

func (p *cuttableProxy) setCut(cut bool) {
	p.mu.Lock()
	p.cut = cut
	p.mu.Unlock()
	if cut {
		p.dropAll()
	}
}

func (p *cuttableProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		_ = c.Close()
		delete(p.conns, c)
	}
}

// behindProxy returns rawURL with its host replaced by a new cuttable proxy to it.
func behindProxy(t *testing.T, rawURL string) (string, *cuttableProxy) {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	proxy := startCuttableProxy(t, u.Host)
	u.Host = proxy.addr()
	return u.String(), proxy
}
