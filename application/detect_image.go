package application

import (
	"context"
	"fmt"

	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/validation"
)

// imageDetection checks an uploaded photo and asks the detector what is in it;
// search by image and hashtag suggestions share it.
type imageDetection struct {
	detector      Detector
	inspector     ImageInspector
	labels        LabelMap
	minConfidence float64
}

// detect refuses a missing, oversized or unsupported upload before the
// detector is asked, and says ErrDetectionUnavailable when there is no
// detector (a nil one).
func (d imageDetection) detect(ctx context.Context, image []byte) ([]Detection, []WeightedHashtag, error) {
	if len(image) == 0 {
		return nil, nil, validation.Field("image", "is required")
	}
	if len(image) > art.MaxImageBytes {
		return nil, nil, fmt.Errorf("%w: at most 10 MiB", art.ErrImageTooLarge)
	}
	inspected, err := d.inspector.Inspect(image)
	if err != nil {
		return nil, nil, fmt.Errorf("inspect image: %w", err)
	}
	if err := art.CheckImage(inspected.Format, inspected.Width, inspected.Height, int64(len(image))); err != nil {
		return nil, nil, err
	}
	if d.detector == nil {
		return nil, nil, fmt.Errorf("no detector is configured: %w", ErrDetectionUnavailable)
	}
	detections, err := d.detector.Detect(ctx, image, d.minConfidence)
	if err != nil {
		return nil, nil, fmt.Errorf("detect objects: %w", err)
	}
	kept := detections[:0:0]
	for _, det := range detections {
		if det.Confidence >= d.minConfidence {
			kept = append(kept, det)
		}
	}
	return kept, hashtagsFor(kept, d.labels), nil
}
