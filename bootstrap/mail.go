package bootstrap

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/artauction/artauction/adapters/background"
	"github.com/artauction/artauction/adapters/mail"
	"github.com/artauction/artauction/application"
)

// outboxPollInterval is how often the worker looks for mail to send.
const outboxPollInterval = time.Second

func newMailer(settings MailSettings, smtp SMTPSettings, logger *zap.Logger) (application.Mailer, error) {
	if settings.Transport == mailTransportSMTP {
		return mail.NewSMTPMailer(mail.SMTPConfig{
			Host: smtp.Host, Port: smtp.Port, Username: smtp.Username, Password: smtp.Password,
			From: smtp.From, TLS: smtp.TLS,
		})
	}
	return mail.NewConsoleMailer(logger), nil
}

func startOutboxWorker(lc fx.Lifecycle, deliver *application.DeliverMail, logger *zap.Logger) error {
	worker, err := background.NewPeriodic("mail outbox", deliver, outboxPollInterval, logger)
	if err != nil {
		return err
	}
	lc.Append(fx.Hook{OnStart: worker.Start, OnStop: worker.Stop})
	return nil
}

// registerOutboxBacklog exposes how many mails wait to be sent.
func registerOutboxBacklog(reg *prometheus.Registry, outbox application.MailOutbox) error {
	return reg.Register(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "mail_outbox_backlog",
		Help: "Mails in the outbox not yet sent nor given up.",
	}, func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		n, err := outbox.Pending(ctx)
		if err != nil {
			return -1
		}
		return float64(n)
	}))
}

var mailModule = fx.Module("mail",
	fx.Provide(newMailer, application.NewDeliverMail),
	fx.Invoke(startOutboxWorker, registerOutboxBacklog),
)
