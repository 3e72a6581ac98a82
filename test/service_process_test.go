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
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/mail/smtptest"
)

// buildService compiles cmd/artauction (without the race detector: it is the
// service under test, not the test) into a directory of t's.
func buildService(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "artauction")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/artauction/artauction/cmd/artauction").CombinedOutput()
	require.NoError(t, err, "build cmd/artauction: %s", out)
	return bin
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
	logPath := filepath.Join(t.TempDir(), "artauction.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	defer logFile.Close()
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "HTTP_ADDR=127.0.0.1:"+port, "ADMIN_ADDR=127.0.0.1:"+adminPort)
	for k, v := range vars {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	p := &serviceProcess{t: t, cmd: cmd, base: "http://127.0.0.1:" + port, admin: "http://127.0.0.1:" + adminPort,
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
