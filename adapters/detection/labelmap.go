package detection

import (
	"bufio"
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// defaultLabels maps the COCO labels of the bundled detector (detector/) to
// the hashtags an art site uses; every line keeps the label itself first, so a
// photo of a cup still finds the works tagged cup.
//
//go:embed default_labels.txt
var defaultLabels []byte

// DefaultLabelMap is the map used when DETECTION_LABEL_MAP names no file.
func DefaultLabelMap() (map[string][]string, error) {
	return parseLabelMap(bytes.NewReader(defaultLabels), "default_labels.txt")
}

// LoadLabelMap reads a file of `label=hashtag1,hashtag2` lines, e.g.
// `person=portrait,figure`. Blank lines and lines starting with '#' are
// ignored; labels are trimmed and lower-cased, hashtags trimmed, and empty
// hashtags between commas dropped. Errors name the line.
func LoadLabelMap(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("label map: %w", err)
	}
	defer f.Close()
	return parseLabelMap(f, path)
}

func parseLabelMap(r io.Reader, path string) (map[string][]string, error) {
	labels := map[string][]string{}
	firstSeen := map[string]int{}
	scanner := bufio.NewScanner(r)
	n := 0
	for scanner.Scan() {
		n++
		line := strings.TrimSpace(scanner.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF") // editors on Windows add a BOM
		}
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		label, list, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("label map %s line %d: want label=hashtag1,hashtag2", path, n)
		}
		label = strings.ToLower(strings.TrimSpace(label))
		if label == "" {
			return nil, fmt.Errorf("label map %s line %d: empty label", path, n)
		}
		if first, dup := firstSeen[label]; dup {
			return nil, fmt.Errorf("label map %s line %d: label %q already mapped on line %d", path, n, label, first)
		}
		var tags []string
		for _, t := range strings.Split(list, ",") {
			if t = strings.TrimSpace(t); t != "" {
				tags = append(tags, t)
			}
		}
		if len(tags) == 0 {
			return nil, fmt.Errorf("label map %s line %d: label %q has no hashtags", path, n, label)
		}
		firstSeen[label] = n
		labels[label] = tags
	}
	if err := scanner.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("label map %s: line %d too long: %w", path, n+1, err)
		}
		return nil, fmt.Errorf("label map %s: %w", path, err)
	}
	return labels, nil
}
