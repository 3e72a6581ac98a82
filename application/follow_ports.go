package application

//go:generate go tool mockgen -source=follow_ports.go -destination=mock/follow_ports.go -package=mock

import (
	"context"
	"time"
)

// MemberStats are the counts of an artist's page.
type MemberStats struct {
	// Arts counts the works the member lists now (on sale, sold or unsold;
	// not deleted ones); Sold those sold.
	Arts, Sold int64
	// Followers counts who follows the member; Following whom they follow.
	Followers, Following int64
}

// MemberPage is a member's public profile with the counts of their page: an
// artist's page.
type MemberPage struct {
	Member    MemberRef
	CreatedAt time.Time
	Stats     MemberStats
	// Followed tells whether the viewer follows the member; nil for an
	// anonymous viewer.
	Followed *bool
}

// FollowStore keeps who follows whom and the counts of members' pages, and
// reads the lists follows make.
type FollowStore interface {
	// Page reads a member's page as viewerID (0: anonymous) sees it, in one
	// round trip; member.ErrNotFound when the member is unknown.
	Page(ctx context.Context, memberID, viewerID int64) (MemberPage, error)
	// Follow makes followerID follow followeeID from now on. Following again,
	// however many times and however concurrently, changes nothing.
	// member.ErrNotFound when followeeID is unknown.
	Follow(ctx context.Context, followerID, followeeID int64, now time.Time) error
	// Unfollow ends the follow, if any; member.ErrNotFound when followeeID is
	// unknown.
	Unfollow(ctx context.Context, followerID, followeeID int64) error
	// Followers lists a page of the members who follow memberID, and
	// Following of those memberID follows, the latest follow first, with the
	// exact total on a numbered page; member.ErrNotFound when memberID is
	// unknown.
	Followers(ctx context.Context, memberID int64, page PageRequest) (StoredPage[MemberRef], error)
	Following(ctx context.Context, memberID int64, page PageRequest) (StoredPage[MemberRef], error)
	// Feed lists a page of the works of every member memberID follows, newest
	// first (ties by id descending), whenever they were listed, with the exact
	// total on a numbered page.
	Feed(ctx context.Context, memberID int64, page PageRequest) (StoredPage[ArtSummary], error)
}
