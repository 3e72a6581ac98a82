package redis

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"go.uber.org/zap"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/notification"
)

// MemberChannel is the channel members' notifications travel on.
func MemberChannel(prefix string) string { return prefix + "member-events" }

// NotificationMessage is a notification as it travels through Redis: all a
// stream shows, so no instance reads it back per watcher.
type NotificationMessage struct {
	ID            int64     `json:"id"`
	MemberID      int64     `json:"member_id"`
	Seq           int64     `json:"seq"`
	Kind          string    `json:"kind"`
	ArtID         int64     `json:"art_id"`
	AuctionID     int64     `json:"auction_id,omitempty"`
	Amount        int64     `json:"amount,omitempty"`
	ActorID       int64     `json:"actor_id,omitempty"`
	ActorNickname string    `json:"actor_nickname,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
}

// NewNotificationMessage is how n travels.
func NewNotificationMessage(n notification.Notification) NotificationMessage {
	m := NotificationMessage{ID: n.ID(), MemberID: n.MemberID(), Seq: n.Seq(), Kind: string(n.Kind()), ArtID: n.ArtID(),
		AuctionID: n.AuctionID(), Amount: n.Amount(), CreatedAt: n.CreatedAt().UTC()}
	if actor, ok := n.Actor(); ok {
		m.ActorID, m.ActorNickname = actor.ID, actor.Nickname
	}
	return m
}

func (m NotificationMessage) notification() (notification.Notification, error) {
	kind, err := notification.ParseKind(m.Kind)
	if err != nil {
		return notification.Notification{}, fmt.Errorf("decode notification %d: %w", m.ID, err)
	}
	r := notification.Record{ID: m.ID, MemberID: m.MemberID, Seq: m.Seq, Kind: kind, ArtID: m.ArtID,
		AuctionID: m.AuctionID, Amount: m.Amount, CreatedAt: m.CreatedAt}
	if m.ActorID != 0 {
		r.Actor = &notification.Actor{ID: m.ActorID, Nickname: m.ActorNickname}
	}
	return notification.Restore(r), nil
}

// NotificationPublisher announces notifications on one channel, the member
// inside each message, so an instance subscribes once for all members.
type NotificationPublisher struct {
	client  *redis.Client
	channel string
	metrics application.LiveMetrics
	log     *zap.Logger
}

var _ application.NotificationPublisher = (*NotificationPublisher)(nil)

// NewNotificationPublisher publishes on <prefix>member-events.
func NewNotificationPublisher(client *redis.Client, prefix string, metrics application.LiveMetrics,
	log *zap.Logger) *NotificationPublisher {
	return &NotificationPublisher{client: client, channel: MemberChannel(prefix), metrics: metrics, log: log}
}

// Publish sends the notifications of one change in one round trip. It logs a
// failure instead of returning it: the change has committed, and streams
// catch up from the inbox.
func (p *NotificationPublisher) Publish(ctx context.Context, made []notification.Notification) {
	if len(made) == 0 {
		return
	}
	_, err := p.client.Pipelined(ctx, func(pipe redis.Pipeliner) error {
		for _, n := range made {
			payload, err := json.Marshal(NewNotificationMessage(n))
			if err != nil {
				return fmt.Errorf("encode notification %d: %w", n.ID(), err)
			}
			pipe.Publish(ctx, p.channel, payload)
		}
		return nil
	})
	if err != nil {
		p.log.Warn("publish notifications", zap.Int("count", len(made)), zap.Int64("first_id", made[0].ID()), zap.Error(err))
		return
	}
	for range made {
		p.metrics.EventPublished(application.LiveMembers, "notification")
	}
}

// NotificationFeed is the feed of members' notifications: one subscription
// per instance to <prefix>member-events, a room per member streaming here. A
// room orders its member's notifications by seq, reading the ones a race
// between publishers put out of order from the inbox.
type NotificationFeed struct {
	*feed[notification.Notification]
}

var _ application.NotificationFeed = (*NotificationFeed)(nil)

// NewNotificationFeed builds the member feed; Start subscribes.
func NewNotificationFeed(client *redis.Client, prefix string, history application.NotificationHistory,
	metrics application.LiveMetrics, settings LiveFeedSettings, log *zap.Logger) (*NotificationFeed, error) {
	f, err := newFeed(client, MemberChannel(prefix), memberSequence{history: history}, application.LiveMembers,
		metrics, settings, log)
	if err != nil {
		return nil, err
	}
	return &NotificationFeed{feed: f}, nil
}

// Join registers a stream of memberID's notifications.
func (f *NotificationFeed) Join(ctx context.Context, memberID int64) (application.NotificationSubscription, error) {
	s, err := f.join(ctx, memberID)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// memberSequence numbers a member's notifications by seq.
type memberSequence struct {
	history application.NotificationHistory
}

func (memberSequence) decode(payload string) (int64, notification.Notification, error) {
	var m NotificationMessage
	if err := json.Unmarshal([]byte(payload), &m); err != nil {
		return 0, notification.Notification{}, fmt.Errorf("decode notification: %w", err)
	}
	n, err := m.notification()
	return m.MemberID, n, err
}

func (memberSequence) place(n notification.Notification) (int64, role) { return n.Seq(), step }

func (s memberSequence) position(ctx context.Context, memberID int64) (int64, error) {
	return s.history.LastSeq(ctx, memberID)
}

func (s memberSequence) missed(ctx context.Context, memberID, after, upto int64,
	_ notification.Notification) ([]notification.Notification, error) {
	return s.history.Between(ctx, memberID, after, upto)
}
