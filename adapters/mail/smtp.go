package mail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/artauction/artauction/application"
)

var _ application.Mailer = (*SMTPMailer)(nil)

// TLS policies of SMTPConfig.TLS.
const (
	// TLSStartTLS upgrades with STARTTLS when the server offers it, else sends in clear.
	TLSStartTLS = "starttls"
	// TLSMandatory refuses to send without STARTTLS.
	TLSMandatory = "mandatory"
	// TLSNone never encrypts.
	TLSNone = "none"
)

// TLSPolicies lists the values SMTPConfig.TLS takes.
func TLSPolicies() []string { return []string{TLSStartTLS, TLSMandatory, TLSNone} }

// CheckTLSPolicy reports whether policy is one of TLSPolicies, naming them when not.
func CheckTLSPolicy(policy string) error {
	if !slices.Contains(TLSPolicies(), policy) {
		return fmt.Errorf("unknown tls policy %q, want one of %s", policy, strings.Join(TLSPolicies(), ", "))
	}
	return nil
}

// DefaultSMTPTimeout bounds a send when SMTPConfig.Timeout is zero.
const DefaultSMTPTimeout = 10 * time.Second

// SMTPConfig says where and how to send.
type SMTPConfig struct {
	Host string
	Port int
	// Username turns SMTP AUTH on; empty sends without authenticating.
	Username string
	Password string
	// From is the sender address, optionally with a name ("Artauction <no-reply@example.com>").
	From string
	// TLS is TLSStartTLS (when empty), TLSMandatory or TLSNone.
	TLS string
	// Timeout bounds connecting and each step of a send; zero means DefaultSMTPTimeout.
	Timeout time.Duration
}

// SMTPMailer sends plain-text mail through an SMTP server.
type SMTPMailer struct {
	host string
	from string
	opts []gomail.Option
}

// NewSMTPMailer checks cfg and returns the mailer; it does not connect yet.
func NewSMTPMailer(cfg SMTPConfig) (*SMTPMailer, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtp host is empty")
	}
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("smtp from address %q: %w", cfg.From, err)
	}
	var policy gomail.TLSPolicy
	switch cfg.TLS {
	case "", TLSStartTLS:
		policy = gomail.TLSOpportunistic
	case TLSMandatory:
		policy = gomail.TLSMandatory
	case TLSNone:
		policy = gomail.NoTLS
	default:
		return nil, fmt.Errorf("smtp: %w", CheckTLSPolicy(cfg.TLS))
	}
	timeout := cfg.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultSMTPTimeout
	case timeout < 0:
		return nil, fmt.Errorf("smtp timeout %s is negative", timeout)
	}
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTLSPolicy(policy), gomail.WithTimeout(timeout)}
	if cfg.Username != "" {
		// PLAIN is what submission servers offer; go-mail sends it only over TLS
		// (or to localhost), so credentials never cross the network in clear.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	// Build a client once to have the options checked now (e.g. the port range).
	if _, err := gomail.NewClient(cfg.Host, opts...); err != nil {
		return nil, fmt.Errorf("smtp client: %w", err)
	}
	return &SMTPMailer{host: cfg.Host, from: cfg.From, opts: opts}, nil
}

// Send delivers m over a new connection. A go-mail client keeps per-connection
// state, so each send gets its own and concurrent sends do not share one.
func (s *SMTPMailer) Send(ctx context.Context, m application.Mail) error {
	msg := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	if err := msg.To(m.To); err != nil {
		return fmt.Errorf("mail to %q: %w", m.To, err)
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)

	client, err := gomail.NewClient(s.host, s.opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("send mail via %s: %w", client.ServerAddr(), err)
	}
	return nil
}
