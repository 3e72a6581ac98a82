package mail_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/mail"
	"github.com/artauction/artauction/adapters/mail/smtptest"
	"github.com/artauction/artauction/application"
)

func smtpConfig(s *smtptest.Server) mail.SMTPConfig {
	return mail.SMTPConfig{
		Host:    s.Host(),
		Port:    s.Port(),
		From:    "Artauction <no-reply@artauction.test>",
		Timeout: 5 * time.Second,
	}
}

func TestSMTPMailerSends(t *testing.T) {
	server := smtptest.Start(t)
	mailer, err := mail.NewSMTPMailer(smtpConfig(server))
	require.NoError(t, err)

	// Non-ASCII and a line longer than 76 characters exercise the encodings.
	text := "당신의 작품이 판매되었습니다.\n" + strings.Repeat("long line ", 20) + "\nYour code is 012345\n"
	require.NoError(t, mailer.Send(t.Context(), application.Mail{
		To: "alice@example.com", Subject: "작품 판매 – sold", Text: text,
	}))

	got := server.WaitForMessage(t, "alice@example.com", 5*time.Second)
	assert.Equal(t, "no-reply@artauction.test", got.From)
	assert.Equal(t, []string{"alice@example.com"}, got.To)
	assert.Equal(t, "작품 판매 – sold", got.Subject)
	assert.Equal(t, text, got.Text)
	assert.Contains(t, got.Header.Get("From"), "no-reply@artauction.test")
	assert.Equal(t, "<alice@example.com>", got.Header.Get("To"))
	assert.NotEmpty(t, got.Header.Get("Date"))
	assert.NotEmpty(t, got.Header.Get("Message-Id"))
	assert.Empty(t, got.User, "no AUTH without a username")
	assert.Len(t, server.Messages(), 1)
}

func TestSMTPMailerAuthenticates(t *testing.T) {
	server := smtptest.Start(t)
	cfg := smtpConfig(server)
	cfg.Username, cfg.Password = "mailer", "secret"
	mailer, err := mail.NewSMTPMailer(cfg)
	require.NoError(t, err)

	require.NoError(t, mailer.Send(t.Context(), application.Mail{To: "bob@example.com", Subject: "Hi", Text: "Hello"}))
	assert.Equal(t, "mailer", server.WaitForMessage(t, "bob@example.com", 5*time.Second).User)
}

func TestSMTPMailerTLSPolicies(t *testing.T) {
	server := smtptest.Start(t)
	m := application.Mail{To: "carol@example.com", Subject: "Hi", Text: "Hello"}
	for _, policy := range []string{"", mail.TLSStartTLS, mail.TLSNone} {
		cfg := smtpConfig(server)
		cfg.TLS = policy
		mailer, err := mail.NewSMTPMailer(cfg)
		require.NoError(t, err)
		require.NoError(t, mailer.Send(t.Context(), m), "policy %q sends in clear to a server without STARTTLS", policy)
	}

	cfg := smtpConfig(server)
	cfg.TLS = mail.TLSMandatory
	mailer, err := mail.NewSMTPMailer(cfg)
	require.NoError(t, err)
	require.ErrorContains(t, mailer.Send(t.Context(), m), "STARTTLS")
	assert.Len(t, server.Messages(), 3)
}

func TestSMTPMailerConfigValidated(t *testing.T) {
	good := mail.SMTPConfig{Host: "smtp.example.com", Port: 587, From: "no-reply@example.com"}
	_, err := mail.NewSMTPMailer(good)
	require.NoError(t, err)

	for name, change := range map[string]func(*mail.SMTPConfig){
		"no host":          func(c *mail.SMTPConfig) { c.Host = "" },
		"port zero":        func(c *mail.SMTPConfig) { c.Port = 0 },
		"port too high":    func(c *mail.SMTPConfig) { c.Port = 70000 },
		"no from":          func(c *mail.SMTPConfig) { c.From = "" },
		"bad from":         func(c *mail.SMTPConfig) { c.From = "not an address" },
		"unknown tls":      func(c *mail.SMTPConfig) { c.TLS = "ssl" },
		"negative timeout": func(c *mail.SMTPConfig) { c.Timeout = -time.Second },
	} {
		cfg := good
		change(&cfg)
		_, err := mail.NewSMTPMailer(cfg)
		assert.Error(t, err, name)
	}
}

func TestSMTPMailerFailures(t *testing.T) {
	// A port that was just free: nothing listens there.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())

	mailer, err := mail.NewSMTPMailer(mail.SMTPConfig{Host: "127.0.0.1", Port: port, From: "no-reply@example.com", Timeout: time.Second})
	require.NoError(t, err)
	err = mailer.Send(t.Context(), application.Mail{To: "dave@example.com", Subject: "Hi", Text: "Hello"})
	require.ErrorContains(t, err, "send mail via 127.0.0.1:")

	server := smtptest.Start(t)
	mailer, err = mail.NewSMTPMailer(smtpConfig(server))
	require.NoError(t, err)
	require.Error(t, mailer.Send(t.Context(), application.Mail{To: "not an address", Subject: "Hi", Text: "Hello"}))

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, mailer.Send(ctx, application.Mail{To: "dave@example.com", Subject: "Hi", Text: "Hello"}), context.Canceled)
	assert.Empty(t, server.Messages())
}
