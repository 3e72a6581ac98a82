package application

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHashtagsFor(t *testing.T) {
	labels := LabelMap{
		"person":       {"portrait", "figure"},
		"potted plant": {"plant", "still-life"},
		"man":          {"figure"},
		"tie":          {"Fashion", "#Suit"},
		"bench":        {"still life", strings.Repeat("b", 31), "a,b", "park"},
	}
	long30 := strings.Repeat("x", 30)
	long31 := strings.Repeat("y", 31)
	tests := []struct {
		name       string
		detections []Detection
		want       []WeightedHashtag
	}{
		{name: "nothing detected", detections: nil, want: nil},
		{
			name:       "an unmapped label is kept as its own hashtag",
			detections: []Detection{{Label: "cat", Confidence: 0.9}},
			want:       []WeightedHashtag{{Name: "cat", Confidence: 0.9}},
		},
		{
			name:       "an unmapped label is lower-cased and trimmed",
			detections: []Detection{{Label: "  Cat ", Confidence: 0.9}},
			want:       []WeightedHashtag{{Name: "cat", Confidence: 0.9}},
		},
		{
			name: "spaces of an unmapped label become '-'",
			detections: []Detection{
				{Label: "dining table", Confidence: 0.8}, {Label: "Traffic  Light", Confidence: 0.7},
			},
			want: []WeightedHashtag{{Name: "dining-table", Confidence: 0.8}, {Name: "traffic-light", Confidence: 0.7}},
		},
		{
			name:       "a mapped label expands to its hashtags in order",
			detections: []Detection{{Label: "person", Confidence: 0.91}},
			want:       []WeightedHashtag{{Name: "portrait", Confidence: 0.91}, {Name: "figure", Confidence: 0.91}},
		},
		{
			name:       "a label is looked up lower-cased",
			detections: []Detection{{Label: " Person ", Confidence: 0.5}},
			want:       []WeightedHashtag{{Name: "portrait", Confidence: 0.5}, {Name: "figure", Confidence: 0.5}},
		},
		{
			name:       "a label with a space is looked up as the detector names it",
			detections: []Detection{{Label: "potted plant", Confidence: 0.6}},
			want:       []WeightedHashtag{{Name: "plant", Confidence: 0.6}, {Name: "still-life", Confidence: 0.6}},
		},
		{
			name:       "mapped hashtags are normalized",
			detections: []Detection{{Label: "tie", Confidence: 0.7}},
			want:       []WeightedHashtag{{Name: "fashion", Confidence: 0.7}, {Name: "suit", Confidence: 0.7}},
		},
		{
			name:       "mapped hashtags get spaces as '-'; those that cannot be hashtags are dropped",
			detections: []Detection{{Label: "bench", Confidence: 0.7}},
			want:       []WeightedHashtag{{Name: "still-life", Confidence: 0.7}, {Name: "park", Confidence: 0.7}},
		},
		{
			name: "mapped and unmapped labels keep the order of first appearance",
			detections: []Detection{
				{Label: "cat", Confidence: 0.5}, {Label: "person", Confidence: 0.9}, {Label: "dog", Confidence: 0.8},
			},
			want: []WeightedHashtag{
				{Name: "cat", Confidence: 0.5}, {Name: "portrait", Confidence: 0.9}, {Name: "figure", Confidence: 0.9},
				{Name: "dog", Confidence: 0.8},
			},
		},
		{
			name: "a repeated label is merged with its best confidence, in place",
			detections: []Detection{
				{Label: "cat", Confidence: 0.5}, {Label: "dog", Confidence: 0.6}, {Label: "cat", Confidence: 0.95},
			},
			want: []WeightedHashtag{{Name: "cat", Confidence: 0.95}, {Name: "dog", Confidence: 0.6}},
		},
		{
			name: "a weaker repeat does not lower the confidence",
			detections: []Detection{
				{Label: "cat", Confidence: 0.95}, {Label: "Cat", Confidence: 0.5},
			},
			want: []WeightedHashtag{{Name: "cat", Confidence: 0.95}},
		},
		{
			name: "a hashtag reached from two labels is merged with the best confidence",
			detections: []Detection{
				{Label: "person", Confidence: 0.6}, {Label: "man", Confidence: 0.8}, {Label: "figure", Confidence: 0.7},
			},
			want: []WeightedHashtag{{Name: "portrait", Confidence: 0.6}, {Name: "figure", Confidence: 0.8}},
		},
		{
			name: "labels that cannot be hashtags are dropped",
			detections: []Detection{
				{Label: long31, Confidence: 0.9}, {Label: "c#at", Confidence: 0.9}, {Label: "cat,dog", Confidence: 0.9},
				{Label: "", Confidence: 0.9}, {Label: "   ", Confidence: 0.9}, {Label: "bird", Confidence: 0.4},
			},
			want: []WeightedHashtag{{Name: "bird", Confidence: 0.4}},
		},
		{
			name:       "a label of exactly 30 characters is kept",
			detections: []Detection{{Label: long30, Confidence: 0.9}},
			want:       []WeightedHashtag{{Name: long30, Confidence: 0.9}},
		},
		{
			name:       "a label that grows past 30 characters is dropped",
			detections: []Detection{{Label: strings.Repeat("a", 15) + " " + strings.Repeat("b", 15), Confidence: 0.9}},
			want:       nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := hashtagsFor(tt.detections, labels)

			assert.Equal(t, tt.want, got)
		})
	}
}

func TestHashtagsForWithoutALabelMap(t *testing.T) {
	got := hashtagsFor([]Detection{{Label: "person", Confidence: 0.9}, {Label: "potted plant", Confidence: 0.5}}, nil)

	assert.Equal(t, []WeightedHashtag{{Name: "person", Confidence: 0.9}, {Name: "potted-plant", Confidence: 0.5}}, got)
}

func TestHashtagNames(t *testing.T) {
	assert.Equal(t, []string{"portrait", "figure"},
		hashtagNames([]WeightedHashtag{{Name: "portrait", Confidence: 0.9}, {Name: "figure", Confidence: 0.9}}))
	names := hashtagNames(nil)
	assert.NotNil(t, names, "an empty list, not null")
	assert.Empty(t, names)
}
