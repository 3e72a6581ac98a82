package main

import (
	"context"
	"errors"
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
	"time"

	"github.com/prometheus/procfs"
)

// buildService compiles cmd/artauction into dir, so every strategy runs the
// same binary as its own process and its memory is its own.
func buildService(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "artauction")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "github.com/artauction/artauction/cmd/artauction")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("build cmd/artauction: %w", err)
	}
	return bin, nil
}

// service is one running artauction process.
type service struct {
	cmd     *exec.Cmd
	baseURL string
	logPath string
	exited  chan struct{}
	waitErr error
}

// serviceSpec is what a started service is given.
type serviceSpec struct {
	bin         string
	strategy    string
	databaseURL string
	redisURL    string
	keyPrefix   string
	workDir     string
	extraEnv    []string
}

// startService runs the binary on a free local port and waits until /readyz
// answers 200, or fails with the tail of its log.
func startService(ctx context.Context, spec serviceSpec) (*service, error) {
	port, err := freePort(ctx)
	if err != nil {
		return nil, err
	}
	logPath := filepath.Join(spec.workDir, "artauction-"+spec.strategy+".log")
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create service log: %w", err)
	}
	defer logFile.Close()
	cmd := processCommand(ctx, spec.bin)
	cmd.Env = append(os.Environ(),
		"HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port),
		"DATABASE_URL="+spec.databaseURL,
		"REDIS_URL="+spec.redisURL,
		"REDIS_KEY_PREFIX="+spec.keyPrefix,
		"AUCTION_LOCK_STRATEGY="+spec.strategy,
		"APP_ENV=test",
		"JWT_SECRET=bidbench-secret-for-a-throwaway-database-0123456789",
		"BCRYPT_COST=10",
		"RATE_LIMIT_ENABLED=false",
		"MAIL_TRANSPORT=console",
		// Info would log every outbid mail the console transport "sends".
		"LOG_LEVEL=warn",
		"IMAGE_DIR="+filepath.Join(spec.workDir, "images"),
		// No admin listener: the benchmark reads the public metrics only, and
		// instances started one after another must not compete for its port.
		"ADMIN_ADDR=",
	)
	cmd.Env = append(cmd.Env, spec.extraEnv...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.bin, err)
	}
	s := &service{cmd: cmd, baseURL: "http://127.0.0.1:" + strconv.Itoa(port), logPath: logPath, exited: make(chan struct{})}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	if err := s.waitReady(ctx, 30*time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("service (%s) not ready: %w\n%s", spec.strategy, err, tail(logPath, 20))
	}
	return s, nil
}

func (s *service) waitReady(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("exited: %w", s.waitErr)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.baseURL+"/readyz", nil)
		if err != nil {
			return err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			continue
		}
		_ = res.Body.Close()
		if res.StatusCode == http.StatusOK {
			return nil
		}
	}
	return fmt.Errorf("/readyz did not answer 200 within %s", limit)
}

// peakRSS is the most resident memory the process ever had (VmHWM), in bytes.
func (s *service) peakRSS() (uint64, error) {
	status, err := processStatus(s.cmd.Process.Pid)
	if err != nil {
		return 0, err
	}
	return status.VmHWM, nil
}

// stop sends SIGTERM, the service's graceful stop, and kills it if it hangs.
// stopGrace is how long a stopped process has to exit before it is killed.
const stopGrace = 15 * time.Second

// processCommand runs a process of a benchmark: an interrupted run (ctx ended)
// stops it the way stop does, SIGTERM and SIGKILL stopGrace later.
func processCommand(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = stopGrace
	return cmd
}

func (s *service) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(stopGrace):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// rssSampler records the largest resident set of a process while it runs.
type rssSampler struct {
	pid  int
	stop chan struct{}
	done sync.WaitGroup
	mu   sync.Mutex
	max  uint64
}

func sampleRSS(pid int, every time.Duration) *rssSampler {
	r := &rssSampler{pid: pid, stop: make(chan struct{})}
	r.done.Go(func() {
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			r.sample()
			select {
			case <-r.stop:
				return
			case <-tick.C:
			}
		}
	})
	return r
}

func (r *rssSampler) sample() {
	status, err := processStatus(r.pid)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.max = max(r.max, status.VmRSS)
	r.mu.Unlock()
}

// finish stops sampling and returns the largest resident set seen, in bytes.
func (r *rssSampler) finish() uint64 {
	close(r.stop)
	r.done.Wait()
	r.sample()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.max
}

func processStatus(pid int) (procfs.ProcStatus, error) {
	proc, err := procfs.NewProc(pid)
	if err != nil {
		return procfs.ProcStatus{}, fmt.Errorf("find process %d: %w", pid, err)
	}
	status, err := proc.NewStatus()
	if err != nil {
		return procfs.ProcStatus{}, fmt.Errorf("read /proc/%d/status: %w", pid, err)
	}
	return status, nil
}

func freePort(ctx context.Context) (int, error) {
	l, err := (&net.ListenConfig{}).Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("find a free port: not a TCP address")
	}
	return addr.Port, nil
}

// tail is the last n lines of a log file, for error messages.
func tail(path string, n int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  | " + strings.Join(lines, "\n  | ")
}
