// Package detectortest gives tests the project's own object detector
// (detector/), started by scripts/ensure-detector.sh unless one already
// answers, and the sample photos it is tested with.
package detectortest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// DefaultAddr is where the detector listens when DETECTOR_ADDR is not set.
const DefaultAddr = "127.0.0.1:32168"

// startTimeout bounds the script: a first run installs the npm packages.
const startTimeout = 5 * time.Minute

// Sample photos in detector/testdata (see its README for their origin and
// licence) and what the detector sees in them.
const (
	CatPhoto    = "chelsea.jpg"   // a cat
	PersonPhoto = "astronaut.jpg" // a person
	CupPhoto    = "coffee.jpg"    // a cup
)

var ensure = sync.OnceValues(func() (string, error) {
	root, err := repoRoot()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "scripts", "ensure-detector.sh"))
	cmd.Env = append(os.Environ(), "DETECTOR_ADDR="+Addr())
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("scripts/ensure-detector.sh: %w\n%s", err, out)
	}
	return "http://" + Addr(), nil
})

// Addr is DETECTOR_ADDR, else DefaultAddr.
func Addr() string {
	if addr := os.Getenv("DETECTOR_ADDR"); addr != "" {
		return addr
	}
	return DefaultAddr
}

// URL makes sure the detector answers at Addr and returns its base URL, e.g.
// http://127.0.0.1:32168. A detector that cannot be started fails the test:
// a missing service must not pass silently.
func URL(t testing.TB) string {
	t.Helper()
	url, err := ensure()
	if err != nil {
		t.Fatalf("detectortest: the bundled detector does not answer: %v", err)
	}
	return url
}

// Photo reads a sample photo, e.g. CatPhoto.
func Photo(t testing.TB, name string) []byte {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatalf("detectortest: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(root, "detector", "testdata", name))
	if err != nil {
		t.Fatalf("detectortest: %v", err)
	}
	return data
}

// repoRoot is the nearest directory above the working directory (a test's
// package directory) that holds go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("working directory: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}
