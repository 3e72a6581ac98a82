package application_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/art"
)

// Shared by the search by image and hashtag suggestion tests.

// photoBytes is the photo the detection tests upload.
var photoBytes = []byte("\x89PNG\r\n\x1a\n pretend this is a photo")

// testMinConfidence is the detection threshold the use cases are built with.
const testMinConfidence = 0.4

// testLabelMap maps person to two hashtags; every other label is its own hashtag.
func testLabelMap() application.LabelMap {
	return application.LabelMap{"person": {"portrait", "figure"}}
}

// goodPhoto is what the inspector says of photoBytes: well inside the limits.
var goodPhoto = application.InspectedImage{Format: art.FormatPNG, Width: 1024, Height: 768}

// ctxKey marks the caller's context, so the tests can tell it reaches the ports.
type ctxKey struct{}

func callerContext() context.Context {
	return context.WithValue(context.Background(), ctxKey{}, "caller")
}

// callerCtx matches the context callerContext made, or one derived from it.
func callerCtx() gomock.Matcher {
	return gomock.Cond(func(ctx context.Context) bool { return ctx != nil && ctx.Value(ctxKey{}) == "caller" })
}

// badUploads are uploads refused before the detector is asked, with what the
// inspector says of them (nil: it must not be asked) and the error wanted.
type badUpload struct {
	name      string
	image     []byte
	inspected *application.InspectedImage
	inspectEr error
	wantErr   error
}

var errCorruptHeader = errors.New("corrupt header")

func badUploads() []badUpload {
	return []badUpload{
		{name: "inspector refuses the format", image: photoBytes, inspectEr: art.ErrUnsupportedImage, wantErr: art.ErrUnsupportedImage},
		{name: "inspector fails", image: photoBytes, inspectEr: errCorruptHeader, wantErr: errCorruptHeader},
		{name: "over 40 megapixels", image: photoBytes,
			inspected: &application.InspectedImage{Format: art.FormatJPEG, Width: 8000, Height: 5001}, wantErr: art.ErrImageTooLarge},
		{name: "a side over 16384 pixels", image: photoBytes,
			inspected: &application.InspectedImage{Format: art.FormatWebP, Width: 1, Height: 50_000}, wantErr: art.ErrImageTooLarge},
		{name: "no pixels", image: photoBytes,
			inspected: &application.InspectedImage{Format: art.FormatPNG}, wantErr: art.ErrUnsupportedImage},
		{name: "a format not accepted", image: photoBytes,
			inspected: &application.InspectedImage{Format: "gif", Width: 10, Height: 10}, wantErr: art.ErrUnsupportedImage},
	}
}

// expectInspect makes the inspector answer for a bad upload.
func (u badUpload) expectInspect(inspector *mock.MockImageInspector) {
	if u.inspected != nil {
		inspector.EXPECT().Inspect(u.image).Return(*u.inspected, nil)
		return
	}
	inspector.EXPECT().Inspect(u.image).Return(application.InspectedImage{}, u.inspectEr)
}

// detectedInPhoto is what the detector finds in photoBytes: a person twice, a
// potted plant, and a cat below the threshold (detectors may answer those anyway).
func detectedInPhoto() []application.Detection {
	return []application.Detection{
		{Label: "person", Confidence: 0.91, Box: application.Box{XMin: 10, YMin: 20, XMax: 200, YMax: 180}},
		{Label: "cat", Confidence: 0.39, Box: application.Box{XMin: 1, YMin: 2, XMax: 3, YMax: 4}},
		{Label: "potted plant", Confidence: 0.4, Box: application.Box{XMin: 300, YMin: 40, XMax: 380, YMax: 160}},
		{Label: "Person", Confidence: 0.55, Box: application.Box{XMin: 400, YMin: 20, XMax: 500, YMax: 180}},
	}
}

// keptInPhoto are the detections of detectedInPhoto at or over the threshold.
func keptInPhoto() []application.Detection {
	d := detectedInPhoto()
	return []application.Detection{d[0], d[2], d[3]}
}

// hashtagsOfPhoto are the hashtags searched for photoBytes, in order.
func hashtagsOfPhoto() []application.WeightedHashtag {
	return []application.WeightedHashtag{
		{Name: "portrait", Confidence: 0.91}, {Name: "figure", Confidence: 0.91}, {Name: "potted-plant", Confidence: 0.4},
	}
}

type searchByImageMocks struct {
	detector  *mock.MockDetector
	inspector *mock.MockImageInspector
	arts      *mock.MockHashtagMatcher
	uc        *application.SearchByImage
}

// newSearchByImage wires SearchByImage to strict mocks that expect nothing.
func newSearchByImage(t *testing.T) searchByImageMocks {
	t.Helper()
	ctrl := gomock.NewController(t)
	m := searchByImageMocks{
		detector: mock.NewMockDetector(ctrl), inspector: mock.NewMockImageInspector(ctrl), arts: mock.NewMockHashtagMatcher(ctrl),
	}
	m.uc = application.NewSearchByImage(m.detector, m.inspector, m.arts, testLabelMap(), testMinConfidence)
	return m
}

// newSearchByImageWithoutDetector wires SearchByImage with no detector configured.
func newSearchByImageWithoutDetector(t *testing.T) searchByImageMocks {
	t.Helper()
	ctrl := gomock.NewController(t)
	m := searchByImageMocks{inspector: mock.NewMockImageInspector(ctrl), arts: mock.NewMockHashtagMatcher(ctrl)}
	m.uc = application.NewSearchByImage(nil, m.inspector, m.arts, testLabelMap(), testMinConfidence)
	return m
}

func TestSearchByImageRequiresAnImage(t *testing.T) {
	for name, image := range map[string][]byte{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			m := newSearchByImage(t)

			_, err := m.uc.Execute(context.Background(), image, mustPage(t, 1, 20))

			assert.Equal(t, []string{"image"}, validationFieldNames(t, err))
		})
	}
}

func TestSearchByImageRefusesAnImageOver10MiBBeforeLookingAtIt(t *testing.T) {
	m := newSearchByImage(t)

	_, err := m.uc.Execute(context.Background(), make([]byte, art.MaxImageBytes+1), mustPage(t, 1, 20))

	require.ErrorIs(t, err, art.ErrImageTooLarge)
	assert.NotErrorIs(t, err, art.ErrUnsupportedImage)
	assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
}

func TestSearchByImageAcceptsAnImageOfExactly10MiB(t *testing.T) {
	m := newSearchByImage(t)
	image := make([]byte, art.MaxImageBytes)
	m.inspector.EXPECT().Inspect(image).Return(goodPhoto, nil)
	m.detector.EXPECT().Detect(gomock.Any(), image, testMinConfidence).Return(nil, nil)
	m.arts.EXPECT().MatchHashtags(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, 0, nil).MaxTimes(1)

	_, err := m.uc.Execute(context.Background(), image, mustPage(t, 1, 20))

	require.NoError(t, err)
}

func TestSearchByImageRefusesABadUploadWithoutAskingTheDetector(t *testing.T) {
	for _, u := range badUploads() {
		t.Run(u.name, func(t *testing.T) {
			m := newSearchByImage(t)
			u.expectInspect(m.inspector)

			_, err := m.uc.Execute(context.Background(), u.image, mustPage(t, 1, 20))

			require.ErrorIs(t, err, u.wantErr)
			assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
		})
	}
}

func TestSearchByImageWithoutADetectorChecksTheImageFirst(t *testing.T) {
	t.Run("a missing image", func(t *testing.T) {
		m := newSearchByImageWithoutDetector(t)

		_, err := m.uc.Execute(context.Background(), nil, mustPage(t, 1, 20))

		assert.Equal(t, []string{"image"}, validationFieldNames(t, err))
		assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
	})
	t.Run("an image over 10 MiB", func(t *testing.T) {
		m := newSearchByImageWithoutDetector(t)

		_, err := m.uc.Execute(context.Background(), make([]byte, art.MaxImageBytes+1), mustPage(t, 1, 20))

		require.ErrorIs(t, err, art.ErrImageTooLarge)
		assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
	})
	for _, u := range badUploads() {
		t.Run(u.name, func(t *testing.T) {
			m := newSearchByImageWithoutDetector(t)
			u.expectInspect(m.inspector)

			_, err := m.uc.Execute(context.Background(), u.image, mustPage(t, 1, 20))

			require.ErrorIs(t, err, u.wantErr)
			assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
		})
	}
}

func TestSearchByImageWithoutADetectorIsUnavailable(t *testing.T) {
	m := newSearchByImageWithoutDetector(t)
	m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil)

	result, err := m.uc.Execute(context.Background(), photoBytes, mustPage(t, 1, 20))

	require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	assert.Zero(t, result)
}

func TestSearchByImagePassesDetectorErrorsOnWithoutMatching(t *testing.T) {
	errTimeout := errors.New("detector timed out")
	m := newSearchByImage(t)
	m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil)
	detectErr := errors.Join(errTimeout, application.ErrDetectionUnavailable)
	m.detector.EXPECT().Detect(gomock.Any(), photoBytes, testMinConfidence).Return(nil, detectErr)

	result, err := m.uc.Execute(context.Background(), photoBytes, mustPage(t, 1, 20))

	require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	assert.ErrorIs(t, err, errTimeout)
	assert.Zero(t, result)
}

func TestSearchByImagePassesMatcherErrorsOn(t *testing.T) {
	errDB := errors.New("connection reset")
	m := newSearchByImage(t)
	m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil)
	m.detector.EXPECT().Detect(gomock.Any(), photoBytes, testMinConfidence).Return(detectedInPhoto(), nil)
	m.arts.EXPECT().MatchHashtags(gomock.Any(), gomock.Any(), gomock.Any()).Return(nil, 0, errDB)

	result, err := m.uc.Execute(context.Background(), photoBytes, mustPage(t, 1, 20))

	require.ErrorIs(t, err, errDB)
	assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
	assert.Zero(t, result)
}

func TestSearchByImageMatchesTheDetectedHashtags(t *testing.T) {
	m := newSearchByImage(t)
	page := mustPage(t, 2, 20)
	items := []application.ArtSummary{{Art: storedArt(), Owner: application.MemberRef{ID: 7, Nickname: "alice"}}}
	gomock.InOrder(
		m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil),
		m.detector.EXPECT().Detect(callerCtx(), photoBytes, testMinConfidence).Return(detectedInPhoto(), nil),
		m.arts.EXPECT().MatchHashtags(callerCtx(), hashtagsOfPhoto(), page).Return(items, 57, nil),
	)

	result, err := m.uc.Execute(callerContext(), photoBytes, page)

	require.NoError(t, err)
	assert.Equal(t, keptInPhoto(), result.Detections, "detections under the threshold are dropped")
	assert.Equal(t, []string{"portrait", "figure", "potted-plant"}, result.Hashtags)
	assert.Equal(t, items, result.Arts.Items)
	assert.Equal(t, page, result.Arts.Request)
	assert.Equal(t, 57, result.Arts.TotalItems)
	assert.Equal(t, 3, result.Arts.TotalPages())
}

func TestSearchByImageWhenNothingIsDetected(t *testing.T) {
	for name, detected := range map[string][]application.Detection{
		"no detections":                 nil,
		"only detections under the min": {{Label: "cat", Confidence: 0.2}, {Label: "dog", Confidence: 0.399}},
	} {
		t.Run(name, func(t *testing.T) {
			m := newSearchByImage(t)
			page := mustPage(t, 1, 20)
			m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil)
			m.detector.EXPECT().Detect(gomock.Any(), photoBytes, testMinConfidence).Return(detected, nil)
			// Matching no hashtags may be skipped; if it is asked, it finds nothing.
			m.arts.EXPECT().MatchHashtags(gomock.Any(), gomock.Len(0), page).Return(nil, 0, nil).MaxTimes(1)

			result, err := m.uc.Execute(context.Background(), photoBytes, page)

			require.NoError(t, err)
			assert.Empty(t, result.Detections)
			assert.Empty(t, result.Hashtags)
			assert.Empty(t, result.Arts.Items)
			assert.Zero(t, result.Arts.TotalItems)
			assert.Equal(t, page, result.Arts.Request)
		})
	}
}
