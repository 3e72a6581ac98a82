package test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PostgreSQL text holds neither a NUL nor bytes that are not UTF-8, and refuses
// a query that carries one. The fuzz targets found that each of these reached
// the database and answered 500; each is a 400 now.
func TestTextTheDatabaseCannotHoldIsABadRequest(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	artist, _ := a.member("text@example.com", "text", 0)
	created := artist.createArt(generalFields("Sunset", 5000, "sunset"))

	for name, res := range map[string]response{
		"JSON profile school with a NUL": artist.do(http.MethodPatch, "/api/v1/me", []byte(`{"school":"a\u0000b"}`),
			"Content-Type", "application/json"),
		"JSON art name with a NUL": artist.do(http.MethodPatch, "/api/v1/arts/"+itoa(created.ID),
			[]byte(`{"name":"a\u0000b"}`), "Content-Type", "application/json"),
	} {
		assert.Equal(t, http.StatusBadRequest, res.status, "%s: %s", name, res.body)
		assert.Equal(t, "MALFORMED_REQUEST", res.problemCode(t), name)
	}

	for name, query := range map[string]string{
		"search text with a NUL":       "q=a%00b",
		"search text that is no UTF-8": "q=a%FFb",
		"hashtag with a NUL":           "hashtag=a%00b",
	} {
		res := a.newClient().do(http.MethodGet, "/api/v1/arts?"+query, nil)
		assert.Equal(t, http.StatusBadRequest, res.status, "%s: %s", name, res.body)
		assert.Equal(t, "VALIDATION_FAILED", res.problemCode(t), name)
	}
	res := a.newClient().do(http.MethodGet, "/api/v1/hashtags?prefix=a%00", nil)
	require.Equal(t, http.StatusOK, res.status, "no tag holds a NUL, so none matches: %s", res.body)
	assert.JSONEq(t, `{"items":[]}`, string(res.body))

	fields := generalFields("Sunset\x00", 5000, "sunset")
	fields["description"] = []string{"\xff\xfe"}
	assertFieldErrors(t, artist.uploadArt(fields, "work.png", pngImage(t, 64, 48)), "name", "description")
}
