package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/validation"
)

// Autocompletion limits.
const (
	DefaultHashtagLimit = 10
	MaxHashtagLimit     = 50
)

// ListHashtags completes a hashtag being typed, most used first.
type ListHashtags struct {
	hashtags HashtagStore
}

// NewListHashtags builds the use case.
func NewListHashtags(hashtags HashtagStore) *ListHashtags {
	return &ListHashtags{hashtags: hashtags}
}

// Execute normalizes prefix like a hashtag; limit 0 means the default.
func (uc *ListHashtags) Execute(ctx context.Context, prefix string, limit int) ([]HashtagCount, error) {
	if limit == 0 {
		limit = DefaultHashtagLimit
	}
	if limit < 1 || limit > MaxHashtagLimit {
		return nil, validation.Field("limit", "must be between 1 and 50")
	}
	prefix = art.NormalizeHashtag(prefix)
	// No tag is longer, or holds a NUL, so nothing can match.
	if len([]rune(prefix)) > art.MaxHashtagLength || !validation.StorableText(prefix) {
		return []HashtagCount{}, nil
	}
	tags, err := uc.hashtags.Popular(ctx, prefix, limit)
	if err != nil {
		return nil, fmt.Errorf("popular hashtags: %w", err)
	}
	return tags, nil
}
