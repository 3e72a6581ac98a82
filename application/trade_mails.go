package application

import (
	"context"
	"fmt"
)

// tradeMailer writes the mails of trades into the outbox, inside the trade's
// transaction, so a committed trade always gets its mails and a rolled-back one never does.
type tradeMailer struct {
	members MemberStore
	outbox  MailOutbox
}

func (m tradeMailer) send(ctx context.Context, memberID int64, subject, format string, args ...any) error {
	to, err := m.members.ByID(ctx, memberID)
	if err != nil {
		return fmt.Errorf("find mail recipient %d: %w", memberID, err)
	}
	mail := Mail{To: to.Email().String(), Subject: subject, Text: fmt.Sprintf(format, args...)}
	if err := m.outbox.Enqueue(ctx, mail); err != nil {
		return fmt.Errorf("enqueue %q mail: %w", subject, err)
	}
	return nil
}

// nickname names a member in a live event after the trade committed; an empty
// name (none, or the read failed) makes the watchers' feed read the bid back.
func (m tradeMailer) nickname(ctx context.Context, memberID int64) string {
	if memberID == 0 {
		return ""
	}
	who, err := m.members.ByID(ctx, memberID)
	if err != nil {
		return ""
	}
	return who.Nickname().String()
}

func (m tradeMailer) outbid(ctx context.Context, memberID, auctionID, amount int64) error {
	return m.send(ctx, memberID, "You have been outbid",
		"Someone bid %d points on auction %d, above your bid. Bid again before it ends.\n", amount, auctionID)
}

func (m tradeMailer) won(ctx context.Context, memberID, artID, price int64) error {
	return m.send(ctx, memberID, "You won the auction",
		"Art %d is yours for %d points. The points were taken from your balance.\n", artID, price)
}

func (m tradeMailer) sold(ctx context.Context, memberID, artID, price int64) error {
	return m.send(ctx, memberID, "Your art was sold",
		"Art %d was sold for %d points, now added to your balance.\n", artID, price)
}

func (m tradeMailer) unsold(ctx context.Context, memberID, artID int64) error {
	return m.send(ctx, memberID, "Your auction ended without bids",
		"The auction of art %d ended with no bid; the art is marked unsold.\n", artID)
}

func (m tradeMailer) purchased(ctx context.Context, memberID, artID, price int64) error {
	return m.send(ctx, memberID, "Purchase confirmed",
		"You bought art %d for %d points.\n", artID, price)
}
