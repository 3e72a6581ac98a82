package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/artauction/artauction/adapters/postgres"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/domain/member"
	"github.com/artauction/artauction/domain/notification"
)

// shown is a notification as a test compares it: member, seq, kind, amount
// and actor (0 for none).
type shown struct {
	member, seq int64
	kind        notification.Kind
	amount      int64
	actor       string
}

func showAll(ns []notification.Notification) []shown {
	got := make([]shown, 0, len(ns))
	for _, n := range ns {
		s := shown{member: n.MemberID(), seq: n.Seq(), kind: n.Kind(), amount: n.Amount()}
		if a, ok := n.Actor(); ok {
			s.actor = a.Nickname
		}
		got = append(got, s)
	}
	return got
}

func notify(ctx context.Context, t *testing.T, db *bun.DB, n application.Notices) []notification.Notification {
	t.Helper()
	if n.At.IsZero() {
		n.At = testNow
	}
	made, err := postgres.NewNotifier(db).Notify(ctx, n)
	require.NoError(t, err)
	return made
}

func TestNotifierWritesMailsAndNotificationsInOneGo(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	seller := createMember(t, db, "seller")
	buyer := createMember(t, db, "buyer")
	artID, auctionID := createAuctionArt(t, db, seller, "Storm", testNow.Add(time.Hour))

	made := notify(ctx, t, db, application.Notices{
		Mails: []application.MemberMail{
			{MemberID: buyer, Subject: "You won", Text: "Yours."},
			{MemberID: seller, Subject: "Sold", Text: "Paid."},
		},
		Notifications: notification.AuctionSold(artID, auctionID, seller, buyer, 12_000),
	})

	assert.Equal(t, []shown{
		{member: seller, seq: 1, kind: notification.KindArtSold, amount: 12_000, actor: "buyer"},
		{member: buyer, seq: 1, kind: notification.KindAuctionWon, amount: 12_000},
	}, showAll(made), "in id order: the members' rows are written in ascending id")
	for _, n := range made {
		assert.Equal(t, artID, n.ArtID())
		assert.Equal(t, auctionID, n.AuctionID())
		assert.False(t, n.Read())
		assert.Equal(t, testNow, n.CreatedAt())
	}
	got, err := postgres.NewMailOutbox(db).ClaimDue(ctx, testNow, 10, testLease)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, application.Mail{To: "buyer@example.com", Subject: "You won", Text: "Yours."}, got[0].Mail, "in the order given")
	assert.Equal(t, application.Mail{To: "seller@example.com", Subject: "Sold", Text: "Paid."}, got[1].Mail)
}

func TestNotifierTellsEveryOtherBidderOnceThatTheyLost(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	store := postgres.NewAuctionStore(db)
	seller := createMember(t, db, "seller")
	ann, bob, carl := createMember(t, db, "ann"), createMember(t, db, "bob"), createMember(t, db, "carl")
	artID, auctionID := createAuctionArt(t, db, seller, "Storm", testNow.Add(time.Hour))
	for i, bidder := range []int64{ann, bob, ann, carl, bob} {
		bid(t, store, auctionID, bidder, 10_000+int64(i)*100, testNow)
	}
	_, otherAuction := createAuctionArt(t, db, seller, "Calm", testNow.Add(time.Hour))
	bid(t, store, otherAuction, carl, 10_000, testNow)

	sold := notify(ctx, t, db, application.Notices{Notifications: notification.AuctionSold(artID, auctionID, seller, bob, 10_400)})
	assert.ElementsMatch(t, []shown{
		{member: seller, seq: 1, kind: notification.KindArtSold, amount: 10_400, actor: "bob"},
		{member: bob, seq: 1, kind: notification.KindAuctionWon, amount: 10_400},
		{member: ann, seq: 1, kind: notification.KindAuctionLost, amount: 10_400},
		{member: carl, seq: 1, kind: notification.KindAuctionLost, amount: 10_400},
	}, showAll(sold), "ann bid twice and is told once; the buyer is not told he lost")

	failed := notify(ctx, t, db, application.Notices{Notifications: notification.AuctionFailed(artID, auctionID, seller, true)})
	assert.ElementsMatch(t, []shown{
		{member: seller, seq: 2, kind: notification.KindAuctionFailed},
		{member: ann, seq: 2, kind: notification.KindAuctionLost},
		{member: bob, seq: 2, kind: notification.KindAuctionLost},
		{member: carl, seq: 2, kind: notification.KindAuctionLost},
	}, showAll(failed), "below its reserve every bidder lost, with no price")
}

func TestNotifierWritesNothingForAnUnknownMember(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	alice := createMember(t, db, "alice")
	notifier := postgres.NewNotifier(db)

	for name, n := range map[string]application.Notices{
		"a mail": {Mails: []application.MemberMail{{MemberID: alice, Subject: "Sold", Text: "Paid."},
			{MemberID: 404, Subject: "Won", Text: "Yours."}}, Notifications: notification.BidPlaced(1, 1, 1000, alice)},
		"a notification": {Mails: []application.MemberMail{{MemberID: alice, Subject: "Sold", Text: "Paid."}},
			Notifications: notification.BidPlaced(1, 1, 1000, 404)},
		"an actor": {Notifications: notification.ArtPurchased(1, alice, 404, 1000)},
	} {
		_, err := notifier.Notify(ctx, n)
		require.ErrorIs(t, err, member.ErrNotFound, name)
	}
	assert.Zero(t, countRows(t, db, "mail_outbox", "true"))
	assert.Zero(t, countRows(t, db, "notifications", "true"))
	assert.Zero(t, countRows(t, db, "inboxes", "true"))

	made, err := notifier.Notify(ctx, application.Notices{})
	require.NoError(t, err)
	assert.Empty(t, made)
}

func TestNotifierJoinsTheTransaction(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	alice := createMember(t, db, "alice")
	errBoom := errors.New("boom")

	err := postgres.NewTransactor(db).WithinTx(context.Background(), func(ctx context.Context) error {
		notify(ctx, t, db, application.BidNotices(1, 1, 1000, alice, testNow))
		return errBoom
	})

	require.ErrorIs(t, err, errBoom)
	assert.Zero(t, countRows(t, db, "notifications", "true"), "a rolled-back change makes none")
	assert.Zero(t, countRows(t, db, "mail_outbox", "true"))
	store := postgres.NewNotificationStore(db)
	n, err := store.UnreadCount(context.Background(), alice)
	require.NoError(t, err)
	assert.Zero(t, n)
	seq, err := store.LastSeq(context.Background(), alice)
	require.NoError(t, err)
	assert.Zero(t, seq)
}

// Transactions notifying one member at once take turns on the member's
// inbox row: the member's seqs have no gap and no repeat, and ids grow with
// them, which is what a stream's Last-Event-ID counts on.
func TestNotifierNumbersOneMembersNotificationsInCommitOrder(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ann, bob, artist := createMember(t, db, "ann"), createMember(t, db, "bob"), createMember(t, db, "artist")
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				// Half the writers tell ann and bob, the others bob and ann: the
				// inbox rows are taken in member order either way.
				members := []int64{ann, bob}
				if w%2 == 1 {
					members = []int64{bob, ann}
				}
				err := postgres.NewTransactor(db).WithinTx(context.Background(), func(ctx context.Context) error {
					n := application.Notices{Notifications: notification.WorkListed(int64(w*100+i+1), artist, members), At: testNow}
					_, err := postgres.NewNotifier(db).Notify(ctx, n)
					return err
				})
				if err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}

	store := postgres.NewNotificationStore(db)
	for _, m := range []int64{ann, bob} {
		all, err := store.Between(context.Background(), m, 0, writers*each)
		require.NoError(t, err)
		require.Len(t, all, writers*each)
		for i, n := range all {
			assert.Equal(t, int64(i+1), n.Seq())
			if i > 0 {
				assert.Greater(t, n.ID(), all[i-1].ID(), "ids grow with seq")
			}
		}
		unread, err := store.UnreadCount(context.Background(), m)
		require.NoError(t, err)
		assert.Equal(t, int64(writers*each), unread)
	}
}

// inboxOf gives member n outbid notifications, amounts 1001.. in order.
func inboxOf(t *testing.T, db *bun.DB, memberID int64, n int) []notification.Notification {
	t.Helper()
	var made []notification.Notification
	for i := range n {
		made = append(made, notify(context.Background(), t, db, application.BidNotices(1, 1, int64(1001+i), memberID, testNow))...)
	}
	return made
}

func TestNotificationStoreListsNewestFirstByPageAndByCursor(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	store := postgres.NewNotificationStore(db)
	ann, bob := createMember(t, db, "ann"), createMember(t, db, "bob")
	made := inboxOf(t, db, ann, 5)
	inboxOf(t, db, bob, 2)
	require.NoError(t, store.MarkRead(ctx, ann, made[3].ID(), testNow))

	first, err := store.List(ctx, ann, false, mustPage(t, 1, 2))
	require.NoError(t, err)
	assert.Equal(t, []int64{5, 4}, seqsOf(first.Items))
	assert.Equal(t, application.Total{Count: 5}, first.Total)
	assert.Equal(t, application.Keyset{4}, first.Next)
	assert.True(t, first.Items[1].Read())

	// A newer one meanwhile: the cursor goes on without a repeat or a gap.
	inboxOf(t, db, ann, 1)
	second, err := store.List(ctx, ann, false, afterPage(t, first.Next, 2))
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 2}, seqsOf(second.Items))
	assert.Equal(t, application.Total{}, second.Total, "a cursor page does not count")
	last, err := store.List(ctx, ann, false, afterPage(t, second.Next, 2))
	require.NoError(t, err)
	assert.Equal(t, []int64{1}, seqsOf(last.Items))
	assert.Nil(t, last.Next)

	unread, err := store.List(ctx, ann, true, mustPage(t, 1, 10))
	require.NoError(t, err)
	assert.Equal(t, []int64{6, 5, 3, 2, 1}, seqsOf(unread.Items))
	assert.Equal(t, application.Total{Count: 5}, unread.Total)
	unreadAfter, err := store.List(ctx, ann, true, afterPage(t, application.Keyset{5}, 10))
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 2, 1}, seqsOf(unreadAfter.Items))

	past, err := store.List(ctx, ann, false, mustPage(t, 9, 10))
	require.NoError(t, err)
	assert.Empty(t, past.Items)
	assert.Equal(t, application.Total{Count: 6}, past.Total, "a page past the end still counts")
	none, err := store.List(ctx, createMember(t, db, "carl"), false, mustPage(t, 1, 10))
	require.NoError(t, err)
	assert.Empty(t, none.Items)
	assert.Equal(t, application.Total{}, none.Total)

	_, err = store.List(ctx, ann, false, afterPage(t, application.Keyset{1, 2}, 10))
	require.ErrorIs(t, err, application.ErrInvalidCursor)
}

func seqsOf(ns []notification.Notification) []int64 {
	seqs := make([]int64, len(ns))
	for i, n := range ns {
		seqs[i] = n.Seq()
	}
	return seqs
}

func TestNotificationStoreMarksReadOnceAndOnlyTheMembersOwn(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	store := postgres.NewNotificationStore(db)
	ann, bob := createMember(t, db, "ann"), createMember(t, db, "bob")
	made := inboxOf(t, db, ann, 3)
	unread := func(m int64) int64 {
		t.Helper()
		n, err := store.UnreadCount(ctx, m)
		require.NoError(t, err)
		return n
	}

	// Ten marks of one notification at once take one off the count.
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() { assert.NoError(t, store.MarkRead(ctx, ann, made[0].ID(), testNow)) })
	}
	wg.Wait()
	assert.Equal(t, int64(2), unread(ann))
	require.ErrorIs(t, store.MarkRead(ctx, bob, made[1].ID(), testNow), notification.ErrNotFound)
	require.ErrorIs(t, store.MarkRead(ctx, ann, 999_999, testNow), notification.ErrNotFound)
	assert.Equal(t, int64(2), unread(ann))

	require.NoError(t, store.MarkAllRead(ctx, ann, testNow))
	assert.Zero(t, unread(ann))
	inboxOf(t, db, ann, 1)
	assert.Equal(t, int64(1), unread(ann), "a notification after read-all is unread")
	require.NoError(t, store.MarkAllRead(ctx, bob, testNow), "an empty inbox")
	assert.Equal(t, 3, countRows(t, db, "notifications", "member_id = ? AND read_at = ?", ann, testNow))
}

func TestNotificationHistoryReplaysByIDAndCatchesUpBySeq(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	store := postgres.NewNotificationStore(db)
	ann, bob := createMember(t, db, "ann"), createMember(t, db, "bob")
	var made []notification.Notification
	for range 4 {
		made = append(made, inboxOf(t, db, ann, 1)...)
		inboxOf(t, db, bob, 1) // ids between ann's
	}

	seq, err := store.LastSeq(ctx, ann)
	require.NoError(t, err)
	assert.Equal(t, int64(4), seq)
	between, err := store.Between(ctx, ann, 1, 3)
	require.NoError(t, err)
	assert.Equal(t, []int64{2, 3}, seqsOf(between))

	newer, err := store.NewerThan(ctx, ann, made[1].ID(), 10)
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 4}, seqsOf(newer), "after the last one seen, oldest first")
	newer, err = store.NewerThan(ctx, ann, made[1].ID()+1, 10)
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 4}, seqsOf(newer), "an id of another inbox places the client by id")
	newer, err = store.NewerThan(ctx, ann, 1, 1)
	require.NoError(t, err)
	assert.Equal(t, []int64{4}, seqsOf(newer), "at most the newest limit")
	newer, err = store.NewerThan(ctx, ann, made[3].ID(), 10)
	require.NoError(t, err)
	assert.Empty(t, newer)
	assert.Equal(t, showAll(made[2:3]), showAll(between[1:]), "the history reads what Notify made")
}
