package test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMailThroughAnSMTPOutage queues mails while the SMTP server is away:
// requests still answer 202, the mails wait in the outbox (tried and failed,
// not lost), and once the server is back every one of them goes out, by the
// outbox's own retries. Delivery is at least once: a duplicate is allowed, a
// missing mail is not.
func TestMailThroughAnSMTPOutage(t *testing.T) {
	t.Parallel()
	fa := startFaultApp(t, "row", nil)
	const mails = 12
	recipients := make([]string, mails)
	for i := range recipients {
		recipients[i] = fmt.Sprintf("smtp-down-%d@example.com", i)
	}

	cutAt := time.Now()
	fa.smtp.setCut(true)
	anon := fa.newClient()
	counts := faultCounts{kinds: map[string]int{}}
	for _, to := range recipients {
		res := anon.do(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": to, "purpose": "signup"})
		counts.requests++
		counts.kinds[fmt.Sprint(res.status)]++
		require.Equal(t, http.StatusAccepted, res.status, "a code asked for while SMTP is down: %s", res.body)
	}
	// Every mail was tried against the dead server and is waiting for its retry.
	require.Eventually(t, func() bool {
		return outboxCount(t, fa.tradingApp, `status = 'pending' AND attempts >= 1`) == mails
	}, 15*time.Second, 100*time.Millisecond, "the outbox did not try every mail while SMTP was down")
	assert.Zero(t, delivered(fa.tradingApp, recipients), "nothing can arrive while the server is away")
	restoredAt := time.Now()
	fa.smtp.setCut(false)

	require.Eventually(t, func() bool {
		return outboxCount(t, fa.tradingApp, `status = 'sent'`) == mails
	}, 60*time.Second, 200*time.Millisecond, "the waiting mails were not all sent after SMTP came back")
	got := delivered(fa.tradingApp, recipients)
	counts.lost = mails - got
	t.Logf("smtp cut for %s: %s; %d of %d mails delivered %s after the restore, %d received in all (duplicates allowed)",
		restoredAt.Sub(cutAt).Round(time.Millisecond), counts, got, mails, time.Since(restoredAt).Round(time.Millisecond), len(fa.mail.Messages()))
	assert.Zero(t, counts.lost, "mails lost")
	assert.Zero(t, outboxCount(t, fa.tradingApp, `status <> 'sent'`), "mails given up or still waiting")
}

// outboxCount counts the outbox rows matching where, behind the service's back.
func outboxCount(t *testing.T, ta *tradingApp, where string) int {
	t.Helper()
	var n int
	require.NoError(t, ta.sqlDB.QueryRow(`SELECT count(*) FROM mail_outbox WHERE `+where).Scan(&n))
	return n
}

// delivered is how many of recipients received at least one mail.
func delivered(ta *tradingApp, recipients []string) int {
	received := map[string]bool{}
	for _, m := range ta.mail.Messages() {
		received[strings.ToLower(strings.Join(m.To, ","))] = true
	}
	n := 0
	for _, to := range recipients {
		if received[to] {
			n++
		}
	}
	return n
}
