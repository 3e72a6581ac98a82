package application_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
)

func TestListHashtagsAsksTheStore(t *testing.T) {
	tests := []struct {
		name       string
		prefix     string
		limit      int
		wantPrefix string
		wantLimit  int
	}{
		{name: "the default limit", prefix: "ca", limit: 0, wantPrefix: "ca", wantLimit: application.DefaultHashtagLimit},
		{name: "limit 1", prefix: "ca", limit: 1, wantPrefix: "ca", wantLimit: 1},
		{name: "limit 50", prefix: "ca", limit: 50, wantPrefix: "ca", wantLimit: 50},
		{name: "no prefix", prefix: "", limit: 5, wantPrefix: "", wantLimit: 5},
		{name: "a prefix normalized like a hashtag", prefix: " #Ca ", limit: 5, wantPrefix: "ca", wantLimit: 5},
		{name: "a Hangul prefix", prefix: "#고양", limit: 5, wantPrefix: "고양", wantLimit: 5},
		{name: "a 30 character prefix", prefix: strings.Repeat("가", 30), limit: 5, wantPrefix: strings.Repeat("가", 30), wantLimit: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := mock.NewMockHashtagStore(gomock.NewController(t))
			want := []application.HashtagCount{{Name: "cat", ArtCount: 12}, {Name: "canvas", ArtCount: 3}}
			store.EXPECT().Popular(gomock.Any(), tt.wantPrefix, tt.wantLimit).Return(want, nil)

			got, err := application.NewListHashtags(store).Execute(context.Background(), tt.prefix, tt.limit)

			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
}

func TestListHashtagsDefaultLimitIs10(t *testing.T) {
	assert.Equal(t, 10, application.DefaultHashtagLimit)
	assert.Equal(t, 50, application.MaxHashtagLimit)
}

func TestListHashtagsRefusesALimitOutOfRange(t *testing.T) {
	for _, limit := range []int{51, -1, 1000} {
		store := mock.NewMockHashtagStore(gomock.NewController(t))

		got, err := application.NewListHashtags(store).Execute(context.Background(), "ca", limit)

		assert.Equal(t, []string{"limit"}, validationFieldNames(t, err), "limit %d", limit)
		assert.Empty(t, got)
	}
}

func TestListHashtagsWithAPrefixNoHashtagCanHave(t *testing.T) {
	store := mock.NewMockHashtagStore(gomock.NewController(t))

	got, err := application.NewListHashtags(store).Execute(context.Background(), "#"+strings.Repeat("a", 31), 10)

	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

func TestListHashtagsWithANULInThePrefix(t *testing.T) {
	store := mock.NewMockHashtagStore(gomock.NewController(t))

	got, err := application.NewListHashtags(store).Execute(context.Background(), "ca\x00", 10)

	require.NoError(t, err, "no tag holds a NUL, so none matches")
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

func TestListHashtagsWhenTheStoreFails(t *testing.T) {
	store := mock.NewMockHashtagStore(gomock.NewController(t))
	errDB := errors.New("connection reset")
	store.EXPECT().Popular(gomock.Any(), "ca", 10).Return(nil, errDB)

	_, err := application.NewListHashtags(store).Execute(context.Background(), "ca", 0)

	assert.ErrorIs(t, err, errDB)
}
