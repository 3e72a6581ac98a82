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

func newLabelMap(cfg Config) (application.LabelMap, error) {
	if cfg.DetectionLabelMap == "" {
		return application.LabelMap{}, nil
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
