package test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type artBody struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	Price        int64    `json:"price"`
	CurrentPrice int64    `json:"current_price"`
	Status       string   `json:"status"`
	ImageURL     string   `json:"image_url"`
	Hashtags     []string `json:"hashtags"`
	LikeCount    int64    `json:"like_count"`
	Liked        *bool    `json:"liked"`
	Owner        struct {
		ID int64 `json:"id"`
	} `json:"owner"`
	Auction *struct {
		ID         int64  `json:"id"`
		Status     string `json:"status"`
		MinNextBid int64  `json:"min_next_bid"`
		HighestBid *struct {
			Amount int64 `json:"amount"`
		} `json:"highest_bid"`
	} `json:"auction"`
}

type artPage struct {
	Items      []artBody `json:"items"`
	TotalItems int       `json:"total_items"`
}

func pngImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, 0, color.RGBA{R: uint8(x), G: 100, B: 200, A: 255})
	}
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, img))
	return buf.Bytes()
}

func jpegImage(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		img.Set(0, y, color.RGBA{R: 200, G: uint8(y), B: 10, A: 255})
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, &jpeg.Options{Quality: 80}))
	return buf.Bytes()
}

// artForm builds a multipart upload; fields repeat for every value given.
func artForm(t *testing.T, fields map[string][]string, filename string, image []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for name, values := range fields {
		for _, v := range values {
			require.NoError(t, w.WriteField(name, v))
		}
	}
	if image != nil {
		part, err := w.CreateFormFile("image", filename)
		require.NoError(t, err)
		_, err = part.Write(image)
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return buf.Bytes(), w.FormDataContentType()
}

func generalFields(name string, price int, tags ...string) map[string][]string {
	return map[string][]string{
		"name": {name}, "description": {"A study of " + name + " in oil."}, "type": {"general"},
		"price": {fmt.Sprint(price)}, "hashtags": tags,
	}
}

func (c *client) uploadArt(fields map[string][]string, filename string, image []byte) response {
	body, contentType := artForm(c.app.t, fields, filename, image)
	return c.do(http.MethodPost, "/api/v1/arts", body, "Content-Type", contentType)
}

func (c *client) createArt(fields map[string][]string) artBody {
	t := c.app.t
	t.Helper()
	res := c.uploadArt(fields, "work.png", pngImage(t, 64, 48))
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var a artBody
	res.decode(t, &a)
	return a
}

func TestArtUploadImageAndValidation(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	artist := a.newClient()
	artist.signUp("artist@example.com", "artist")
	artist.login("artist@example.com", goodPassword)

	pngBytes := pngImage(t, 320, 200)
	fields := generalFields("Sunset over Han river", 25000, "#Sunset", "river ", "sunset")
	res := artist.uploadArt(fields, "photo.png", pngBytes)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var created artBody
	res.decode(t, &created)
	assert.Equal(t, "/api/v1/arts/"+itoa(created.ID), res.header.Get("Location"))
	assert.Equal(t, []string{"sunset", "river"}, created.Hashtags, "normalized, duplicates dropped, order kept")
	assert.Equal(t, "on_sale", created.Status)
	assert.Equal(t, int64(25000), created.CurrentPrice)
	assert.Nil(t, created.Auction)

	anonymous := a.newClient()
	res = anonymous.do(http.MethodGet, created.ImageURL, nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, pngBytes, res.body, "the image comes back byte for byte")
	assert.Equal(t, "image/png", res.header.Get("Content-Type"))
	assert.Contains(t, res.header.Get("Cache-Control"), "max-age")
	etag := res.header.Get("ETag")
	require.NotEmpty(t, etag)
	res = anonymous.do(http.MethodGet, created.ImageURL, nil, "If-None-Match", etag)
	assert.Equal(t, http.StatusNotModified, res.status)
	assert.Empty(t, res.body)

	jpegBytes := jpegImage(t, 150, 300)
	endAt := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
	res = artist.uploadArt(map[string][]string{
		"name": {"Portrait"}, "description": {"Charcoal."}, "type": {"auction"}, "price": {"10000"},
		"hashtags": {"portrait"}, "end_at": {endAt}, "buy_now_price": {"90000"}, "bid_increment": {"500"},
	}, "portrait.jpg", jpegBytes)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var auctionArt artBody
	res.decode(t, &auctionArt)
	require.NotNil(t, auctionArt.Auction)
	assert.Equal(t, "open", auctionArt.Auction.Status)
	assert.Equal(t, int64(10000), auctionArt.Auction.MinNextBid)
	assert.Nil(t, auctionArt.Auction.HighestBid)
	res = anonymous.do(http.MethodGet, auctionArt.ImageURL, nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.Equal(t, jpegBytes, res.body)
	assert.Equal(t, "image/jpeg", res.header.Get("Content-Type"))

	res = artist.uploadArt(fields, "notes.png", []byte("this is a text file, not a picture"))
	require.Equal(t, http.StatusUnsupportedMediaType, res.status, "%s", res.body)
	assert.Equal(t, "UNSUPPORTED_MEDIA_TYPE", res.problemCode(t))

	oversize := append(pngImage(t, 10, 10), bytes.Repeat([]byte{0}, 10<<20)...)
	res = artist.uploadArt(fields, "huge.png", oversize)
	require.Equal(t, http.StatusRequestEntityTooLarge, res.status)
	assert.Equal(t, "PAYLOAD_TOO_LARGE", res.problemCode(t))

	res = artist.uploadArt(fields, "strip.png", pngImage(t, 1, 50000))
	require.Equal(t, http.StatusRequestEntityTooLarge, res.status, "%s", res.body)
	assert.Equal(t, "PAYLOAD_TOO_LARGE", res.problemCode(t))

	res = artist.uploadArt(map[string][]string{"type": {"general"}, "price": {"999"}, "end_at": {endAt}}, "", nil)
	assertFieldErrors(t, res, "name", "description", "price", "hashtags", "end_at", "image")
	res = artist.uploadArt(map[string][]string{"price": {"lots"}}, "work.png", pngBytes)
	assertFieldErrors(t, res, "price")

	res = artist.do(http.MethodPost, "/api/v1/arts", map[string]string{"name": "json"})
	require.Equal(t, http.StatusUnsupportedMediaType, res.status)
	res = anonymous.uploadArt(fields, "photo.png", pngBytes)
	require.Equal(t, http.StatusUnauthorized, res.status)

	res = anonymous.do(http.MethodGet, "/api/v1/arts/999999", nil)
	require.Equal(t, http.StatusNotFound, res.status)
	assert.Equal(t, "ART_NOT_FOUND", res.problemCode(t))
	res = anonymous.do(http.MethodGet, "/api/v1/arts/999999/image", nil)
	assert.Equal(t, "ART_NOT_FOUND", res.problemCode(t))
}

func TestArtEditDeleteAndLikes(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	artist := a.newClient()
	artist.signUp("owner@example.com", "owner")
	artist.login("owner@example.com", goodPassword)
	stranger := a.newClient()
	stranger.signUp("stranger@example.com", "stranger")
	stranger.login("stranger@example.com", goodPassword)

	work := artist.createArt(generalFields("Blue vase", 3000, "vase", "blue"))
	path := "/api/v1/arts/" + itoa(work.ID)

	res := stranger.do(http.MethodPatch, path, map[string]any{"name": "Mine now"})
	require.Equal(t, http.StatusForbidden, res.status)
	assert.Equal(t, "NOT_ART_OWNER", res.problemCode(t))
	res = stranger.do(http.MethodDelete, path, nil)
	require.Equal(t, http.StatusForbidden, res.status)
	assert.Equal(t, "NOT_ART_OWNER", res.problemCode(t))

	res = artist.do(http.MethodPatch, path, map[string]any{"name": "Blue vase, 2nd state", "hashtags": []string{"Ceramics", "#blue"}})
	require.Equal(t, http.StatusOK, res.status, "%s", res.body)
	var edited artBody
	res.decode(t, &edited)
	assert.Equal(t, "Blue vase, 2nd state", edited.Name)
	assert.Equal(t, []string{"ceramics", "blue"}, edited.Hashtags, "the whole list is replaced")
	res = artist.do(http.MethodPatch, path, map[string]any{"hashtags": []string{}})
	assertFieldErrors(t, res, "hashtags")

	// Fifty concurrent likes by one member make one like.
	var wg sync.WaitGroup
	statuses := make(chan int, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPut, a.base+path+"/like", nil)
			req.Header.Set("Authorization", "Bearer "+stranger.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(statuses)
	for s := range statuses {
		assert.Equal(t, http.StatusNoContent, s)
	}
	require.Equal(t, http.StatusNoContent, stranger.do(http.MethodPut, path+"/like", nil).status)
	res = stranger.do(http.MethodGet, path, nil)
	var liked artBody
	res.decode(t, &liked)
	assert.Equal(t, int64(1), liked.LikeCount)
	require.NotNil(t, liked.Liked)
	assert.True(t, *liked.Liked)
	res = a.newClient().do(http.MethodGet, path, nil)
	var anonymousView artBody
	res.decode(t, &anonymousView)
	assert.Nil(t, anonymousView.Liked, "liked is only for an authenticated viewer")

	res = stranger.do(http.MethodGet, "/api/v1/me/likes", nil)
	require.Equal(t, http.StatusOK, res.status)
	var likes artPage
	res.decode(t, &likes)
	require.Len(t, likes.Items, 1)
	assert.Equal(t, work.ID, likes.Items[0].ID)

	require.Equal(t, http.StatusNoContent, stranger.do(http.MethodDelete, path+"/like", nil).status)
	require.Equal(t, http.StatusNoContent, stranger.do(http.MethodDelete, path+"/like", nil).status)
	res = stranger.do(http.MethodGet, path, nil)
	res.decode(t, &liked)
	assert.Zero(t, liked.LikeCount)
	res = stranger.do(http.MethodPut, "/api/v1/arts/999999/like", nil)
	assert.Equal(t, "ART_NOT_FOUND", res.problemCode(t))

	res = artist.do(http.MethodGet, "/api/v1/me/arts", nil)
	require.Equal(t, http.StatusOK, res.status)
	var mine artPage
	res.decode(t, &mine)
	assert.Equal(t, 1, mine.TotalItems)

	require.Equal(t, http.StatusNoContent, artist.do(http.MethodDelete, path, nil).status)
	res = artist.do(http.MethodGet, path, nil)
	assert.Equal(t, "ART_NOT_FOUND", res.problemCode(t))
	res = artist.do(http.MethodGet, work.ImageURL, nil)
	assert.Equal(t, http.StatusNotFound, res.status, "the image goes with the art")
}

func TestArtSearch(t *testing.T) {
	t.Parallel()
	a := startApp(t)
	artist := a.newClient()
	artist.signUp("painter@example.com", "painter")
	artist.login("painter@example.com", goodPassword)
	cat := artist.createArt(generalFields("Sleeping cat", 5000, "cat", "animal"))
	sunset := artist.createArt(generalFields("Sunset at sea", 12000, "sunset", "sea"))
	dog := artist.createArt(generalFields("Dog in the snow", 8000, "dog", "animal"))
	endAt := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	body, contentType := artForm(t, map[string][]string{
		"name": {"Cat at dusk"}, "description": {"Sunset colours."}, "type": {"auction"}, "price": {"7000"},
		"hashtags": {"cat"}, "end_at": {endAt},
	}, "cat.png", pngImage(t, 40, 40))
	res := artist.do(http.MethodPost, "/api/v1/arts", body, "Content-Type", contentType)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	var auctionCat artBody
	res.decode(t, &auctionCat)

	ids := func(query string) []int64 {
		t.Helper()
		res := a.newClient().do(http.MethodGet, "/api/v1/arts"+query, nil)
		require.Equal(t, http.StatusOK, res.status, "%s", res.body)
		var page artPage
		res.decode(t, &page)
		var out []int64
		for _, item := range page.Items {
			out = append(out, item.ID)
		}
		return out
	}
	assert.Equal(t, []int64{auctionCat.ID, dog.ID, sunset.ID, cat.ID}, ids(""), "newest first by default")
	assert.Equal(t, []int64{auctionCat.ID, sunset.ID}, ids("?q=SUNSET"), "name or description, any case")
	assert.Equal(t, []int64{auctionCat.ID, cat.ID}, ids("?hashtag=%23Cat"))
	assert.Empty(t, ids("?hashtag=nobody-uses-this"))
	assert.Equal(t, []int64{sunset.ID, dog.ID, auctionCat.ID, cat.ID}, ids("?sort=price_desc"))
	assert.Equal(t, []int64{auctionCat.ID}, ids("?status=open_auction"))
	assert.Equal(t, []int64{auctionCat.ID, dog.ID, sunset.ID, cat.ID}, ids("?sort=ending_soon"))
	assert.Equal(t, []int64{cat.ID, dog.ID}, ids("?type=general&hashtag=animal&sort=oldest"))

	res = a.newClient().do(http.MethodGet, "/api/v1/arts?sort=random", nil)
	assertFieldErrors(t, res, "sort")
	res = a.newClient().do(http.MethodGet, "/api/v1/arts?type=sculpture&status=lost", nil)
	assertFieldErrors(t, res, "type", "status")

	res = a.newClient().do(http.MethodGet, "/api/v1/hashtags?prefix=%23A", nil)
	require.Equal(t, http.StatusOK, res.status)
	assert.JSONEq(t, `{"items":[{"name":"animal","art_count":2}]}`, string(res.body))
	res = a.newClient().do(http.MethodGet, "/api/v1/hashtags?prefix=c", nil)
	assert.True(t, strings.HasPrefix(string(res.body), `{"items":[{"name":"cat","art_count":2}`), "%s", res.body)
}
