package test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/mail/smtptest"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/adapters/storage"
	"github.com/artauction/artauction/adapters/storage/s3test"
)

// cluster is several service processes behind a real HAProxy, as in a
// deployment: one database, one Redis prefix, one mail server and one bucket of
// the object store, which the instances reach through a cuttable proxy so that
// a test can take the store away from all of them at once.
type cluster struct {
	*app      // the balancer: every request may land on any instance
	instances []*serviceProcess
	balancer  *exec.Cmd
	store     *cuttableProxy
	bucket    storage.S3Settings
	dsn       string
	// vars configured every instance.
	vars map[string]string
}

// servedBy is the header the balancer adds to name the instance that answered.
const servedBy = "X-Served-By"

// startCluster starts size instances of the built service with IMAGE_STORE=s3
// and env, and HAProxy in front of them, and waits until the balancer sends to all.
func startCluster(t *testing.T, size int, env map[string]string) *cluster {
	t.Helper()
	haproxy := haproxyBinary(t)
	bin := buildService(t)
	dsn := pgtest.NewDatabase(t)
	mail := smtptest.Start(t)
	_, prefix := redistest.New(t)
	bucket := s3test.New(t)
	storeURL, store := behindProxy(t, bucket.Endpoint)
	vars := serviceEnv(t, dsn, redistest.URL(), prefix, mail, map[string]string{
		"IMAGE_STORE": "s3", "S3_ENDPOINT": storeURL, "S3_REGION": bucket.Region, "S3_BUCKET": bucket.Bucket,
		"S3_ACCESS_KEY_ID": bucket.AccessKeyID, "S3_SECRET_ACCESS_KEY": bucket.SecretAccessKey,
		"S3_FORCE_PATH_STYLE": "true",
		// The balancer is on loopback: its X-Forwarded-For names the client.
		"TRUSTED_PROXIES": "127.0.0.1",
	})
	for k, v := range env {
		vars[k] = v
	}
	c := &cluster{store: store, bucket: bucket, dsn: dsn, vars: vars}
	for range size {
		c.instances = append(c.instances, startService(t, bin, vars))
	}
	c.startBalancer(t, haproxy, mail)
	return c
}

// haproxyBinary finds HAProxy, which make test installs (scripts/ensure-haproxy.sh).
func haproxyBinary(t *testing.T) string {
	t.Helper()
	if path, err := exec.LookPath("haproxy"); err == nil {
		return path
	}
	const debian = "/usr/sbin/haproxy"
	_, err := os.Stat(debian)
	require.NoError(t, err, "HAProxy is not installed: make test installs it (scripts/ensure-haproxy.sh)")
	return debian
}

// startBalancer runs HAProxy with the configuration scripts/cluster.sh writes,
// on a free port, and waits until every instance answers through it.
func (c *cluster) startBalancer(t *testing.T, haproxy string, mail *smtptest.Server) {
	t.Helper()
	addr := "127.0.0.1:" + freePort(t)
	var servers strings.Builder
	for i, p := range c.instances {
		fmt.Fprintf(&servers, "    server instance-%d %s check\n", i+1, strings.TrimPrefix(p.base, "http://"))
	}
	// Health checks every 200ms, so that a dead instance is out within a second.
	cfg := fmt.Sprintf(`global
    maxconn 1024
defaults
    mode http
    timeout connect 2s
    timeout client 1m
    timeout server 1m
    timeout tunnel 1m
    option redispatch
    retries 2
    option forwardfor
frontend api
    bind %s
    default_backend instances
backend instances
    balance roundrobin
    option httpchk GET /healthz
    http-check expect status 200
    default-server inter 200ms fall 2 rise 2
    http-response set-header %s %%[srv_name]
%s`, addr, servedBy, servers.String())
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "haproxy.cfg")
	require.NoError(t, os.WriteFile(cfgPath, []byte(cfg), 0o600))
	logFile, err := os.Create(filepath.Join(dir, "haproxy.log"))
	require.NoError(t, err)
	defer logFile.Close()
	cmd := exec.Command(haproxy, "-db", "-f", cfgPath)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		<-exited
	})
	c.balancer = cmd
	c.app = &app{t: t, base: "http://" + addr, mail: mail, vars: map[string]string{}, mailsRead: map[string]int{}}

	// Until the health checks have passed, the balancer answers 503 for an instance.
	require.Eventually(t, func() bool {
		select {
		case <-exited:
			raw, _ := os.ReadFile(filepath.Join(dir, "haproxy.log"))
			require.FailNow(t, "HAProxy exited at start", "%s", raw)
		default:
		}
		seen := map[string]bool{}
		for range 2 * len(c.instances) {
			res, err := http.Get(c.base + "/healthz")
			if err != nil {
				return false
			}
			_ = res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return false
			}
			seen[res.Header.Get(servedBy)] = true
		}
		return len(seen) == len(c.instances)
	}, 30*time.Second, 100*time.Millisecond, "the balancer did not send to every instance")
}

// fromEveryInstance sends the request of send through the balancer until each
// live instance has answered it once, and returns the answers by instance.
func (c *cluster) fromEveryInstance(t *testing.T, live int, send func() response) map[string]response {
	t.Helper()
	answers := map[string]response{}
	for i := 0; len(answers) < live; i++ {
		require.Less(t, i, 10*live, "the balancer did not spread requests over %d instances: %v", live, keysOf(answers))
		res := send()
		name := res.header.Get(servedBy)
		require.NotEmpty(t, name, "an answer that did not come through an instance: %d %s", res.status, res.body)
		if _, ok := answers[name]; !ok {
			answers[name] = res
		}
	}
	return answers
}

// nextRequestAvoids sends cheap requests through the balancer until the one
// after them goes to an instance other than avoid: round robin sends the next
// request to the instance after the last one that answered.
func (c *cluster) nextRequestAvoids(t *testing.T, avoid string) {
	t.Helper()
	for range 2 * len(c.instances) {
		res := c.newClient().do(http.MethodGet, "/healthz", nil)
		if res.header.Get(servedBy) == avoid {
			return
		}
	}
	require.FailNow(t, "instance never answered through the balancer", avoid)
}

func keysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// freePortWithFreeAdmin finds a free port whose admin port (plus 1011, as the
// service derives it) is free too.
func freePortWithFreeAdmin(t *testing.T) int {
	t.Helper()
	for range 50 {
		port, err := strconv.Atoi(freePort(t))
		require.NoError(t, err)
		if port+1011 > 65535 {
			continue
		}
		ln, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+1011))
		if err != nil {
			continue
		}
		_ = ln.Close()
		return port
	}
	require.FailNow(t, "no free port with a free admin port")
	return 0
}
