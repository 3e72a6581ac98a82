package application

import (
	"context"
	"fmt"
)

// tradeMailer writes the mails of trades into the outbox, inside the trade's
// transaction, so a committed trade always gets its mails and a rolled-back
// one never does. The mails of one trade go in one write.
type tradeMailer struct {
	mailbox MemberMailbox
}

func (m tradeMailer) send(ctx context.Context, mails ...MemberMail) error {
	if err := m.mailbox.EnqueueToMembers(ctx, mails...); err != nil {
		return fmt.Errorf("enqueue %q mail: %w", mails[0].Subject, err)
	}
	return nil
}

// OutbidMail tells memberID that a bid of amount on auctionID passed theirs.
// Exported for the benchmark's raw limit, which queues the very same mail.
func OutbidMail(memberID, auctionID, amount int64) MemberMail {
	return MemberMail{MemberID: memberID, Subject: "You have been outbid",
		Text: fmt.Sprintf("Someone bid %d points on auction %d, above your bid. Bid again before it ends.\n", amount, auctionID)}
}

func wonMail(memberID, artID, price int64) MemberMail {
	return MemberMail{MemberID: memberID, Subject: "You won the auction",
		Text: fmt.Sprintf("Art %d is yours for %d points. The points were taken from your balance.\n", artID, price)}
}

func soldMail(memberID, artID, price int64) MemberMail {
	return MemberMail{MemberID: memberID, Subject: "Your art was sold",
		Text: fmt.Sprintf("Art %d was sold for %d points, now added to your balance.\n", artID, price)}
}

func unsoldMail(memberID, artID int64) MemberMail {
	return MemberMail{MemberID: memberID, Subject: "Your auction ended without bids",
		Text: fmt.Sprintf("The auction of art %d ended with no bid; the art is marked unsold.\n", artID)}
}

func belowReserveMail(memberID, artID, highest, reserve int64) MemberMail {
	return MemberMail{MemberID: memberID, Subject: "Your auction ended below its reserve",
		Text: fmt.Sprintf("The auction of art %d ended with a highest bid of %d points, below your reserve of %d; "+
			"the art is marked unsold and the bidder keeps their points.\n", artID, highest, reserve)}
}

func purchasedMail(memberID, artID, price int64) MemberMail {
	return MemberMail{MemberID: memberID, Subject: "Purchase confirmed",
		Text: fmt.Sprintf("You bought art %d for %d points.\n", artID, price)}
}
