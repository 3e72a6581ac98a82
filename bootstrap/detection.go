package bootstrap

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/fx"

	"github.com/artauction/artauction/adapters/detection"
	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/application"
)

// detectionModule reaches the detector at DETECTION_URL. Without one, search
// by image and hashtag suggestions are given no detector and say detection is
// unavailable; everything else works as before.
func detectionModule(settings DetectionSettings) fx.Option {
	provide := []any{newLabelMap, newImageSearchUseCases}
	if settings.URL != "" {
		provide = append(provide, newDetector)
	}
	return fx.Module("detection", fx.Provide(provide...))
}

func newDetector(settings DetectionSettings, reg *prometheus.Registry) (application.Detector, error) {
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

// newLabelMap is the file DETECTION_LABEL_MAP names, else the default map of
// COCO labels to an art site's hashtags (an empty file maps nothing).
func newLabelMap(settings DetectionSettings) (application.LabelMap, error) {
	if settings.LabelMap == "" {
		labels, err := detection.DefaultLabelMap()
		if err != nil {
			return nil, fmt.Errorf("default label map: %w", err)
		}
		return labels, nil
	}
	labels, err := detection.LoadLabelMap(settings.LabelMap)
	if err != nil {
		return nil, fmt.Errorf("DETECTION_LABEL_MAP: %w", err)
	}
	return labels, nil
}

// imageSearchParams are what the image search use cases take.
type imageSearchParams struct {
	fx.In

	Settings DetectionSettings
	// Detector is absent without DETECTION_URL.
	Detector  application.Detector `optional:"true"`
	Inspector application.ImageInspector
	Arts      application.HashtagMatcher
	Labels    application.LabelMap
}

func newImageSearchUseCases(p imageSearchParams) httpapi.ImageSearchUseCases {
	return httpapi.ImageSearchUseCases{
		Search:  application.NewSearchByImage(p.Detector, p.Inspector, p.Arts, p.Labels, p.Settings.MinConfidence),
		Suggest: application.NewSuggestHashtags(p.Detector, p.Inspector, p.Labels, p.Settings.MinConfidence),
	}
}
