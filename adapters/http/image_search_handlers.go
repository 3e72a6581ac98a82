package httpapi

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/artauction/artauction/application"
)

// ImageSearchUseCases are the use cases that ask the object detector.
type ImageSearchUseCases struct {
	Search  *application.SearchByImage
	Suggest *application.SuggestHashtags
}

type imageSearchHandlers struct {
	uc           ImageSearchUseCases
	authenticate *application.Authenticate
}

func (h imageSearchHandlers) register(api *echo.Group) {
	api.POST("/arts/search-by-image", h.search)
	api.POST("/arts/hashtag-suggestions", h.suggest, requireMember(h.authenticate))
}

type boxView struct {
	XMin int `json:"x_min"`
	YMin int `json:"y_min"`
	XMax int `json:"x_max"`
	YMax int `json:"y_max"`
}

type detectionView struct {
	Label      string  `json:"label"`
	Confidence float64 `json:"confidence"`
	Box        boxView `json:"box"`
}

type imageSearchView struct {
	Detections []detectionView `json:"detections"`
	Hashtags   []string        `json:"hashtags"`
	numberedPageView[artSummaryView]
}

func (h imageSearchHandlers) search(c echo.Context) error {
	page, err := numberedPageQuery(c)
	if err != nil {
		return err
	}
	image, err := readMultipart(c, func(string, string) {})
	if err != nil {
		return err
	}
	result, err := h.uc.Search.Execute(c.Request().Context(), image, page)
	if err != nil {
		return err
	}
	v := imageSearchView{Detections: make([]detectionView, 0, len(result.Detections)), Hashtags: result.Hashtags,
		numberedPageView: toNumberedPageView(result.Arts, toArtSummaryView)}
	if v.Hashtags == nil {
		v.Hashtags = []string{}
	}
	for _, d := range result.Detections {
		v.Detections = append(v.Detections, detectionView{Label: d.Label, Confidence: d.Confidence,
			Box: boxView{XMin: d.Box.XMin, YMin: d.Box.YMin, XMax: d.Box.XMax, YMax: d.Box.YMax}})
	}
	return c.JSON(http.StatusOK, v)
}

func (h imageSearchHandlers) suggest(c echo.Context) error {
	image, err := readMultipart(c, func(string, string) {})
	if err != nil {
		return err
	}
	tags, err := h.uc.Suggest.Execute(c.Request().Context(), image)
	if err != nil {
		return err
	}
	if tags == nil {
		tags = []string{}
	}
	return c.JSON(http.StatusOK, map[string][]string{"hashtags": tags})
}
