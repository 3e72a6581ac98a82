package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"
	"go.uber.org/mock/gomock"

	"github.com/artauction/artauction/application"
	"github.com/artauction/artauction/application/mock"
	"github.com/artauction/artauction/domain/art"
	"github.com/artauction/artauction/domain/validation"
)

// jsonBodyHandlers are the real handlers of every operation with a JSON body,
// built without use cases: a body that gets through decoding reaches the nil
// use case and panics there, which is how a fuzz input tells "accepted" apart.
func jsonBodyHandlers() []struct {
	name   string
	handle echo.HandlerFunc
} {
	account, arts, trade := accountHandlers{}, artHandlers{}, tradeHandlers{}
	return []struct {
		name   string
		handle echo.HandlerFunc
	}{
		{"POST /auth/verification-codes", account.requestCode},
		{"POST /members", account.signUp},
		{"POST /auth/login", account.login},
		{"POST /auth/refresh", account.refresh},
		{"POST /auth/password-reset", account.resetPassword},
		{"PATCH /me", account.updateProfile},
		{"PUT /me/password", account.changePassword},
		{"POST /me/points/charges", account.charge},
		{"POST /me/points/refunds", account.refund},
		{"PATCH /arts/{id}", arts.update},
		{"POST /auctions/{id}/bids", trade.bid},
	}
}

// callHandler runs handle on a request and reports its error, or whether it
// got as far as its use case. Any other panic fails the test.
func callHandler(t *testing.T, handle echo.HandlerFunc, req *http.Request) (reachedUseCase bool, err error) {
	t.Helper()
	c := echo.New().NewContext(req, httptest.NewRecorder())
	c.SetParamNames("id")
	c.SetParamValues("1")
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		stack := debug.Stack()
		if rerr, ok := r.(runtime.Error); !ok || !strings.Contains(rerr.Error(), "nil pointer") ||
			!bytes.Contains(stack, []byte("artauction/application.(*")) {
			t.Fatalf("panic outside the use case: %v\n%s", r, stack)
		}
		reachedUseCase = true
	}()
	return false, handle(c)
}

// assertClientProblem fails unless err maps to a 4xx problem.
func assertClientProblem(t *testing.T, err error) {
	t.Helper()
	if p := problemFor(err); p.Status < 400 || p.Status > 499 {
		t.Fatalf("error %v answers %d %s, not a 4xx problem", err, p.Status, p.Code)
	}
}

// FuzzJSONBodies posts fuzzed bodies to the real handler of every JSON
// operation. Property: no panic before the use case; an error maps through
// problemFor to a 4xx; a body reaches the use case only when it is one JSON
// value of at most 64 KiB, sent as JSON, with no NUL in any string (or, for
// refresh, when there is no body at all).
func FuzzJSONBodies(f *testing.F) {
	bodies := []string{
		`{"email":"ann@example.com","purpose":"signup"}`,
		`{"email":"ann@example.com","verification_code":"123456","password":"Secret-pass-1","nickname":"ann","name":"Ann"}`,
		`{"email":"ann@example.com","password":"Secret-pass-1"}`,
		`{"refresh_token":"abc"}`,
		`{"nickname":"ann","school":null,"phone":"010-1234-5678"}`,
		`{"current_password":"a","new_password":"b"}`,
		`{"amount":1000}`, `{"amount":null}`, `{"amount":1e3}`, `{"amount":"1000"}`, `{"amount":9223372036854775808}`,
		`{"name":"Sunset","description":"d","hashtags":["cat","#Dog"]}`, `{"hashtags":"cat"}`, `{"hashtags":[1]}`,
		`{"name":"\u0000"}`, `{"email":"\ud800"}`, `[]`, `null`, `"x"`, `{} {}`, `{`, ``, `{"amount":1000}x`,
	}
	for i, body := range bodies {
		f.Add(uint8(i), "application/json", []byte(body))
	}
	// NULs, which the database refuses, in the text fields it stores.
	f.Add(uint8(1), "application/json", []byte(`{"email":"a@b.co","verification_code":"1","password":"p","nickname":"ann","name":"A\u0000"}`))
	f.Add(uint8(5), "application/json", []byte(`{"school":"\u0000"}`))
	f.Add(uint8(9), "application/json", []byte(`{"hashtags":["cat","\u0000"]}`))
	f.Add(uint8(7), "application/problem+json; charset=utf-8", []byte(`{"amount":5}`))
	f.Add(uint8(7), "text/plain", []byte(`{"amount":5}`))
	f.Add(uint8(3), "", []byte{})
	f.Add(uint8(0), "application/json;", []byte(`{}`))
	f.Add(uint8(9), "application/json", append([]byte(`{"name":"`), append(bytes.Repeat([]byte("a"), maxJSONBody), '"', '}')...))

	handlers := jsonBodyHandlers()
	f.Fuzz(func(t *testing.T, route uint8, contentType string, body []byte) {
		h := handlers[int(route)%len(handlers)]
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		if contentType != "" {
			req.Header.Set(echo.HeaderContentType, contentType)
		}
		reached, err := callHandler(t, h.handle, req)
		if !reached {
			assertClientProblem(t, err)
			return
		}
		noBody := h.name == "POST /auth/refresh" && len(body) == 0
		if !noBody && (!json.Valid(body) || len(body) > maxJSONBody || holdsNUL(t, body) || !isJSONType(contentType)) {
			t.Fatalf("%s passed %q (%s) to its use case", h.name, body, contentType)
		}
	})
}

// FuzzPageQuery fuzzes the raw query string of a paged list. Property: either
// a 400 VALIDATION_FAILED naming only page and size, or a page within bounds
// that is what the client asked for, defaults filled in.
func FuzzPageQuery(f *testing.F) {
	for _, q := range []string{"", "page=2&size=50", "page=0", "size=101", "page=1000001", "page=-1&size=x",
		"page=%2B3", "page=007", "size=1e2", "page=9223372036854775808", "page=1&page=2", "page=%zz", ";size=3", "size="} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.RawQuery = rawQuery
		c := echo.New().NewContext(req, httptest.NewRecorder())
		page, err := pageQuery(c)
		if err != nil {
			assertValidationOf(t, err, "page", "size")
			return
		}
		if page.Number() < 1 || page.Number() > application.MaxPageNumber || page.Size() < 1 || page.Size() > application.MaxPageSize {
			t.Fatalf("%q gave page %d of size %d", rawQuery, page.Number(), page.Size())
		}
		asked := c.QueryParams()
		for name, got := range map[string]int{"page": page.Number(), "size": page.Size()} {
			if raw := asked.Get(name); raw != "" {
				if want, perr := strconv.Atoi(raw); perr != nil || want != got {
					t.Fatalf("%q gave %s %d", rawQuery, name, got)
				}
			}
		}
		if asked.Get("page") == "" && page.Number() != 1 || asked.Get("size") == "" && page.Size() != application.DefaultPageSize {
			t.Fatalf("%q did not get the defaults: page %d of size %d", rawQuery, page.Number(), page.Size())
		}
	})
}

// FuzzPathID fuzzes an id in a path. Property: a positive int64 read as
// written, or a 400 VALIDATION_FAILED naming the parameter.
func FuzzPathID(f *testing.F) {
	for _, id := range []string{"1", "0", "-1", "+7", "007", "9223372036854775807", "9223372036854775808", "1.0", "", "x"} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		c := echo.New().NewContext(httptest.NewRequest(http.MethodGet, "/", nil), httptest.NewRecorder())
		c.SetParamNames("id")
		c.SetParamValues(raw)
		id, err := pathID(c, "id")
		if err != nil {
			assertValidationOf(t, err, "id")
			return
		}
		if want, perr := strconv.ParseInt(raw, 10, 64); id < 1 || perr != nil || want != id {
			t.Fatalf("path id %q read as %d", raw, id)
		}
	})
}

// FuzzListArtsQuery runs the real list handler and ListArts use case on a
// fuzzed query string; the store is a mock that returns an empty page.
// Property: a 400 VALIDATION_FAILED naming only query parameters of the
// operation, or a query reaching the store that is within the rules: a known
// sort and status, text of at most 100 characters, a normalized hashtag, and
// only text PostgreSQL can hold.
func FuzzListArtsQuery(f *testing.F) {
	for _, q := range []string{"", "q=sunset&hashtag=%23Cat&type=auction&status=open_auction&sort=ending_soon&page=2&size=5",
		"sort=price", "status=all", "type=x", "hashtag=%23", "hashtag=%23%20%23cat", "q=%00", "q=%FF", "hashtag=%00",
		"q=" + strings.Repeat("a", 101), "sort=NEWEST", "q=%20%20"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		ctrl := gomock.NewController(t)
		store := mock.NewMockArtStore(ctrl)
		var reached *application.ArtQuery
		store.EXPECT().List(gomock.Any(), gomock.Any(), gomock.Any()).MaxTimes(1).DoAndReturn(
			func(_ context.Context, q application.ArtQuery, _ application.PageRequest) ([]application.ArtSummary, int, error) {
				reached = &q
				return nil, 0, nil
			})
		clock := mock.NewMockClock(ctrl)
		clock.EXPECT().Now().AnyTimes().Return(time.Date(2026, 12, 1, 18, 0, 0, 0, time.UTC))
		h := artHandlers{uc: CatalogUseCases{List: application.NewListArts(store, clock), Clock: clock}}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.RawQuery = rawQuery
		rec := httptest.NewRecorder()
		err := h.list(echo.New().NewContext(req, rec))
		if err != nil {
			assertValidationOf(t, err, "q", "hashtag", "type", "status", "sort", "page", "size")
			return
		}
		if rec.Code != http.StatusOK || reached == nil {
			t.Fatalf("%q answered %d without an error", rawQuery, rec.Code)
		}
		q := reached
		if q.Sort == "" || utf8.RuneCountInString(q.Text) > 100 || art.NormalizeHashtag(q.Hashtag) != q.Hashtag {
			t.Fatalf("%q reached the store as %+v", rawQuery, *q)
		}
		for _, text := range []string{q.Text, q.Hashtag} {
			if !utf8.ValidString(text) || strings.ContainsRune(text, 0) {
				t.Fatalf("%q reached the store with text PostgreSQL refuses: %q", rawQuery, text)
			}
		}
	})
}

// FuzzLastEventID fuzzes the header a reconnecting watcher sends. Property: an
// auction stream takes it only when it is a non-negative decimal bid count, a
// member stream only when it is a positive decimal notification id, and then
// as that number; anything else means no id at all, as the SSE model says.
func FuzzLastEventID(f *testing.F) {
	for _, v := range []string{"", "0", "17", "-1", "+5", "007", " 3", "9223372036854775807", "9223372036854775808", "1e3", "x"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, header string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Header["Last-Event-Id"] = []string{header}
		n, err := strconv.ParseInt(header, 10, 64)
		checkRead := func(what string, got, none, least int64) {
			if got == none {
				if err == nil && n >= least {
					t.Fatalf("%s: Last-Event-ID %q ignored", what, header)
				}
				return
			}
			if got < least || err != nil || n != got {
				t.Fatalf("%s: Last-Event-ID %q read as %d", what, header, got)
			}
		}
		checkRead("bid count", lastBidCount(req), application.NoLastEventID, 0)
		checkRead("notification id", lastNotificationID(req), application.NoLastNotificationID, 1)
	})
}

// artFormFields are the text fields of an upload, in a fixed order for the fuzzer.
var artFormFields = []string{"name", "description", "type", "price", "buy_now_price", "bid_increment", "start_at", "end_at", "hashtags", "hashtags"}

// FuzzArtForm builds a well-formed multipart upload from fuzzed field values.
// Property: an error is a 4xx problem naming the bad fields; a form that
// parses gives exactly the values sent, as UTF-8 text PostgreSQL can hold, and
// the listing checks of the domain either accept them or answer 400.
func FuzzArtForm(f *testing.F) {
	f.Add("Sunset", "Over the river", "general", "25000", "", "", "", "", "#Sunset", "river ")
	f.Add("Auction", "d", "auction", "1000", "50000", "100", "2026-12-01T18:00:00Z", "2026-12-08T18:00:00+09:00", "a", "b")
	f.Add("", "", "painting", "1e3", "x", "-1", "tomorrow", "2026-13-01T00:00:00Z", "", "#")
	f.Add("nul\x00", "\xff\xfe", "general", " 1000 ", "9223372036854775808", "0", " 2026-12-01T18:00:00Z", "", "a b", "c,d")
	f.Add(strings.Repeat("n", 101), strings.Repeat("한", 2001), "auction", "+1000", "", "", "", "", strings.Repeat("t", 31), "t")
	f.Fuzz(func(t *testing.T, name, description, artType, price, buyNow, increment, startAt, endAt, tag1, tag2 string) {
		values := []string{name, description, artType, price, buyNow, increment, startAt, endAt, tag1, tag2}
		var body bytes.Buffer
		w := multipart.NewWriter(&body)
		for i, field := range artFormFields {
			if err := w.WriteField(field, values[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest(http.MethodPost, "/", &body)
		req.Header.Set(echo.HeaderContentType, w.FormDataContentType())
		cmd, err := readArtForm(echo.New().NewContext(req, httptest.NewRecorder()), 7)
		if err != nil {
			assertValidationOf(t, err, artFormFields...)
			return
		}
		if cmd.OwnerID != 7 || cmd.Name != name || cmd.Description != description || cmd.Type != artType ||
			!slices.Equal(cmd.Hashtags, []string{tag1, tag2}) || cmd.Image != nil {
			t.Fatalf("form %q read as %+v", values, cmd)
		}
		for i, field := range artFormFields {
			if !utf8.ValidString(values[i]) || strings.ContainsRune(values[i], 0) {
				t.Fatalf("%s %q accepted, which PostgreSQL cannot store", field, values[i])
			}
		}
		for field, v := range map[string]*int64{"price": &cmd.Price, "buy_now_price": cmd.BuyNowPrice, "bid_increment": cmd.BidIncrement} {
			raw := values[slices.Index(artFormFields, field)]
			if v == nil {
				t.Fatalf("%s %q sent but read as not given", field, raw)
			}
			if want, perr := strconv.ParseInt(strings.TrimSpace(raw), 10, 64); perr != nil || want != *v {
				t.Fatalf("%s %q read as %d", field, raw, *v)
			}
		}
		if _, err := art.NewDraft(cmd.Name, cmd.Description, cmd.Type, cmd.Price, cmd.Hashtags); err != nil {
			assertValidationOf(t, err, "name", "description", "type", "price", "hashtags")
		}
	})
}

// FuzzArtUploadBody fuzzes the raw bytes of a multipart upload and its
// Content-Type, so the parser itself meets truncated parts, bad boundaries and
// odd headers. Property: no panic, and an error is a 4xx problem.
func FuzzArtUploadBody(f *testing.F) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if err := w.SetBoundary("fuzzboundary"); err != nil {
		f.Fatal(err)
	}
	for i, field := range artFormFields[:4] {
		if err := w.WriteField(field, []string{"Sunset", "d", "general", "1000"}[i]); err != nil {
			f.Fatal(err)
		}
	}
	image, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Disposition": {`form-data; name="image"; filename="a.png"`}, "Content-Type": {"image/png"},
	})
	if err != nil {
		f.Fatal(err)
	}
	if _, err := image.Write([]byte("\x89PNG\r\n\x1a\n")); err != nil {
		f.Fatal(err)
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	contentType := "multipart/form-data; boundary=fuzzboundary"
	f.Add(contentType, body.Bytes())
	f.Add(contentType, body.Bytes()[:body.Len()/2])
	f.Add("multipart/form-data", body.Bytes())
	f.Add("multipart/form-data; boundary=", []byte("--\r\n"))
	f.Add("application/json", []byte(`{}`))
	f.Add(contentType, []byte("--fuzzboundary\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n"+
		strings.Repeat("x", maxFormField+1)+"\r\n--fuzzboundary--\r\n"))

	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
		req.Header.Set(echo.HeaderContentType, contentType)
		_, err := readArtForm(echo.New().NewContext(req, httptest.NewRecorder()), 7)
		if err == nil {
			return
		}
		assertClientProblem(t, err)
	})
}

// holdsNUL decodes a JSON value and reports whether any of its strings, keys
// included, holds a NUL.
func holdsNUL(t *testing.T, body []byte) bool {
	t.Helper()
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatal(err)
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch v := v.(type) {
		case string:
			return strings.ContainsRune(v, 0)
		case []any:
			return slices.ContainsFunc(v, walk)
		case map[string]any:
			for k, e := range v {
				if strings.ContainsRune(k, 0) || walk(e) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// isJSONType reports whether a Content-Type names JSON, as the OpenAPI document asks of a body.
func isJSONType(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mediaType == "application/json" || strings.HasSuffix(mediaType, "+json"))
}

// assertValidationOf fails unless err is a 400 VALIDATION_FAILED naming only the given fields.
func assertValidationOf(t *testing.T, err error, fields ...string) {
	t.Helper()
	var verr *validation.Error
	if !errors.As(err, &verr) {
		t.Fatalf("%v is not a validation error", err)
	}
	if p := problemFor(err); p.Status != http.StatusBadRequest || p.Code != "VALIDATION_FAILED" {
		t.Fatalf("%v answers %d %s", err, p.Status, p.Code)
	}
	for _, fe := range verr.Fields() {
		if !slices.Contains(fields, fe.Field) {
			t.Fatalf("%v names field %q", err, fe.Field)
		}
	}
}
