package application_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/auth"
)

type ticketFixture struct {
	secrets   *mock.MockSecrets
	tickets   *mock.MockStreamTickets
	blacklist *mock.MockTokenBlacklist
	sessions  *mock.MockSessionStore
	issue     *application.IssueStreamTicket
	redeem    *application.RedeemStreamTicket
}

func newTicketFixture(t *testing.T) ticketFixture {
	ctrl := gomock.NewController(t)
	f := ticketFixture{secrets: mock.NewMockSecrets(ctrl), tickets: mock.NewMockStreamTickets(ctrl),
		blacklist: mock.NewMockTokenBlacklist(ctrl), sessions: mock.NewMockSessionStore(ctrl)}
	f.issue = application.NewIssueStreamTicket(f.secrets, f.tickets)
	f.redeem = application.NewRedeemStreamTicket(f.tickets, f.blacklist, f.sessions)
	return f
}

var ticketHolder = application.Principal{MemberID: annID, TokenID: "jti-1", SessionID: "session-1",
	ExpiresAt: fixedTestNow.Add(10 * time.Minute)}

func TestIssueStreamTicketKeepsItAMinuteForItsMember(t *testing.T) {
	f := newTicketFixture(t)
	gomock.InOrder(
		f.secrets.EXPECT().StreamTicket().Return("ticket-1", nil),
		f.tickets.EXPECT().Save(gomock.Any(), "ticket-1", ticketHolder, time.Minute).Return(nil),
	)

	ticket, err := f.issue.Execute(context.Background(), ticketHolder)

	require.NoError(t, err)
	assert.Equal(t, "ticket-1", ticket)
	assert.Equal(t, time.Minute, application.StreamTicketTTL)
}

func TestIssueStreamTicketFailures(t *testing.T) {
	boom := errors.New("boom")
	f := newTicketFixture(t)
	f.secrets.EXPECT().StreamTicket().Return("", boom)
	_, err := f.issue.Execute(context.Background(), ticketHolder)
	require.ErrorIs(t, err, boom)

	f.secrets.EXPECT().StreamTicket().Return("ticket-2", nil)
	f.tickets.EXPECT().Save(gomock.Any(), "ticket-2", ticketHolder, time.Minute).Return(boom)
	_, err = f.issue.Execute(context.Background(), ticketHolder)
	require.ErrorIs(t, err, boom)
}

func TestRedeemStreamTicketGivesItsMemberOnce(t *testing.T) {
	f := newTicketFixture(t)
	gomock.InOrder(
		f.tickets.EXPECT().Take(gomock.Any(), "ticket-1").Return(ticketHolder, nil),
		f.blacklist.EXPECT().IsRevoked(gomock.Any(), "jti-1", "session-1").Return(false, nil),
		f.tickets.EXPECT().Take(gomock.Any(), "ticket-1").Return(application.Principal{}, auth.ErrUnauthenticated),
	)

	p, err := f.redeem.Execute(context.Background(), "ticket-1")
	require.NoError(t, err)
	assert.Equal(t, ticketHolder, p)

	_, err = f.redeem.Execute(context.Background(), "ticket-1")
	require.ErrorIs(t, err, auth.ErrUnauthenticated, "used up")
}

func TestRedeemStreamTicketRefusals(t *testing.T) {
	f := newTicketFixture(t)
	_, err := f.redeem.Execute(context.Background(), "")
	require.ErrorIs(t, err, auth.ErrUnauthenticated, "no ticket: nothing is looked up")

	// Logged out since the ticket was issued.
	f.tickets.EXPECT().Take(gomock.Any(), "ticket-2").Return(ticketHolder, nil)
	f.blacklist.EXPECT().IsRevoked(gomock.Any(), "jti-1", "session-1").Return(true, nil)
	_, err = f.redeem.Execute(context.Background(), "ticket-2")
	require.ErrorIs(t, err, auth.ErrTokenRevoked)

	// The blacklist is unreachable: the session in the database decides.
	f.tickets.EXPECT().Take(gomock.Any(), "ticket-3").Return(ticketHolder, nil)
	f.blacklist.EXPECT().IsRevoked(gomock.Any(), "jti-1", "session-1").Return(false, errors.New("redis down"))
	f.sessions.EXPECT().IsSessionRevoked(gomock.Any(), "session-1").Return(true, nil)
	_, err = f.redeem.Execute(context.Background(), "ticket-3")
	require.ErrorIs(t, err, auth.ErrTokenRevoked)

	boom := errors.New("boom")
	f.tickets.EXPECT().Take(gomock.Any(), "ticket-4").Return(application.Principal{}, boom)
	_, err = f.redeem.Execute(context.Background(), "ticket-4")
	require.ErrorIs(t, err, boom)
}
