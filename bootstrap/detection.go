package bootstrap

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/artauction/artauction/adapters/detection"
	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/application"
)

// newDetector is nil without DETECTION_URL: search by image then answers 503
// and everything else works as before.
func newDetector(cfg Config, reg *prometheus.Registry) (application.Detector, error) {
	if cfg.DetectionURL == "" {
		return nil, nil
	}
	m, err := detection.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	client, err := detection.NewClient(detection.Config{
		BaseURL: cfg.DetectionURL, APIKey: cfg.DetectionAPIKey, Timeout: cfg.DetectionTimeout,
	}, m)
	if err != nil {
		return nil, fmt.Errorf("DETECTION_URL: %w", err)
	}
	return client, nil
}

// newLabelMap is the file DETECTION_LABEL_MAP names, else the default map of
// COCO labels to an art site's hashtags (an empty file maps nothing).
func newLabelMap(cfg Config) (application.LabelMap, error) {
	if cfg.DetectionLabelMap == "" {
		labels, err := detection.DefaultLabelMap()
		if err != nil {
			return nil, fmt.Errorf("default label map: %w", err)
		}
		return labels, nil
	}
	labels, err := detection.LoadLabelMap(cfg.DetectionLabelMap)
	if err != nil {
		return nil, fmt.Errorf("DETECTION_LABEL_MAP: %w", err)
	}
	return labels, nil
}

func newImageSearchUseCases(cfg Config, detector application.Detector, inspector application.ImageInspector,
	arts application.HashtagMatcher, labels application.LabelMap) httpapi.ImageSearchUseCases {
	return httpapi.ImageSearchUseCases{
		Search:  application.NewSearchByImage(detector, inspector, arts, labels, cfg.DetectionMinConfidence),
		Suggest: application.NewSuggestHashtags(detector, inspector, labels, cfg.DetectionMinConfidence),
	}
}

var detectionModule = fx.Module("detection",
	fx.Provide(newDetector, newLabelMap, newImageSearchUseCases),
)
