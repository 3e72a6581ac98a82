package mail_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/artauction/artauction/adapters/mail"
	"github.com/artauction/artauction/application"
)

func TestConsoleMailerLogs(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	mailer := mail.NewConsoleMailer(zap.New(core))

	require.NoError(t, mailer.Send(t.Context(), application.Mail{
		To: "alice@example.com", Subject: "Your artauction sign-up code", Text: "Your verification code is 012345",
	}))

	entries := logs.All()
	require.Len(t, entries, 1)
	assert.Equal(t, zapcore.InfoLevel, entries[0].Level)
	fields := entries[0].ContextMap()
	assert.Equal(t, "alice@example.com", fields["to"])
	assert.Equal(t, "Your artauction sign-up code", fields["subject"])
	assert.Equal(t, "Your verification code is 012345", fields["text"])
}
