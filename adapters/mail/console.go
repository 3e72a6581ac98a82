// Package mail sends mail: over SMTP, or to the log for development, and runs
// the worker that delivers the outbox.
package mail

import (
	"context"

	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
)

var _ application.Mailer = (*ConsoleMailer)(nil)

// ConsoleMailer writes each mail to the log instead of sending it, so that a
// developer reads a sign-up code in the terminal.
type ConsoleMailer struct {
	log *zap.Logger
}

// NewConsoleMailer logs mails to log.
func NewConsoleMailer(log *zap.Logger) *ConsoleMailer {
	return &ConsoleMailer{log: log}
}

// Send logs the mail at info level; it never fails.
func (c *ConsoleMailer) Send(_ context.Context, m application.Mail) error {
	c.log.Info("mail (console transport, not sent)",
		zap.String("to", m.To), zap.String("subject", m.Subject), zap.String("text", m.Text))
	return nil
}
