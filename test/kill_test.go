package test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/mail/smtptest"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/application"
)

// killedService is a service process with what a kill test needs around it.
type killedService struct {
	*tradingApp
	bin  string
	vars map[string]string
	mail *smtptest.Server
	smtp *cuttableProxy
	proc *serviceProcess
}

// startKillableService builds the binary and starts it against a fresh
// database, its mail server behind a proxy.
func startKillableService(t *testing.T, extra map[string]string) *killedService {
	t.Helper()
	bin := buildService(t)
	dsn := pgtest.NewDatabase(t)
	mail := smtptest.Start(t)
	smtp := startCuttableProxy(t, fmt.Sprintf("%s:%d", mail.Host(), mail.Port()))
	smtpHost, smtpPort := hostPort(t, smtp.addr())
	_, prefix := redistest.New(t)
	env := map[string]string{"SMTP_HOST": smtpHost, "SMTP_PORT": smtpPort, "AUCTION_CLOSE_INTERVAL": "200ms"}
	for k, v := range extra {
		env[k] = v
	}
	vars := serviceEnv(t, dsn, redistest.URL(), prefix, mail, env)
	proc := startService(t, bin, vars)
	tokens, err := security.NewJWTAccessTokens([]byte(vars["JWT_SECRET"]), 15*time.Minute)
	require.NoError(t, err)
	ta := &tradingApp{app: proc.appOf(t, mail), strategy: vars["AUCTION_LOCK_STRATEGY"], dsn: dsn, sqlDB: openTestDB(t, dsn), tokens: tokens}
	return &killedService{tradingApp: ta, bin: bin, vars: vars, mail: mail, smtp: smtp, proc: proc}
}

// restart starts the binary again on the same database and Redis.
func (k *killedService) restart(t *testing.T) {
	t.Helper()
	k.proc = startService(t, k.bin, k.vars)
	k.app = k.proc.appOf(t, k.mail)
}

// pendingMails are the ids and recipients of the mails not yet sent, and how
// long the longest lease among them still runs (a sender killed mid-batch
// leaves its lease behind).
func pendingMails(t *testing.T, ta *tradingApp) (recipients map[int64]string, leaseLeft time.Duration) {
	t.Helper()
	rows, err := ta.sqlDB.Query(`SELECT id, recipient, EXTRACT(EPOCH FROM GREATEST(COALESCE(locked_until, now()) - now(), '0s'))::float8
		FROM mail_outbox WHERE status = 'pending'`)
	require.NoError(t, err)
	defer rows.Close()
	recipients = map[int64]string{}
	for rows.Next() {
		var id int64
		var to string
		var left float64
		require.NoError(t, rows.Scan(&id, &to, &left))
		recipients[id] = to
		leaseLeft = max(leaseLeft, time.Duration(left*float64(time.Second)))
	}
	require.NoError(t, rows.Err())
	return recipients, leaseLeft
}

// TestKillNineMidLoadThenRestart kills the service with SIGKILL while members
// bid and mails wait for a dead SMTP server, lets an auction end while it is
// down, and starts it again: every bid that got 201 is in the database with
// its amount, the invariants hold, the closer settles the auction that ended
// meanwhile, and the mails pending at the kill are sent.
func TestKillNineMidLoadThenRestart(t *testing.T) {
	t.Parallel()
	k := startKillableService(t, nil)
	report := killMidLoad(t, k, 5, 3, 2*time.Second)
	t.Logf("kill -9 mid-load: %s", report)
}

// killMidLoad runs bidders on auctions for loadFor, kills the service, restarts
// it and checks what a kill may not break; it returns the tally.
func killMidLoad(t *testing.T, k *killedService, bidders, auctions int, loadFor time.Duration) faultCounts {
	t.Helper()
	seller := k.traders(t, 1, 0)[0]
	people := k.traders(t, bidders+1, 10_000_000)
	var ids []int64
	for i := range auctions {
		ids = append(ids, k.listAuction(t, seller, fmt.Sprintf("Lot %d", i), 1000, time.Now().Add(time.Hour), nil))
	}
	// An auction that ends while the service is down, with a leader to sell to.
	endAt := time.Now().Add(loadFor + 6*time.Second).Truncate(time.Second)
	ending := k.listAuction(t, seller, "Last call", 1000, endAt, nil)
	first := k.shootBid(people[bidders], ending, 1000)
	require.Equal(t, http.StatusCreated, first.status, "%s", first.body)

	// Mails (outbid notices) pile up in the outbox while SMTP is away.
	k.smtp.setCut(true)
	load := startFaultLoad(k.tradingApp, people[:bidders], ids, 1)
	time.Sleep(loadFor)
	killedAt := time.Now()
	k.proc.kill()
	load.finish()
	require.Equal(t, "open", k.auctionState(t, ending).status, "the auction must still be open at the kill for the test to mean anything")
	pending, _ := pendingMails(t, k.tradingApp)
	require.NotEmpty(t, pending, "no mail was pending at the kill")
	time.Sleep(time.Until(endAt.Add(500 * time.Millisecond)))
	k.smtp.setCut(false)
	restartedAt := time.Now()
	k.restart(t)

	require.Eventually(t, func() bool { return k.auctionState(t, ending).status == "closed" }, 30*time.Second, 100*time.Millisecond,
		"the auction that ended while the service was down was not settled after the restart")
	settledIn := time.Since(restartedAt)
	_, leaseLeft := pendingMails(t, k.tradingApp)
	require.Eventually(t, func() bool {
		still, _ := pendingMails(t, k.tradingApp)
		for id := range pending {
			if _, ok := still[id]; ok {
				return false
			}
		}
		return true
	}, leaseLeft+drainTime(len(pending))+60*time.Second, 200*time.Millisecond, "mails pending at the kill were not sent after the restart")
	drained := time.Since(restartedAt)
	assert.Zero(t, outboxCount(t, k.tradingApp, fmt.Sprintf(`status <> 'sent' AND id <= %d`, maxID(pending))), "a mail pending at the kill was given up")
	wanted := map[string]int{}
	for _, to := range pending {
		wanted[to]++
	}
	for to, n := range wanted {
		assert.GreaterOrEqual(t, k.mailCount(to), n, "mails to %s", to)
	}

	shots := append(load.bids.all(), first)
	var answered []answer
	for _, s := range shots {
		// A request in flight at the kill has no answer: its outcome is unknown.
		if s.err != nil && !s.doneAt.Before(killedAt) {
			continue
		}
		answered = append(answered, s.answer)
	}
	assertNoInternalErrors(t, "a bid", answered)
	accepted := acceptedBids(shots)
	counts := countAnswers(answersOf(shots))
	counts.lost = lostBids(t, k.tradingApp, accepted)
	assert.Zero(t, counts.internal)
	assert.Positive(t, counts.created, "no bid was accepted before the kill")
	checkInvariants(t, k.dsn, accepted)
	assert.Empty(t, k.proc.errorLines(), "errors logged after the restart")
	t.Logf("%d mails pending at the kill, all sent %s after the restart; the auction that ended while down was settled %s after it",
		len(pending), drained.Round(time.Second), settledIn.Round(time.Millisecond))
	return counts
}

// drainTime is how long the outbox takes to send n mails at its pace: one
// batch a second.
func drainTime(n int) time.Duration {
	return time.Duration(n/application.MailBatchSize+1) * time.Second
}

func maxID(ids map[int64]string) int64 {
	var top int64
	for id := range ids {
		top = max(top, id)
	}
	return top
}
