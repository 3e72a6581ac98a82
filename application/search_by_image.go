package application

import (
	"context"
	"fmt"
)

// ImageSearchResult is what a photo search found.
type ImageSearchResult struct {
	Detections []Detection
	Hashtags   []string
	Arts       Page[ArtSummary]
}

// SearchByImage finds the arts whose hashtags match what a detector sees in a photo.
type SearchByImage struct {
	detection imageDetection
	arts      HashtagMatcher
}

// NewSearchByImage builds the use case; detector may be nil when none is
// configured, and then every search answers ErrDetectionUnavailable.
func NewSearchByImage(detector Detector, inspector ImageInspector, arts HashtagMatcher, labels LabelMap,
	minConfidence float64) *SearchByImage {
	return &SearchByImage{
		detection: imageDetection{detector: detector, inspector: inspector, labels: labels, minConfidence: minConfidence},
		arts:      arts,
	}
}

// Execute ranks arts by how many detected hashtags they carry, then by the
// detection's confidence, then newest.
func (uc *SearchByImage) Execute(ctx context.Context, image []byte, page PageRequest) (ImageSearchResult, error) {
	detections, tags, err := uc.detection.detect(ctx, image)
	if err != nil {
		return ImageSearchResult{}, err
	}
	items, total, err := uc.arts.MatchHashtags(ctx, tags, page)
	if err != nil {
		return ImageSearchResult{}, fmt.Errorf("match hashtags: %w", err)
	}
	return ImageSearchResult{
		Detections: detections, Hashtags: hashtagNames(tags),
		Arts: Page[ArtSummary]{Items: items, Request: page, TotalItems: total},
	}, nil
}
