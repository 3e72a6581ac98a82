package application

//go:generate go tool mockgen -source=detection_ports.go -destination=mock/detection_ports.go -package=mock

import (
	"context"
	"errors"
)

// ErrDetectionUnavailable means no detector is configured, or it is slow,
// failing or answering garbage; a later try may succeed.
var ErrDetectionUnavailable = errors.New("object detection is unavailable")

// Box is where in the picture an object was found, in pixels.
type Box struct {
	XMin, YMin, XMax, YMax int
}

// Detection is one object a detector found.
type Detection struct {
	Label      string
	Confidence float64
	Box        Box
}

// Detector finds objects in a picture. Every failure wraps ErrDetectionUnavailable.
type Detector interface {
	Detect(ctx context.Context, image []byte, minConfidence float64) ([]Detection, error)
}

// WeightedHashtag is a hashtag searched for, with the confidence of the
// detection it came from.
type WeightedHashtag struct {
	Name       string
	Confidence float64
}

// HashtagMatcher ranks arts by the hashtags they share with a search.
type HashtagMatcher interface {
	// MatchHashtags lists arts carrying at least one of tags, ranked by how many
	// they carry, then by the best confidence among those, then newest first.
	MatchHashtags(ctx context.Context, tags []WeightedHashtag, page PageRequest) ([]ArtSummary, int, error)
}
