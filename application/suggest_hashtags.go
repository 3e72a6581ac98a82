package application

import "context"

// SuggestHashtags proposes hashtags for an artwork from what a detector sees in it.
type SuggestHashtags struct {
	detection imageDetection
}

// NewSuggestHashtags builds the use case; detector may be nil when none is configured.
func NewSuggestHashtags(detector Detector, inspector ImageInspector, labels LabelMap, minConfidence float64) *SuggestHashtags {
	return &SuggestHashtags{detection: imageDetection{detector: detector, inspector: inspector, labels: labels, minConfidence: minConfidence}}
}

// Execute returns the hashtags in the order the detector reported their objects.
func (uc *SuggestHashtags) Execute(ctx context.Context, image []byte) ([]string, error) {
	_, tags, err := uc.detection.detect(ctx, image)
	if err != nil {
		return nil, err
	}
	return hashtagNames(tags), nil
}
