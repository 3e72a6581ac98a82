package member_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/artauction/artauction/domain/member"
)

func TestCheckFollow(t *testing.T) {
	assert.NoError(t, member.CheckFollow(3, 9))
	assert.NoError(t, member.CheckFollow(9, 3))
	assert.ErrorIs(t, member.CheckFollow(9, 9), member.ErrCannotFollowSelf)
}
