//go:build chaos

// The longer fault runs of `make chaos`: a real Postgres restart, a real Redis
// stop and start, SMTP down for a minute, kill -9 under heavier load, and a
// soak. Each runs the built service as a process of its own, on throwaway
// servers where it breaks them, so the machine's shared ones are not disturbed.
package test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/mail/smtptest"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/adapters/security"
)

// chaosRow is one line of the table TestChaosSummary prints.
type chaosRow struct {
	fault  string
	counts faultCounts
	note   string
}

var chaosTable struct {
	sync.Mutex
	rows []chaosRow
}

func recordChaos(t *testing.T, fault string, counts faultCounts, note string) {
	t.Helper()
	t.Logf("%s: %s; %s", fault, counts, note)
	chaosTable.Lock()
	defer chaosTable.Unlock()
	chaosTable.rows = append(chaosTable.rows, chaosRow{fault, counts, note})
}

// throwawayPostgres is a cluster of its own in a temporary directory, on a
// free port, so that restarting it disturbs nothing else.
type throwawayPostgres struct {
	t      *testing.T
	bindir string
	dir    string
	port   string
	owner  string
}

func startThrowawayPostgres(t *testing.T) *throwawayPostgres {
	t.Helper()
	bindirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	require.NotEmpty(t, bindirs, "no PostgreSQL server binaries under /usr/lib/postgresql")
	slices.Sort(bindirs)
	dir, err := os.MkdirTemp("", "chaos-postgres-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	pg := &throwawayPostgres{t: t, bindir: bindirs[len(bindirs)-1], dir: dir, port: freePort(t)}
	if os.Geteuid() == 0 {
		// PostgreSQL refuses to run as root.
		owner, err := user.Lookup("postgres")
		require.NoError(t, err, "running as root needs a postgres user to own the cluster")
		uid, _ := strconv.Atoi(owner.Uid)
		gid, _ := strconv.Atoi(owner.Gid)
		require.NoError(t, os.Chown(dir, uid, gid))
		pg.owner = owner.Username
	}
	pg.run("initdb", "-D", pg.data(), "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	pg.ctl("start")
	t.Cleanup(func() { pg.ctl("stop", "-m", "immediate") })
	return pg
}

func (pg *throwawayPostgres) data() string { return filepath.Join(pg.dir, "data") }

func (pg *throwawayPostgres) url() string {
	return "postgres://postgres@127.0.0.1:" + pg.port + "/postgres?sslmode=disable"
}

func (pg *throwawayPostgres) run(tool string, args ...string) {
	pg.t.Helper()
	cmd := exec.Command(filepath.Join(pg.bindir, tool), args...)
	if pg.owner != "" {
		cmd = exec.Command("runuser", append([]string{"-u", pg.owner, "--", filepath.Join(pg.bindir, tool)}, args...)...)
	}
	cmd.Dir = pg.dir
	out, err := cmd.CombinedOutput()
	require.NoError(pg.t, err, "%s: %s", tool, out)
}

// ctl runs pg_ctl action, waiting for it to finish.
func (pg *throwawayPostgres) ctl(action string, args ...string) {
	pg.t.Helper()
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %s -c unix_socket_directories='' -c max_connections=200", pg.port)
	pg.run("pg_ctl", append([]string{"-D", pg.data(), "-l", filepath.Join(pg.dir, "server.log"), "-o", opts, "-w", "-t", "60", action}, args...)...)
}

// throwawayRedis is a redis-server of its own on a free port, without persistence.
type throwawayRedis struct {
	t    *testing.T
	port string
	cmd  *exec.Cmd
	done chan struct{}
}

func startThrowawayRedis(t *testing.T) *throwawayRedis {
	t.Helper()
	r := &throwawayRedis{t: t, port: freePort(t)}
	r.start()
	t.Cleanup(r.stop)
	return r
}

func (r *throwawayRedis) url() string { return "redis://127.0.0.1:" + r.port + "/0" }

func (r *throwawayRedis) start() {
	r.t.Helper()
	r.cmd = exec.Command("redis-server", "--port", r.port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	require.NoError(r.t, r.cmd.Start(), "redis-server must be installed for make chaos")
	r.done = make(chan struct{})
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	client := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:" + r.port})
	defer client.Close()
	require.Eventually(r.t, func() bool { return client.Ping(context.Background()).Err() == nil },
		10*time.Second, 50*time.Millisecond, "redis-server did not start")
}

// stop ends the server as an operator would (SIGTERM), waiting for it to exit.
func (r *throwawayRedis) stop() {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	_ = r.cmd.Process.Signal(os.Interrupt)
	<-r.done
}

// chaosService starts the built service as a process with env.
func chaosService(t *testing.T, bin, dsn, redisURL string, mail *smtptest.Server, env map[string]string) (*serviceProcess, *tradingApp) {
	t.Helper()
	vars := serviceEnv(t, dsn, redisURL, "chaos:", mail, env)
	proc := startService(t, bin, vars)
	tokens, err := security.NewJWTAccessTokens([]byte(vars["JWT_SECRET"]), time.Hour)
	require.NoError(t, err)
	ta := &tradingApp{app: proc.appOf(t, mail), strategy: vars["AUCTION_LOCK_STRATEGY"], dsn: dsn, sqlDB: openTestDB(t, dsn), tokens: tokens}
	return proc, ta
}

// outageRun drives load at ta, runs breakAndHeal (which returns when the
// dependency is back), waits for a bid to be accepted again, and checks what
// an outage may not break.
func outageRun(t *testing.T, ta *tradingApp, bidders int, breakAndHeal func() outage) (faultCounts, outage, string) {
	t.Helper()
	seller := ta.traders(t, 1, 0)[0]
	people := ta.traders(t, bidders+1, 100_000_000)
	var auctions []int64
	for i := range 4 {
		auctions = append(auctions, ta.listAuction(t, seller, fmt.Sprintf("Chaos %d", i), 1000, time.Now().Add(time.Hour), nil))
	}
	// Out of the load: a bid there tells recovery from losing a race.
	quiet := ta.listAuction(t, seller, "Chaos calm", 1000, time.Now().Add(time.Hour), nil)
	load := startFaultLoad(ta, people[:bidders], auctions, 2)
	time.Sleep(5 * time.Second)
	o := breakAndHeal()
	recovery, took := waitForRecovery(t, ta, people[bidders], quiet, o.restoredAt)
	time.Sleep(5 * time.Second)
	load.finish()

	shots := append(load.bids.all(), recovery)
	reads := load.readAnswers()
	assertNoInternalErrors(t, "a bid", answersOf(shots))
	assertNoInternalErrors(t, "a read", reads)
	accepted := acceptedBids(shots)
	counts := countAnswers(append(answersOf(shots), reads...))
	counts.lost = lostBids(t, ta, accepted)
	assert.Zero(t, counts.internal)
	checkInvariants(t, ta.dsn, accepted)
	assertNothingWritten(t, ta.dsn, withoutAcceptedKeys(refusedDuring(o, shots), accepted))
	return counts, o, fmt.Sprintf("the last 503 came %s after the restore; a bid on a quiet auction was accepted %s after it",
		unavailableAfter(o, append(answersOf(shots), reads...)).Round(time.Millisecond), took.Round(time.Millisecond))
}

func TestChaosPostgresRestart(t *testing.T) {
	bin := buildService(t)
	pg := startThrowawayPostgres(t)
	mail := smtptest.Start(t)
	_, ta := chaosService(t, bin, pg.url(), startThrowawayRedis(t).url(), mail, nil)
	counts, o, recovery := outageRun(t, ta, 10, func() outage {
		o := outage{cutAt: time.Now()}
		pg.ctl("restart", "-m", "fast")
		o.restoredAt = time.Now()
		return o
	})
	recordChaos(t, "postgres restart (pg_ctl restart -m fast)", counts,
		fmt.Sprintf("the restart took %s; %s", o.restoredAt.Sub(o.cutAt).Round(time.Millisecond), recovery))
}

func TestChaosRedisStopStart(t *testing.T) {
	bin := buildService(t)
	for _, strategy := range strategies {
		t.Run(strategy, func(t *testing.T) {
			redis := startThrowawayRedis(t)
			mail := smtptest.Start(t)
			_, ta := chaosService(t, bin, pgtest.NewDatabase(t), redis.url(), mail,
				map[string]string{"AUCTION_LOCK_STRATEGY": strategy})
			counts, _, recovery := outageRun(t, ta, 10, func() outage {
				o := outage{cutAt: time.Now()}
				redis.stop()
				time.Sleep(10 * time.Second)
				o.restoredAt = time.Now()
				redis.start()
				return o
			})
			recordChaos(t, "redis stopped 10s, "+strategy+" strategy", counts, recovery)
		})
	}
}

func TestChaosSMTPDownAMinute(t *testing.T) {
	bin := buildService(t)
	mail := smtptest.Start(t)
	smtp := startCuttableProxy(t, fmt.Sprintf("%s:%d", mail.Host(), mail.Port()))
	host, port := hostPort(t, smtp.addr())
	_, ta := chaosService(t, bin, pgtest.NewDatabase(t), startThrowawayRedis(t).url(), mail,
		map[string]string{"SMTP_HOST": host, "SMTP_PORT": port})
	smtp.setCut(true)
	cutAt := time.Now()
	const mails = 60
	var recipients []string
	counts := faultCounts{kinds: map[string]int{}}
	for i := range mails {
		to := fmt.Sprintf("chaos-smtp-%d@example.com", i)
		recipients = append(recipients, to)
		a := ta.send(http.MethodPost, "/api/v1/auth/verification-codes", "", map[string]string{"email": to, "purpose": "signup"})
		counts.requests++
		counts.kinds[answerKind(a)]++
		require.Equal(t, http.StatusAccepted, a.status, "%s", a)
		time.Sleep(time.Until(cutAt.Add(time.Duration(i+1) * time.Second)))
	}
	assert.Zero(t, delivered(ta, recipients))
	restoredAt := time.Now()
	smtp.setCut(false)
	require.Eventually(t, func() bool { return delivered(ta, recipients) == mails }, 5*time.Minute, time.Second,
		"mails queued while SMTP was down were not all sent")
	drained := time.Since(restoredAt)
	counts.lost = mails - delivered(ta, recipients)
	var attempts int
	require.NoError(t, ta.sqlDB.QueryRow(`SELECT COALESCE(max(attempts), 0) FROM mail_outbox`).Scan(&attempts))
	recordChaos(t, "smtp down 60s", counts, fmt.Sprintf("%d mails queued, all delivered %s after SMTP came back (%d received, at most %d attempts for one)",
		mails, drained.Round(time.Second), len(mail.Messages()), attempts))
}

func TestChaosKillNineHeavy(t *testing.T) {
	k := startKillableService(t, nil)
	counts := killMidLoad(t, k, 30, 6, 15*time.Second)
	recordChaos(t, "kill -9 under 30 bidders, restart", counts, "every 201 stored, invariants hold, ended auction settled, pending mails sent")
}

// soakSample is one reading of the service's resources.
type soakSample struct {
	at                       time.Duration
	rssMiB                   float64
	goroutines, fds, dbConns int
	redisConns               int
}

func TestChaosSoak(t *testing.T) {
	duration := 10 * time.Minute
	if v := os.Getenv("CHAOS_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err, "CHAOS_SOAK")
		duration = d
	}
	bin := buildService(t)
	redis := startThrowawayRedis(t)
	mail := smtptest.Start(t)
	dsn := pgtest.NewDatabase(t)
	proc, ta := chaosService(t, bin, dsn, redis.url(), mail, map[string]string{"AUCTION_CLOSE_INTERVAL": "500ms"})
	seller := ta.traders(t, 1, 0)[0]
	people := ta.traders(t, 21, 100_000_000)
	var auctions []int64
	for i := range 5 {
		auctions = append(auctions, ta.listAuction(t, seller, fmt.Sprintf("Soak %d", i), 1000, time.Now().Add(duration+time.Hour), nil))
	}
	load := startFaultLoad(ta, people[:20], auctions, 4)
	var watched atomic.Int64
	stop := make(chan struct{})
	var watchers sync.WaitGroup
	for i := range 20 {
		watchers.Go(func() { watchLoop(ta, auctions[i%len(auctions)], stop, &watched) })
	}
	buyer := people[20]
	redisClient := goredis.NewClient(&goredis.Options{Addr: "127.0.0.1:" + redis.port})
	defer redisClient.Close()

	start := time.Now()
	var samples []soakSample
	var bought, lots int
	for time.Since(start) < duration {
		// A lot with a buy-now price every few seconds, bought at once: purchases, mails, closes.
		lot := ta.listAuction(t, seller, fmt.Sprintf("Buy-now %d", lots), 1000, time.Now().Add(time.Hour),
			map[string][]string{"buy_now_price": {"5000"}})
		lots++
		if a := ta.send(http.MethodPost, "/api/v1/auctions/"+itoa(lot)+"/buy-now", buyer.token, nil); a.status < 300 {
			bought++
		}
		samples = append(samples, sampleService(t, proc, redisClient, time.Since(start)))
		time.Sleep(5 * time.Second)
	}
	close(stop)
	watchers.Wait()
	load.finish()

	shots := load.bids.all()
	reads := load.readAnswers()
	assertNoInternalErrors(t, "a bid", answersOf(shots))
	assertNoInternalErrors(t, "a read", reads)
	accepted := acceptedBids(shots)
	counts := countAnswers(append(answersOf(shots), reads...))
	counts.lost = lostBids(t, ta, accepted)
	checkInvariants(t, dsn, accepted)

	var table strings.Builder
	fmt.Fprintf(&table, "%8s %8s %10s %5s %8s %11s\n", "t", "RSS MiB", "goroutines", "fds", "DB conns", "Redis conns")
	for _, s := range samples {
		fmt.Fprintf(&table, "%8s %8.1f %10d %5d %8d %11d\n", s.at.Round(time.Second), s.rssMiB, s.goroutines, s.fds, s.dbConns, s.redisConns)
	}
	t.Logf("soak samples:\n%s", table.String())
	verdicts := levelOff(t, samples)
	recordChaos(t, fmt.Sprintf("soak %s (20 bidders, 4 readers, 20 watchers, buy-now)", duration), counts,
		fmt.Sprintf("%d lots bought now, %d watch streams opened; %s", bought, watched.Load(), verdicts))
}

// watchLoop opens an auction's event stream, reads it for a few seconds and
// opens it again, until stop.
func watchLoop(ta *tradingApp, auctionID int64, stop <-chan struct{}, opened *atomic.Int64) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ta.base+"/api/v1/auctions/"+itoa(auctionID)+"/events", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			opened.Add(1)
			_, _ = io.Copy(io.Discard, bufio.NewReader(res.Body))
			_ = res.Body.Close()
		}
		cancel()
	}
}

var metricLine = regexp.MustCompile(`(?m)^(go_goroutines|go_sql_open_connections)(?:\{[^}]*\})? ([0-9.e+]+)$`)

// sampleService reads the process's memory and descriptors from /proc, its
// goroutines and pool from the admin listener's /metrics, and the Redis
// connections from the throwaway server (less the sampler's own).
func sampleService(t *testing.T, proc *serviceProcess, redis *goredis.Client, at time.Duration) soakSample {
	t.Helper()
	s := soakSample{at: at}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", proc.pid()))
	require.NoError(t, err)
	for _, line := range strings.Split(string(status), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			s.rssMiB = kb / 1024
		}
	}
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", proc.pid()))
	require.NoError(t, err)
	s.fds = len(fds)
	res, err := http.Get(proc.admin + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	for _, m := range metricLine.FindAllStringSubmatch(string(body), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		switch m[1] {
		case "go_goroutines":
			s.goroutines = int(v)
		case "go_sql_open_connections":
			s.dbConns += int(v)
		}
	}
	info, err := redis.Info(context.Background(), "clients").Result()
	require.NoError(t, err)
	if m := regexp.MustCompile(`connected_clients:(\d+)`).FindStringSubmatch(info); m != nil {
		n, _ := strconv.Atoi(m[1])
		s.redisConns = n - 1
	}
	return s
}

// levelOff judges that each resource stopped growing: the highest reading of
// the last third of the soak may exceed the highest of the middle third by at
// most 10% plus a small slack (the first third is warm-up). It fails the test
// otherwise and describes the verdict.
func levelOff(t *testing.T, samples []soakSample) string {
	t.Helper()
	require.GreaterOrEqual(t, len(samples), 6, "too few samples to judge")
	third := len(samples) / 3
	middle, last := samples[third:2*third], samples[2*third:]
	type metric struct {
		name  string
		slack float64
		get   func(soakSample) float64
	}
	metrics := []metric{
		{"RSS MiB", 8, func(s soakSample) float64 { return s.rssMiB }},
		{"goroutines", 30, func(s soakSample) float64 { return float64(s.goroutines) }},
		{"fds", 10, func(s soakSample) float64 { return float64(s.fds) }},
		{"DB conns", 2, func(s soakSample) float64 { return float64(s.dbConns) }},
		{"Redis conns", 2, func(s soakSample) float64 { return float64(s.redisConns) }},
	}
	peak := func(ss []soakSample, get func(soakSample) float64) float64 {
		top := 0.0
		for _, s := range ss {
			top = max(top, get(s))
		}
		return top
	}
	var parts []string
	for _, m := range metrics {
		mid, end := peak(middle, m.get), peak(last, m.get)
		ok := end <= mid*1.1+m.slack
		assert.True(t, ok, "%s still grows: last third peaks at %.1f, middle third at %.1f", m.name, end, mid)
		parts = append(parts, fmt.Sprintf("%s %.0f→%.0f", m.name, mid, end))
	}
	return "peaks middle→last third: " + strings.Join(parts, ", ")
}

// TestChaosSummary runs last (tests run in source order) and prints the table.
func TestChaosSummary(t *testing.T) {
	chaosTable.Lock()
	defer chaosTable.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "\n| fault | requests | 201 | 503 | 500 | lost | notes |\n|---|---|---|---|---|---|---|\n")
	for _, r := range chaosTable.rows {
		fmt.Fprintf(&b, "| %s | %d | %d | %d | %d | %d | %s |\n", r.fault, r.counts.requests, r.counts.created,
			r.counts.unavailable, r.counts.internal, r.counts.lost, r.note)
	}
	t.Log(b.String())
}
