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
func newDetector(settings DetectionSettings, reg *prometheus.Registry) (application.Detector, error) {
	if settings.URL == "" {
		return nil, nil
	}
	m, err := detection.NewMetrics(reg)
	if err != nil {
		return nil, err
	}
	client, err := detection.NewClient(detection.Config{
		BaseURL: settings.URL, APIKey: settings.APIKey, Timeout: settings.Timeout,
	}, m)
	if err != nil {
		return nil, fmt.Errorf("DETECTION_URL: %w", err)
	}
	return client, nil
}

func newLabelMap(settings DetectionSettings) (application.LabelMap, error) {
	if settings.LabelMap == "" {
		return application.LabelMap{}, nil
	}
	labels, err := detection.LoadLabelMap(settings.LabelMap)
	if err != nil {
		return nil, fmt.Errorf("DETECTION_LABEL_MAP: %w", err)
	}
	return labels, nil
}

func newImageSearchUseCases(settings DetectionSettings, detector application.Detector, inspector application.ImageInspector,
	arts application.HashtagMatcher, labels application.LabelMap) httpapi.ImageSearchUseCases {
	return httpapi.ImageSearchUseCases{
		Search:  application.NewSearchByImage(detector, inspector, arts, labels, settings.MinConfidence),
		Suggest: application.NewSuggestHashtags(detector, inspector, labels, settings.MinConfidence),
	}
}

var detectionModule = fx.Module("detection",
	fx.Provide(newDetector, newLabelMap, newImageSearchUseCases),
)
