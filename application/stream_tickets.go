package application

import (
	"context"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/auth"
)

// StreamTicketTTL is how long a stream ticket may wait for its one use.
const StreamTicketTTL = time.Minute

// IssueStreamTicket gives a member a one-use ticket that opens their live
// stream, for clients that cannot send an Authorization header on it (a
// browser's EventSource): the ticket travels in the URL instead of the token.
type IssueStreamTicket struct {
	secrets Secrets
	tickets StreamTickets
}

// NewIssueStreamTicket builds the use case.
func NewIssueStreamTicket(secrets Secrets, tickets StreamTickets) *IssueStreamTicket {
	return &IssueStreamTicket{secrets: secrets, tickets: tickets}
}

// Execute returns a ticket good once within StreamTicketTTL, on any instance.
func (uc *IssueStreamTicket) Execute(ctx context.Context, p Principal) (string, error) {
	ticket, err := uc.secrets.StreamTicket()
	if err != nil {
		return "", fmt.Errorf("make stream ticket: %w", err)
	}
	if err := uc.tickets.Save(ctx, ticket, p, StreamTicketTTL); err != nil {
		return "", fmt.Errorf("save stream ticket of member %d: %w", p.MemberID, err)
	}
	return ticket, nil
}

// RedeemStreamTicket turns a stream ticket into the member it was issued to,
// once.
type RedeemStreamTicket struct {
	tickets StreamTickets
	revoked revocations
}

// NewRedeemStreamTicket builds the use case.
func NewRedeemStreamTicket(tickets StreamTickets, blacklist TokenBlacklist, sessions SessionStore) *RedeemStreamTicket {
	return &RedeemStreamTicket{tickets: tickets, revoked: revocations{blacklist: blacklist, sessions: sessions}}
}

// Execute uses the ticket up. auth.ErrUnauthenticated for a ticket that is
// empty, unknown, used or expired; auth.ErrTokenRevoked when the token it was
// issued with has been revoked since.
func (uc *RedeemStreamTicket) Execute(ctx context.Context, ticket string) (Principal, error) {
	if ticket == "" {
		return Principal{}, auth.ErrUnauthenticated
	}
	p, err := uc.tickets.Take(ctx, ticket)
	if err != nil {
		return Principal{}, fmt.Errorf("redeem stream ticket: %w", err)
	}
	if err := uc.revoked.check(ctx, p.TokenID, p.SessionID); err != nil {
		return Principal{}, err
	}
	return p, nil
}
