package member

import "errors"

// ErrCannotFollowSelf is a member following, or unfollowing, themselves.
var ErrCannotFollowSelf = errors.New("members may not follow themselves")

// CheckFollow says whether followerID may follow or unfollow followeeID:
// anyone but themselves (docs/rules.md, Follows).
func CheckFollow(followerID, followeeID int64) error {
	if followerID == followeeID {
		return ErrCannotFollowSelf
	}
	return nil
}
