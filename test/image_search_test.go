package test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeDetector speaks the DeepStack protocol and sees a cat and a person in
// every picture.
func fakeDetector(t *testing.T) (url string, calls *atomic.Int32) {
	t.Helper()
	calls = new(atomic.Int32)
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if r.URL.Path != "/v1/vision/detection" || r.ParseMultipartForm(16<<20) != nil || r.MultipartForm.File["image"] == nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"success": true, "predictions": []map[string]any{
			{"label": "cat", "confidence": 0.92, "x_min": 1, "y_min": 2, "x_max": 30, "y_max": 40},
			{"label": "person", "confidence": 0.71, "x_min": 5, "y_min": 5, "x_max": 20, "y_max": 30},
			{"label": "dog", "confidence": 0.2, "x_min": 0, "y_min": 0, "x_max": 3, "y_max": 3},
		}})
	}))
	t.Cleanup(server.Close)
	return server.URL, calls
}

func (c *client) uploadImage(path string, image []byte) response {
	body, contentType := artForm(c.app.t, nil, "photo.png", image)
	return c.do(http.MethodPost, path, body, "Content-Type", contentType)
}

func TestSearchByImage(t *testing.T) {
	t.Parallel()
	detectorURL, calls := fakeDetector(t)
	labelMap := filepath.Join(t.TempDir(), "labels.txt")
	require.NoError(t, os.WriteFile(labelMap, []byte("# COCO label = hashtags\nperson=portrait,figure\n"), 0o600))
	a := startApp(t, withEnv(map[string]string{"DETECTION_URL": detectorURL, "DETECTION_LABEL_MAP": labelMap}))
	artist, _ := a.member("photo@example.com", "photo", 0)
	catArt := artist.createArt(generalFields("Cat", 5000, "cat"))
	dogArt := artist.createArt(generalFields("Dog", 5000, "dog"))
	portrait := artist.createArt(generalFields("Portrait", 5000, "portrait"))
	catPortrait := artist.createArt(generalFields("Girl with a cat", 5000, "portrait", "cat"))

	res := a.newClient().uploadImage("/api/v1/arts/search-by-image", pngImage(t, 64, 64))
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var found struct {
		Detections []struct {
			Label string `json:"label"`
		} `json:"detections"`
		Hashtags   []string  `json:"hashtags"`
		Items      []artBody `json:"items"`
		TotalItems int       `json:"total_items"`
	}
	res.decode(t, &found)
	assert.Len(t, found.Detections, 2, "the dog under the minimum confidence is dropped")
	assert.Equal(t, []string{"cat", "portrait", "figure"}, found.Hashtags)
	var ids []int64
	for _, item := range found.Items {
		ids = append(ids, item.ID)
	}
	assert.Equal(t, []int64{catPortrait.ID, catArt.ID, portrait.ID}, ids, "most hashtags, then confidence, then newest")
	assert.NotContains(t, ids, dogArt.ID)
	assert.Equal(t, 3, found.TotalItems)

	artist.token = ""
	res = artist.uploadImage("/api/v1/arts/hashtag-suggestions", pngImage(t, 64, 64))
	require.Equal(t, http.StatusUnauthorized, res.status)
	artist.login("photo@example.com", goodPassword)
	res = artist.uploadImage("/api/v1/arts/hashtag-suggestions", pngImage(t, 64, 64))
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	assert.JSONEq(t, `{"hashtags":["cat","portrait","figure"]}`, string(res.body))

	before := calls.Load()
	res = a.newClient().uploadImage("/api/v1/arts/search-by-image", []byte("not a picture at all"))
	require.Equal(t, http.StatusUnsupportedMediaType, res.status)
	assert.Equal(t, before, calls.Load(), "a non-image never reaches the detector")
}

func TestSearchByImageWithoutDetector(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	res := a.newClient().uploadImage("/api/v1/arts/search-by-image", pngImage(t, 16, 16))
	require.Equal(t, http.StatusServiceUnavailable, res.status)
	assert.Equal(t, "DETECTION_UNAVAILABLE", res.problemCode(t))
	res = a.newClient().uploadImage("/api/v1/arts/search-by-image", []byte("text"))
	assert.Equal(t, http.StatusUnsupportedMediaType, res.status)
	res = a.newClient().do(http.MethodGet, "/api/v1/arts", nil)
	assert.Equal(t, http.StatusOK, res.status, "everything else works without a detector")
}
