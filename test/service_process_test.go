package test

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/mail/smtptest"
)

// builtService is cmd/artauction compiled once for the whole package: the
// tests that run the service as processes share one binary.
var builtService struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// buildService compiles cmd/artauction (without the race detector: it is the
// service under test, not the test) the first time it is called, and returns
// the binary; removeBuiltService deletes it when the package's tests end.
func buildService(t *testing.T) string {
	t.Helper()
	builtService.once.Do(func() {
		dir, err := os.MkdirTemp("", "artauction-test-bin-")
		if err != nil {
			builtService.err = err
			return
		}
		builtService.dir, builtService.bin = dir, filepath.Join(dir, "artauction")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, "go", "build", "-o", builtService.bin, "github.com/artauction/artauction/cmd/artauction").CombinedOutput()
		if err != nil {
			builtService.err = fmt.Errorf("build cmd/artauction: %w: %s", err, out)
		}
	})
	require.NoError(t, builtService.err)
	return builtService.bin
}

func removeBuiltService() {
	if builtService.dir != "" {
		_ = os.RemoveAll(builtService.dir)
	}
}

// serviceProcess is the service running as a process of its own, so that a
// test can kill it as an operator or the kernel would.
type serviceProcess struct {
	t      *testing.T
	cmd    *exec.Cmd
	base   string
	admin  string
	log    string
	exited chan struct{}
}

// serviceEnv is what launchApp gives the in-process app, for a process: its
// database, Redis prefix and mail server are the caller's.
func serviceEnv(t *testing.T, dsn, redisURL, prefix string, mail *smtptest.Server, extra map[string]string) map[string]string {
	t.Helper()
	vars := map[string]string{
		"DATABASE_URL":       dsn,
		"REDIS_URL":          redisURL,
		"REDIS_KEY_PREFIX":   prefix,
		"APP_ENV":            "test",
		"JWT_SECRET":         "black-box-test-secret-0123456789abcdef",
		"BCRYPT_COST":        "10",
		"LOG_LEVEL":          "warn",
		"MAIL_TRANSPORT":     "smtp",
		"SMTP_HOST":          mail.Host(),
		"SMTP_PORT":          strconv.Itoa(mail.Port()),
		"SMTP_TLS":           "none",
		"RATE_LIMIT_ENABLED": "false",
		"IMAGE_DIR":          t.TempDir(),
	}
	for k, v := range extra {
		vars[k] = v
	}
	return vars
}

// startService runs bin with vars on free local ports and waits until /readyz
// answers 200. The process is killed when the test ends.
func startService(t *testing.T, bin string, vars map[string]string) *serviceProcess {
	t.Helper()
	port, adminPort := freePort(t), freePort(t)
	return launchService(t, bin, vars, map[string]string{
		"HTTP_ADDR": "127.0.0.1:" + port, "ADMIN_ADDR": "127.0.0.1:" + adminPort,
	}, "127.0.0.1:"+adminPort)
}

// launchService runs bin with vars and listen (HTTP_ADDR, and ADMIN_ADDR unless
// the service is to derive it), whose admin listener is then at adminAddr, and
// waits until /readyz answers 200. The process is killed when the test ends.
func launchService(t *testing.T, bin string, vars, listen map[string]string, adminAddr string) *serviceProcess {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "artauction.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	defer logFile.Close()
	cmd := exec.Command(bin)
	// The listeners are the test's to say, whatever the environment of the run has.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HTTP_ADDR=") && !strings.HasPrefix(kv, "ADMIN_ADDR=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for _, set := range []map[string]string{vars, listen} {
		for k, v := range set {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	p := &serviceProcess{t: t, cmd: cmd, base: "http://" + listen["HTTP_ADDR"], admin: "http://" + adminAddr,
		log: logPath, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(p.kill)
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-p.exited:
			require.FailNow(t, "the service exited at start", "%s", p.logTail())
		case <-time.After(100 * time.Millisecond):
		}
		if res, err := http.Get(p.base + "/readyz"); err == nil {
			_ = res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return p
			}
		}
		require.True(t, time.Now().Before(deadline), "the service was not ready within 60s:\n%s", p.logTail())
	}
}

// kill sends SIGKILL: no shutdown hook runs, nothing is flushed.
func (p *serviceProcess) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

func (p *serviceProcess) pid() int { return p.cmd.Process.Pid }

// logTail is the end of the service's log, for failure messages.
func (p *serviceProcess) logTail() string {
	raw, err := os.ReadFile(p.log)
	if err != nil {
		return err.Error()
	}
	lines := bytes.Split(bytes.TrimSpace(raw), []byte("\n"))
	return string(bytes.Join(lines[max(0, len(lines)-30):], []byte("\n")))
}

// appOf lets the black-box helpers drive the process.
func (p *serviceProcess) appOf(t *testing.T, mail *smtptest.Server) *app {
	t.Helper()
	return &app{t: t, base: p.base, admin: p.admin, mail: mail, vars: map[string]string{}, mailsRead: map[string]int{}}
}

// errorLines are the log lines of level error, but those a fault is expected to cause.
func (p *serviceProcess) errorLines(expected ...string) []string {
	raw, err := os.ReadFile(p.log)
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
lines:
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.Contains(line, `"level":"error"`) {
			continue
		}
		for _, e := range expected {
			if strings.Contains(line, e) {
				continue lines
			}
		}
		out = append(out, line)
	}
	return out
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	_, port, err := net.SplitHostPort(ln.Addr().String())
	require.NoError(t, err)
	return port
}

func (p *serviceProcess) String() string {
	return fmt.Sprintf("artauction pid %d at %s", p.pid(), p.base)
}
