package redis

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/auth"
)

var _ application.StreamTickets = (*StreamTickets)(nil)

// StreamTickets keeps each ticket under its SHA-256, so a Redis dump holds
// no usable ticket, with the principal it stands for, expiring with it.
type StreamTickets struct {
	client *redis.Client
	prefix string
}

// NewStreamTickets keeps its keys under prefix.
func NewStreamTickets(client *redis.Client, prefix string) *StreamTickets {
	return &StreamTickets{client: client, prefix: prefix}
}

// ticketPrincipal is a principal as a ticket keeps it.
type ticketPrincipal struct {
	MemberID  int64     `json:"member_id"`
	TokenID   string    `json:"token_id"`
	SessionID string    `json:"session_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Save keeps the ticket for ttl.
func (s *StreamTickets) Save(ctx context.Context, ticket string, p application.Principal, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("save stream ticket: ttl %s is not positive", ttl)
	}
	value, err := json.Marshal(ticketPrincipal{MemberID: p.MemberID, TokenID: p.TokenID, SessionID: p.SessionID,
		ExpiresAt: p.ExpiresAt.UTC()})
	if err != nil {
		return fmt.Errorf("encode stream ticket: %w", err)
	}
	if err := s.client.Set(ctx, s.key(ticket), value, ttl).Err(); err != nil {
		return fmt.Errorf("save stream ticket: %w", err)
	}
	return nil
}

// Take reads and deletes the ticket in one command (GETDEL), so of two
// instances redeeming it at once only one gets the principal.
func (s *StreamTickets) Take(ctx context.Context, ticket string) (application.Principal, error) {
	value, err := s.client.GetDel(ctx, s.key(ticket)).Bytes()
	if errors.Is(err, redis.Nil) {
		return application.Principal{}, auth.ErrUnauthenticated
	}
	if err != nil {
		return application.Principal{}, fmt.Errorf("take stream ticket: %w", err)
	}
	var p ticketPrincipal
	if err := json.Unmarshal(value, &p); err != nil {
		return application.Principal{}, fmt.Errorf("decode stream ticket: %w", err)
	}
	return application.Principal{MemberID: p.MemberID, TokenID: p.TokenID, SessionID: p.SessionID, ExpiresAt: p.ExpiresAt}, nil
}

func (s *StreamTickets) key(ticket string) string {
	sum := sha256.Sum256([]byte(ticket))
	return s.prefix + "stream-ticket:" + hex.EncodeToString(sum[:])
}
