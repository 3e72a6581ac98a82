package application

import (
	"context"
	"fmt"
	"time"

	"github.com/artauction/artauction/domain/notification"
)

// tradeNotifier writes the notices of trades (mails and notifications) inside
// the trade's transaction, so a committed trade always has them and a
// rolled-back one never does, and announces the notifications it made to the
// member streams once the trade has committed.
type tradeNotifier struct {
	notifier  Notifier
	publisher NotificationPublisher
}

// write runs inside the trade's transaction; the notices of one trade go in one write.
func (n tradeNotifier) write(ctx context.Context, notices Notices) ([]notification.Notification, error) {
	made, err := n.notifier.Notify(ctx, notices)
	if err != nil {
		return nil, fmt.Errorf("write the trade's notices: %w", err)
	}
	return made, nil
}

// publish runs after the commit.
func (n tradeNotifier) publish(ctx context.Context, made []notification.Notification) {
	if len(made) > 0 {
		n.publisher.Publish(ctx, made)
	}
}

// BidNotices are what an accepted bid tells: the leader it passed, if any, is
// mailed and notified outbid with the new highest amount. Exported for the
// benchmark's raw limit, which writes the very same notices.
func BidNotices(artID, auctionID, amount, previousLeaderID int64, at time.Time) Notices {
	if previousLeaderID == 0 {
		return Notices{}
	}
	return Notices{
		Mails:         []MemberMail{outbidMail(previousLeaderID, auctionID, amount)},
		Notifications: notification.BidPlaced(artID, auctionID, amount, previousLeaderID),
		At:            at,
	}
}

// saleNotices are what an auction sold at its close or by buy-now tells: the
// buyer and the seller by mail and notification, every other bidder by
// notification (no mail goes to those who lost).
func saleNotices(artID, auctionID, sellerID, buyerID, price int64, at time.Time) Notices {
	return Notices{
		Mails:         []MemberMail{wonMail(buyerID, artID, price), soldMail(sellerID, artID, price)},
		Notifications: notification.AuctionSold(artID, auctionID, sellerID, buyerID, price),
		At:            at,
	}
}

func outbidMail(memberID, auctionID, amount int64) MemberMail {
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

func purchasedMail(memberID, artID, price int64) MemberMail {
	return MemberMail{MemberID: memberID, Subject: "Purchase confirmed",
		Text: fmt.Sprintf("You bought art %d for %d points.\n", artID, price)}
}

func belowReserveMail(memberID, artID, highest, reserve int64) MemberMail {
	return MemberMail{MemberID: memberID, Subject: "Your auction ended below its reserve",
		Text: fmt.Sprintf("The auction of art %d ended with a highest bid of %d points, below your reserve of %d; "+
			"the art is marked unsold and the bidder keeps their points.\n", artID, highest, reserve)}
}
