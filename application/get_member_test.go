package application_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/member"
)

func TestGetMemberReturnsTheStoredMember(t *testing.T) {
	members := mock.NewMockMemberStore(gomock.NewController(t))
	members.EXPECT().ByID(gomock.Any(), int64(7)).Return(storedAlice(), nil)

	m, err := application.NewGetMember(members).Execute(context.Background(), 7)

	require.NoError(t, err)
	assert.Equal(t, storedAlice(), m)
}

func TestGetMemberOfAnUnknownID(t *testing.T) {
	members := mock.NewMockMemberStore(gomock.NewController(t))
	members.EXPECT().ByID(gomock.Any(), int64(404)).Return(nil, member.ErrNotFound)

	m, err := application.NewGetMember(members).Execute(context.Background(), 404)

	assert.Nil(t, m)
	assert.ErrorIs(t, err, member.ErrNotFound)
}
