package smtptest_test

import (
	"net"
	"net/smtp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/mail/smtptest"
)

func send(s *smtptest.Server, to []string, raw string) error {
	addr := net.JoinHostPort(s.Host(), strconv.Itoa(s.Port()))
	return smtp.SendMail(addr, nil, "sender@example.com", to, []byte(strings.ReplaceAll(raw, "\n", "\r\n")))
}

func TestDecodesMultipartBase64(t *testing.T) {
	s := smtptest.Start(t)
	err := send(s, []string{"a@example.com", "b@example.com"}, `From: sender@example.com
To: a@example.com, b@example.com
Subject: =?UTF-8?B?7J6R7ZKI?=
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/html; charset=UTF-8

<p>html</p>
--b1
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: base64

7J6R7ZKIIGNvZGUg
MDEyMzQ1
--b1--
`)
	require.NoError(t, err)
	m := s.WaitForMessage(t, "B@example.com", 5*time.Second)
	assert.Equal(t, "sender@example.com", m.From)
	assert.Equal(t, []string{"a@example.com", "b@example.com"}, m.To)
	assert.Equal(t, "작품", m.Subject)
	assert.Equal(t, "작품 code 012345", m.Text)
}

func TestWaitForMessageWaits(t *testing.T) {
	s := smtptest.Start(t)
	sent := make(chan error, 1)
	go func() {
		time.Sleep(100 * time.Millisecond)
		err := send(s, []string{"other@example.com"}, "Subject: other\n\nother\n")
		if err == nil {
			err = send(s, []string{"late@example.com"}, "Subject: late\n\nlate\n")
		}
		sent <- err
	}()
	m := s.WaitForMessage(t, "late@example.com", 5*time.Second)
	require.NoError(t, <-sent)
	assert.Equal(t, "late", m.Subject)
	assert.Equal(t, "late\n", m.Text)
	assert.Len(t, s.Messages(), 2)
}
