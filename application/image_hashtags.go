package application

import (
	"strings"

	"github.com/artauction/artauction/domain/art"
)

// LabelMap maps a detector's labels (COCO class names) to hashtags, e.g.
// person -> portrait, figure. Labels without an entry become their own hashtag.
type LabelMap map[string][]string

// hashtagsFor turns detections into the hashtags to search, each with the best
// confidence that produced it, in order of first appearance; a label or mapped
// hashtag becomes lower-case with spaces as '-' ("potted plant" -> "potted-plant").
func hashtagsFor(detections []Detection, labels LabelMap) []WeightedHashtag {
	var out []WeightedHashtag
	index := map[string]int{}
	add := func(name string, confidence float64) {
		name = art.NormalizeHashtag(strings.Join(strings.Fields(name), "-"))
		if _, err := art.NewHashtags([]string{name}); err != nil {
			return
		}
		if i, ok := index[name]; ok {
			out[i].Confidence = max(out[i].Confidence, confidence)
			return
		}
		index[name] = len(out)
		out = append(out, WeightedHashtag{Name: name, Confidence: confidence})
	}
	for _, d := range detections {
		label := strings.ToLower(strings.Join(strings.Fields(d.Label), " "))
		if mapped, ok := labels[label]; ok {
			for _, tag := range mapped {
				add(tag, d.Confidence)
			}
			continue
		}
		add(label, d.Confidence)
	}
	return out
}

// hashtagNames lists the names of weighted hashtags.
func hashtagNames(tags []WeightedHashtag) []string {
	names := make([]string, 0, len(tags))
	for _, t := range tags {
		names = append(names, t.Name)
	}
	return names
}
