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

type suggestHashtagsMocks struct {
	detector  *mock.MockDetector
	inspector *mock.MockImageInspector
	uc        *application.SuggestHashtags
}

// newSuggestHashtags wires SuggestHashtags to strict mocks that expect nothing.
func newSuggestHashtags(t *testing.T) suggestHashtagsMocks {
	t.Helper()
	ctrl := gomock.NewController(t)
	m := suggestHashtagsMocks{detector: mock.NewMockDetector(ctrl), inspector: mock.NewMockImageInspector(ctrl)}
	m.uc = application.NewSuggestHashtags(m.detector, m.inspector, testLabelMap(), testMinConfidence)
	return m
}

// newSuggestHashtagsWithoutDetector wires SuggestHashtags with no detector configured.
func newSuggestHashtagsWithoutDetector(t *testing.T) suggestHashtagsMocks {
	t.Helper()
	m := suggestHashtagsMocks{inspector: mock.NewMockImageInspector(gomock.NewController(t))}
	m.uc = application.NewSuggestHashtags(nil, m.inspector, testLabelMap(), testMinConfidence)
	return m
}

func TestSuggestHashtagsRequiresAnImage(t *testing.T) {
	for name, image := range map[string][]byte{"nil": nil, "empty": {}} {
		t.Run(name, func(t *testing.T) {
			m := newSuggestHashtags(t)

			tags, err := m.uc.Execute(context.Background(), image)

			assert.Equal(t, []string{"image"}, validationFieldNames(t, err))
			assert.Nil(t, tags)
		})
	}
}

func TestSuggestHashtagsRefusesAnImageOver10MiBBeforeLookingAtIt(t *testing.T) {
	m := newSuggestHashtags(t)

	_, err := m.uc.Execute(context.Background(), make([]byte, art.MaxImageBytes+1))

	require.ErrorIs(t, err, art.ErrImageTooLarge)
	assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
}

func TestSuggestHashtagsAcceptsAnImageOfExactly10MiB(t *testing.T) {
	m := newSuggestHashtags(t)
	image := make([]byte, art.MaxImageBytes)
	m.inspector.EXPECT().Inspect(image).Return(goodPhoto, nil)
	m.detector.EXPECT().Detect(gomock.Any(), image, testMinConfidence).Return(nil, nil)

	_, err := m.uc.Execute(context.Background(), image)

	require.NoError(t, err)
}

func TestSuggestHashtagsRefusesABadUploadWithoutAskingTheDetector(t *testing.T) {
	for _, u := range badUploads() {
		t.Run(u.name, func(t *testing.T) {
			m := newSuggestHashtags(t)
			u.expectInspect(m.inspector)

			tags, err := m.uc.Execute(context.Background(), u.image)

			require.ErrorIs(t, err, u.wantErr)
			assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
			assert.Nil(t, tags)
		})
	}
}

func TestSuggestHashtagsWithoutADetectorChecksTheImageFirst(t *testing.T) {
	t.Run("a missing image", func(t *testing.T) {
		m := newSuggestHashtagsWithoutDetector(t)

		_, err := m.uc.Execute(context.Background(), nil)

		assert.Equal(t, []string{"image"}, validationFieldNames(t, err))
	})
	t.Run("an image over 10 MiB", func(t *testing.T) {
		m := newSuggestHashtagsWithoutDetector(t)

		_, err := m.uc.Execute(context.Background(), make([]byte, art.MaxImageBytes+1))

		require.ErrorIs(t, err, art.ErrImageTooLarge)
		assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
	})
	for _, u := range badUploads() {
		t.Run(u.name, func(t *testing.T) {
			m := newSuggestHashtagsWithoutDetector(t)
			u.expectInspect(m.inspector)

			_, err := m.uc.Execute(context.Background(), u.image)

			require.ErrorIs(t, err, u.wantErr)
			assert.NotErrorIs(t, err, application.ErrDetectionUnavailable)
		})
	}
}

func TestSuggestHashtagsWithoutADetectorIsUnavailable(t *testing.T) {
	m := newSuggestHashtagsWithoutDetector(t)
	m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil)

	tags, err := m.uc.Execute(context.Background(), photoBytes)

	require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	assert.Nil(t, tags)
}

func TestSuggestHashtagsPassesDetectorErrorsOn(t *testing.T) {
	errTimeout := errors.New("detector timed out")
	m := newSuggestHashtags(t)
	m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil)
	m.detector.EXPECT().Detect(gomock.Any(), photoBytes, testMinConfidence).
		Return(nil, errors.Join(errTimeout, application.ErrDetectionUnavailable))

	tags, err := m.uc.Execute(context.Background(), photoBytes)

	require.ErrorIs(t, err, application.ErrDetectionUnavailable)
	assert.ErrorIs(t, err, errTimeout)
	assert.Nil(t, tags)
}

func TestSuggestHashtagsNamesWhatTheDetectorSeesInOrder(t *testing.T) {
	m := newSuggestHashtags(t)
	gomock.InOrder(
		m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil),
		m.detector.EXPECT().Detect(callerCtx(), photoBytes, testMinConfidence).Return(detectedInPhoto(), nil),
	)

	tags, err := m.uc.Execute(callerContext(), photoBytes)

	require.NoError(t, err)
	assert.Equal(t, []string{"portrait", "figure", "potted-plant"}, tags,
		"mapped, merged, and without the cat under the threshold")
}

func TestSuggestHashtagsDropsDetectionsUnderTheThreshold(t *testing.T) {
	m := newSuggestHashtags(t)
	m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil)
	m.detector.EXPECT().Detect(gomock.Any(), photoBytes, testMinConfidence).Return([]application.Detection{
		{Label: "cat", Confidence: 0.39999}, {Label: "dog", Confidence: 0.4}, {Label: "bird", Confidence: 0.1}, {Label: "car", Confidence: 1},
	}, nil)

	tags, err := m.uc.Execute(context.Background(), photoBytes)

	require.NoError(t, err)
	assert.Equal(t, []string{"dog", "car"}, tags)
}

func TestSuggestHashtagsWhenNothingIsDetected(t *testing.T) {
	for name, detected := range map[string][]application.Detection{
		"no detections":                    nil,
		"an empty list":                    {},
		"only detections under the min":    {{Label: "cat", Confidence: 0.2}},
		"only labels that are no hashtags": {{Label: "c#t", Confidence: 0.9}, {Label: "a,b", Confidence: 0.9}},
	} {
		t.Run(name, func(t *testing.T) {
			m := newSuggestHashtags(t)
			m.inspector.EXPECT().Inspect(photoBytes).Return(goodPhoto, nil)
			m.detector.EXPECT().Detect(gomock.Any(), photoBytes, testMinConfidence).Return(detected, nil)

			tags, err := m.uc.Execute(context.Background(), photoBytes)

			require.NoError(t, err)
			assert.NotNil(t, tags, "an empty list, not null")
			assert.Empty(t, tags)
		})
	}
}
