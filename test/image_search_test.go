package test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/detection/detectortest"
)

// withBundledDetector points the service at the project's own detector. The
// timeout is generous: the suite shares two cores, and these tests are about
// what a photo finds, not how fast.
func withBundledDetector(t *testing.T) appOption {
	t.Helper()
	return withEnv(map[string]string{"DETECTION_URL": detectortest.URL(t), "DETECTION_TIMEOUT": "30s"})
}

func (c *client) uploadImage(path string, image []byte) response {
	body, contentType := artForm(c.app.t, nil, "photo.jpg", image)
	return c.do(http.MethodPost, path, body, "Content-Type", contentType)
}

type imageSearchBody struct {
	Detections []struct {
		Label      string  `json:"label"`
		Confidence float64 `json:"confidence"`
	} `json:"detections"`
	Hashtags   []string  `json:"hashtags"`
	Items      []artBody `json:"items"`
	TotalItems int       `json:"total_items"`
}

func (b imageSearchBody) ids() []int64 {
	ids := make([]int64, 0, len(b.Items))
	for _, item := range b.Items {
		ids = append(ids, item.ID)
	}
	return ids
}

func TestSearchByPhoto(t *testing.T) {
	t.Parallel()
	a := startApp(t, withBundledDetector(t))
	artist, _ := a.member("photo@example.com", "photo", 0)
	catArt := artist.createArt(generalFields("Cat on a windowsill", 5000, "cat"))
	pilot := artist.createArt(generalFields("Portrait of a pilot", 5000, "portrait"))
	coffee := artist.createArt(generalFields("Morning coffee", 5000, "cup"))
	dog := artist.createArt(generalFields("Dog in the snow", 5000, "dog"))
	girlWithCat := artist.createArt(generalFields("Girl with a cat", 5000, "portrait", "cat"))

	search := func(t *testing.T, photo string) imageSearchBody {
		t.Helper()
		res := a.newClient().uploadImage("/api/v1/arts/search-by-image", detectortest.Photo(t, photo))
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		var found imageSearchBody
		res.decode(t, &found)
		return found
	}

	t.Run("a photo of a cat finds the cat works first", func(t *testing.T) {
		found := search(t, detectortest.CatPhoto)
		require.NotEmpty(t, found.Detections)
		assert.Equal(t, "cat", found.Detections[0].Label)
		assert.Contains(t, found.Hashtags, "cat")
		assert.NotContains(t, found.Hashtags, "dog")
		require.Len(t, found.Items, 2, "%+v", found)
		assert.ElementsMatch(t, []int64{catArt.ID, girlWithCat.ID}, found.ids())
		assert.Equal(t, 2, found.TotalItems)
		assert.NotContains(t, found.ids(), dog.ID, "the cat is not taken for a dog")
	})

	t.Run("a photo of a person finds the portraits, through the default label map", func(t *testing.T) {
		found := search(t, detectortest.PersonPhoto)
		require.NotEmpty(t, found.Detections)
		assert.Equal(t, "person", found.Detections[0].Label)
		assert.Subset(t, found.Hashtags, []string{"person", "portrait", "figure"})
		assert.ElementsMatch(t, []int64{pilot.ID, girlWithCat.ID}, found.ids())
	})

	t.Run("a photo of a coffee cup finds the cup first", func(t *testing.T) {
		found := search(t, detectortest.CupPhoto)
		assert.Contains(t, found.Hashtags, "cup")
		require.NotEmpty(t, found.Items, "%+v", found)
		assert.Equal(t, coffee.ID, found.Items[0].ID)
	})

	t.Run("hashtag suggestions for the coffee photo include cup", func(t *testing.T) {
		anonymous := a.newClient().uploadImage("/api/v1/arts/hashtag-suggestions", detectortest.Photo(t, detectortest.CupPhoto))
		require.Equal(t, http.StatusUnauthorized, anonymous.status)
		res := artist.uploadImage("/api/v1/arts/hashtag-suggestions", detectortest.Photo(t, detectortest.CupPhoto))
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		var suggested struct {
			Hashtags []string `json:"hashtags"`
		}
		res.decode(t, &suggested)
		assert.Contains(t, suggested.Hashtags, "cup")
		assert.NotContains(t, suggested.Hashtags, "cat")
	})

	t.Run("a file that is not a picture is refused before the detector", func(t *testing.T) {
		res := a.newClient().uploadImage("/api/v1/arts/search-by-image", []byte("not a picture at all"))
		require.Equal(t, http.StatusUnsupportedMediaType, res.status)
	})
}

// TestSearchByPhotoWhenTheDetectorFails uses a stand-in detector: only it can
// be made to answer garbage, fail, hang or drop the connection on purpose.
func TestSearchByPhotoWhenTheDetectorFails(t *testing.T) {
	t.Parallel()
	var mode atomic.Value
	standIn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		switch mode.Load() {
		case "garbled":
			_, _ = io.WriteString(w, "<html>not the protocol</html>")
		case "failing":
			http.Error(w, "out of memory", http.StatusInternalServerError)
		case "slow":
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
		case "dropping":
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				_ = conn.(*net.TCPConn).SetLinger(0)
				_ = conn.Close()
			}
		}
	}))
	t.Cleanup(standIn.Close)
	a := startApp(t, withEnv(map[string]string{"DETECTION_URL": standIn.URL, "DETECTION_TIMEOUT": "1s"}))
	photo := detectortest.Photo(t, detectortest.CatPhoto)

	for _, m := range []string{"garbled", "failing", "slow", "dropping"} {
		mode.Store(m)
		started := time.Now()
		res := a.newClient().uploadImage("/api/v1/arts/search-by-image", photo)
		assert.Equal(t, http.StatusServiceUnavailable, res.status, "%s: %s", m, res.body)
		assert.Equal(t, "DETECTION_UNAVAILABLE", res.problemCode(t), m)
		assert.Less(t, time.Since(started), 10*time.Second, "%s: answered within a few DETECTION_TIMEOUTs, not hung", m)
	}
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
