package application_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
)

type deliverMailFixture struct {
	outbox *mock.MockMailOutbox
	mailer *mock.MockMailer
	uc     *application.DeliverMail
	now    time.Time
}

func newDeliverMail(t *testing.T) deliverMailFixture {
	t.Helper()
	ctrl := gomock.NewController(t)
	f := deliverMailFixture{
		outbox: mock.NewMockMailOutbox(ctrl),
		mailer: mock.NewMockMailer(ctrl),
		now:    time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC),
	}
	clock := mock.NewMockClock(ctrl)
	clock.EXPECT().Now().Return(f.now).AnyTimes()
	f.uc = application.NewDeliverMail(f.outbox, f.mailer, clock)
	return f
}

func (f deliverMailFixture) claims(mails ...application.OutboxMail) {
	f.outbox.EXPECT().ClaimDue(gomock.Any(), f.now, application.MailBatchSize, application.MailLease).Return(mails, nil)
}

func outboxMail(id int64, attempts int) application.OutboxMail {
	return application.OutboxMail{
		ID:       id,
		Mail:     application.Mail{To: "m@example.com", Subject: "Subject", Text: "Text"},
		Attempts: attempts,
	}
}

func TestDeliverMailNothingDue(t *testing.T) {
	f := newDeliverMail(t)
	f.claims()
	sent, err := f.uc.Execute(t.Context())
	require.NoError(t, err)
	assert.Zero(t, sent)
}

func TestDeliverMailSends(t *testing.T) {
	f := newDeliverMail(t)
	a, b := outboxMail(1, 0), outboxMail(2, 3)
	f.claims(a, b)
	gomock.InOrder(
		f.mailer.EXPECT().Send(gomock.Any(), a.Mail).Return(nil),
		f.outbox.EXPECT().MarkSent(gomock.Any(), int64(1), f.now).Return(nil),
		f.mailer.EXPECT().Send(gomock.Any(), b.Mail).Return(nil),
		f.outbox.EXPECT().MarkSent(gomock.Any(), int64(2), f.now).Return(nil),
	)
	sent, err := f.uc.Execute(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 2, sent)
}

func TestDeliverMailFailureIsRetriedAndReported(t *testing.T) {
	f := newDeliverMail(t)
	a, b := outboxMail(1, 0), outboxMail(2, 0)
	f.claims(a, b)
	refused := errors.New("550 mailbox unavailable")
	f.mailer.EXPECT().Send(gomock.Any(), a.Mail).Return(refused)
	f.outbox.EXPECT().MarkFailed(gomock.Any(), int64(1), 1, f.now.Add(5*time.Second), "550 mailbox unavailable").Return(nil)
	f.mailer.EXPECT().Send(gomock.Any(), b.Mail).Return(nil)
	f.outbox.EXPECT().MarkSent(gomock.Any(), int64(2), f.now).Return(nil)

	sent, err := f.uc.Execute(t.Context())
	assert.Equal(t, 1, sent, "one failure does not stop the batch")
	require.ErrorIs(t, err, refused)
}

func TestDeliverMailBackoff(t *testing.T) {
	cases := []struct {
		previousAttempts int
		retryIn          time.Duration // zero: given up
	}{
		{0, 5 * time.Second},
		{1, 10 * time.Second},
		{2, 20 * time.Second},
		{3, 40 * time.Second},
		{7, 640 * time.Second},
		{8, 1280 * time.Second},
		{application.MaxMailAttempts - 1, 0},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("after %d attempts", c.previousAttempts), func(t *testing.T) {
			f := newDeliverMail(t)
			m := outboxMail(7, c.previousAttempts)
			f.claims(m)
			f.mailer.EXPECT().Send(gomock.Any(), m.Mail).Return(errors.New("timeout"))
			wantRetryAt := time.Time{}
			if c.retryIn > 0 {
				wantRetryAt = f.now.Add(c.retryIn)
			}
			f.outbox.EXPECT().MarkFailed(gomock.Any(), int64(7), c.previousAttempts+1, wantRetryAt, "timeout").Return(nil)

			sent, err := f.uc.Execute(t.Context())
			require.Error(t, err)
			assert.Zero(t, sent)
		})
	}
}

func TestDeliverMailClaimFails(t *testing.T) {
	f := newDeliverMail(t)
	down := errors.New("database down")
	f.outbox.EXPECT().ClaimDue(gomock.Any(), f.now, application.MailBatchSize, application.MailLease).Return(nil, down)
	sent, err := f.uc.Execute(t.Context())
	require.ErrorIs(t, err, down)
	assert.Zero(t, sent)
}

func TestDeliverMailMarkSentFailsEndsBatch(t *testing.T) {
	f := newDeliverMail(t)
	a, b := outboxMail(1, 0), outboxMail(2, 0)
	f.claims(a, b)
	down := errors.New("database down")
	f.mailer.EXPECT().Send(gomock.Any(), a.Mail).Return(nil)
	f.outbox.EXPECT().MarkSent(gomock.Any(), int64(1), f.now).Return(down)
	// b is not sent: it stays leased and is due again when the lease runs out.

	sent, err := f.uc.Execute(t.Context())
	require.ErrorIs(t, err, down)
	assert.Zero(t, sent)
}

func TestDeliverMailMarkFailedFailsEndsBatch(t *testing.T) {
	f := newDeliverMail(t)
	a, b, c := outboxMail(1, 0), outboxMail(2, 0), outboxMail(3, 0)
	f.claims(a, b, c)
	refused, down := errors.New("refused"), errors.New("database down")
	f.mailer.EXPECT().Send(gomock.Any(), a.Mail).Return(nil)
	f.outbox.EXPECT().MarkSent(gomock.Any(), int64(1), f.now).Return(nil)
	f.mailer.EXPECT().Send(gomock.Any(), b.Mail).Return(refused)
	f.outbox.EXPECT().MarkFailed(gomock.Any(), int64(2), 1, f.now.Add(5*time.Second), "refused").Return(down)

	sent, err := f.uc.Execute(t.Context())
	require.ErrorIs(t, err, down)
	assert.Equal(t, 1, sent)
}

func TestDeliverMailStopsWhenCancelled(t *testing.T) {
	f := newDeliverMail(t)
	ctx, cancel := context.WithCancel(t.Context())
	a, b := outboxMail(1, 0), outboxMail(2, 0)
	f.claims(a, b)
	f.mailer.EXPECT().Send(gomock.Any(), a.Mail).DoAndReturn(func(context.Context, application.Mail) error {
		cancel()
		return nil
	})
	f.outbox.EXPECT().MarkSent(gomock.Any(), int64(1), f.now).Return(nil)

	sent, err := f.uc.Execute(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, sent)
}
