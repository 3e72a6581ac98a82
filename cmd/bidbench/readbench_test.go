package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRankDrawerStaysInRangeAndFavoursTheTop(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	const n, draws = 1000, 100_000
	draw := rankDrawer(rng, zipfLaw{S: 1.1, V: 1}, n)
	hits := make([]int, n)
	for range draws {
		k := draw()
		require.GreaterOrEqual(t, k, 0)
		require.Less(t, k, n)
		hits[k]++
	}
	// P(k) = (1+k)^-1.1 / sum over 0..999 of (1+j)^-1.1.
	var norm float64
	for j := range n {
		norm += math.Pow(float64(1+j), -1.1)
	}
	assert.InDelta(t, 1/norm, float64(hits[0])/draws, 0.01, "rank 0's share")
	assert.InDelta(t, math.Pow(10, -1.1)/norm, float64(hits[9])/draws, 0.005, "rank 9's share")
	assert.Greater(t, hits[0], hits[1])
	assert.Greater(t, hits[1], hits[10])
	assert.Positive(t, hits[n-1]+hits[n-2]+hits[n-3], "the tail is reached")

	one := rankDrawer(rng, zipfLaw{S: 1.1, V: 1}, 1)
	for range 10 {
		assert.Zero(t, one(), "a list of one has one rank")
	}
}

func TestPageDrawerBrowsesMostlyTheFirstPage(t *testing.T) {
	t.Parallel()
	draw := pageDrawer(rand.New(rand.NewPCG(3, 4)))
	const draws = 50_000
	first, beyondFive := 0, 0
	for range draws {
		p := draw()
		require.GreaterOrEqual(t, p, 1)
		require.LessOrEqual(t, p, maxBrowsedPage)
		if p == 1 {
			first++
		}
		if p > 5 {
			beyondFive++
		}
	}
	assert.InDelta(t, 0.61, float64(first)/draws, 0.02)
	assert.InDelta(t, 0.11, float64(beyondFive)/draws, 0.02)
}

func testTargets() *readTargets {
	return &readTargets{
		law:      zipfLaw{S: 1.1, V: 1},
		arts:     []int64{30, 10, 20},
		auctions: []int64{7, 8},
		members:  []int64{5, 6},
		hashtags: []string{"sea", "sky"},
		words:    []string{"light", "river"},
		sessions: []bidder{{id: 5, token: "token-5"}, {id: 6, token: "token-6"}},
		deepPage: 200,
		cursors:  map[string]map[int]string{},
	}
}

func TestEveryShapeAsksForWhatItNames(t *testing.T) {
	t.Parallel()
	targets := testTargets()
	for _, sort := range deepSorts {
		targets.cursors[sort] = map[int]string{}
		for p := 191; p <= 200; p++ {
			targets.cursors[sort][p] = sort + "-cursor-" + strconv.Itoa(p)
		}
	}
	for _, shape := range append([]string{baselineShape}, allReadShapes...) {
		source := targets.newSource(shape, rand.New(rand.NewPCG(5, 6)))
		for range 200 {
			req := source()
			u, err := url.Parse(req.path)
			require.NoError(t, err, shape)
			q := u.Query()
			switch shape {
			case baselineShape:
				assert.Equal(t, helloPath, req.path)
			case shapeArtAnon, shapeArtAuth:
				assert.Contains(t, []string{"/api/v1/arts/30", "/api/v1/arts/10", "/api/v1/arts/20"}, u.Path, shape)
			case shapeAuction:
				assert.Contains(t, []string{"/api/v1/auctions/7", "/api/v1/auctions/8"}, u.Path)
			case shapeAuctionBids:
				assert.Contains(t, []string{"/api/v1/auctions/7/bids", "/api/v1/auctions/8/bids"}, u.Path)
			case shapeMember:
				assert.Contains(t, []string{"/api/v1/members/5", "/api/v1/members/6"}, u.Path)
			case shapeMyLikes:
				assert.Equal(t, "/api/v1/me/likes", u.Path)
			default:
				assert.Equal(t, artsPath, u.Path, shape)
				assert.Equal(t, "20", q.Get("size"), shape)
			}
			switch shape {
			case shapeListHashtag:
				assert.Contains(t, targets.hashtags, q.Get("hashtag"))
			case shapeListQ:
				assert.Contains(t, targets.words, q.Get("q"))
			case shapeListType:
				assert.Contains(t, []string{"auction", "general"}, q.Get("type"))
			case shapeListOpenEnding:
				assert.Equal(t, "open_auction", q.Get("status"))
				assert.Equal(t, "ending_soon", q.Get("sort"))
			case shapeListOwner:
				assert.Contains(t, []string{"5", "6"}, q.Get("owner_id"))
			case shapePageFirst:
				assert.Contains(t, deepSorts, q.Get("sort"))
				assert.Empty(t, q.Get("page"))
			case shapePageDeepOffset:
				page, err := strconv.Atoi(q.Get("page"))
				require.NoError(t, err)
				assert.True(t, page >= 191 && page <= 200, "page %d", page)
			case shapePageDeepCursor:
				assert.True(t, strings.HasPrefix(q.Get("cursor"), q.Get("sort")+"-cursor-"), req.path)
				assert.Empty(t, q.Get("page"))
			}
			if strings.HasPrefix(shape, shapeListSortPrefix) && slices.Contains(listSorts, shape[len(shapeListSortPrefix):]) {
				assert.Equal(t, shape[len(shapeListSortPrefix):], q.Get("sort"))
			}
			if shape == shapeArtAuth || shape == shapeMyLikes {
				require.NotEmpty(t, req.token, shape)
				assert.Equal(t, "member "+strings.TrimPrefix(req.token, "token-")+" "+req.path, req.key, "an authenticated answer is the member's own")
			} else {
				assert.Empty(t, req.token, shape)
				assert.Equal(t, req.path, req.key, shape)
			}
		}
	}
}

func TestSummaryCountsAnswersErrorsAndDistinctKeys(t *testing.T) {
	t.Parallel()
	start := time.Now()
	l := newReadLog(start)
	at := func(second, ms int) time.Time {
		return start.Add(time.Duration(second)*time.Second + time.Duration(ms)*time.Millisecond)
	}
	// Second 0: four requests for two keys; second 1: two for two.
	l.record(readRequest{path: "/a", key: "/a"}, at(0, 0), at(0, 10), 200, nil)
	l.record(readRequest{path: "/a", key: "/a"}, at(0, 100), at(0, 120), 304, nil)
	l.record(readRequest{path: "/b", key: "/b"}, at(0, 200), at(0, 230), 404, nil)
	l.record(readRequest{path: "/b", key: "/b"}, at(0, 300), at(0, 340), 503, nil)
	other := newReadLog(start)
	other.record(readRequest{path: "/a", key: "/a"}, at(1, 0), at(1, 50), 200, nil)
	other.record(readRequest{path: "/c", key: "/c"}, at(1, 100), at(1, 100), 0, errors.New("connection reset"))
	l.merge(other)

	res := summarizeRead(shapeArtAnon, 4, l, 2*time.Second)
	assert.Equal(t, int64(3), res.Answers, "2xx and 304 are answers")
	assert.InDelta(t, 1.5, res.AnswersPerSec, 1e-9)
	assert.Equal(t, int64(2), res.ErrorAnswers, "404 and 503")
	assert.Equal(t, int64(1), res.ServerErrors)
	assert.Equal(t, int64(1), res.Failures)
	assert.Equal(t, map[string]int{"200": 2, "304": 1, "404": 1, "503": 1}, res.Statuses)
	assert.InDelta(t, 4.0/6, res.DistinctKeyShare, 1e-9, "(2 + 2) distinct keys over 6 requests")
	assert.InDelta(t, 50, res.Latency.Max, 0.1, "latency of every answer, errors too")
	assert.Len(t, res.ErrorSamples, 3)
}

func TestReportRatiosAndViolations(t *testing.T) {
	t.Parallel()
	r := &readReport{
		Baseline: readResult{Shape: baselineShape, Answers: 1000, AnswersPerSec: 10_000},
		Results: []readResult{
			{Shape: shapeArtAnon, Answers: 100, AnswersPerSec: 2500},
			{Shape: shapeMember, Answers: 10, AnswersPerSec: 100, ServerErrors: 2, Failures: 1},
			{Shape: shapeListQ, AnswersPerSec: 0, ErrorAnswers: 5},
			{Shape: shapePageDeepCursor, Failure: "no next_cursor"},
		},
		Catalog: catalogSummary{Invariants: []string{"auction 1: highest 5"}},
	}
	r.finish()
	require.NotNil(t, r.Results[0].RatioToBaseline)
	assert.InDelta(t, 0.25, *r.Results[0].RatioToBaseline, 1e-12)
	assert.InDelta(t, 0.01, *r.Results[1].RatioToBaseline, 1e-12)
	assert.False(t, r.Passed)
	joined := strings.Join(r.Violations, "\n")
	for _, want := range []string{"member: 2 answers were 5xx", "member: 1 requests got no answer",
		"list_q: no request was answered", "page_deep_cursor could not run: no next_cursor", "invariant: auction 1"} {
		assert.Contains(t, joined, want)
	}
	assert.Len(t, r.Violations, 5, "an answer below 400 of another shape is no violation")

	clean := &readReport{Baseline: readResult{Shape: baselineShape, Answers: 1, AnswersPerSec: 0},
		Results: []readResult{{Shape: shapeArtAnon, Answers: 1, AnswersPerSec: 5, ErrorAnswers: 1}}}
	clean.finish()
	assert.True(t, clean.Passed, "a 4xx is reported, not a failure: %v", clean.Violations)
	assert.Nil(t, clean.Results[0].RatioToBaseline, "no baseline rate, no ratio")
}

// pagingServer serves GET /api/v1/arts over ids newest first with a
// keyset cursor (the last id of the page) or an offset page; withCursor
// false leaves next_cursor out, shuffleOffset makes offset pages disagree.
func pagingServer(t *testing.T, ids []int64, withCursor, shuffleOffset bool) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var requests atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		q := r.URL.Query()
		if r.URL.Path != artsPath || q.Get("sort") != "newest" || q.Get("size") != "20" {
			http.Error(w, "unexpected "+r.URL.String(), http.StatusBadRequest)
			return
		}
		from := 0
		if c := q.Get("cursor"); c != "" {
			after, err := strconv.ParseInt(strings.TrimPrefix(c, "after-"), 10, 64)
			if err != nil {
				http.Error(w, "bad cursor", http.StatusBadRequest)
				return
			}
			from = slices.IndexFunc(ids, func(id int64) bool { return id < after })
		} else if p := q.Get("page"); p != "" {
			n, _ := strconv.Atoi(p)
			from = (n - 1) * 20
			if shuffleOffset {
				from++
			}
		}
		items := []map[string]int64{}
		for _, id := range ids[from:min(from+20, len(ids))] {
			items = append(items, map[string]int64{"id": id})
		}
		body := map[string]any{"items": items}
		if withCursor {
			body["next_cursor"] = nil
			if from+20 < len(ids) {
				body["next_cursor"] = fmt.Sprintf("after-%d", items[len(items)-1]["id"])
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

func descendingIDs(n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(n - i)
	}
	return ids
}

func TestWalkCursorsKeepsTheCursorOfEachDeepPage(t *testing.T) {
	t.Parallel()
	srv, requests := pagingServer(t, descendingIDs(500), true, false)
	api := newAPIClient(1, false)
	t.Cleanup(api.close)
	cursors, err := walkCursors(context.Background(), api, srv.URL, deepQuery("newest"), 21, 25)
	require.NoError(t, err)
	// Page p starts after the last id of page p-1: 500 - 20(p-1) + 1.
	want := map[int]string{}
	for p := 21; p <= 25; p++ {
		want[p] = fmt.Sprintf("after-%d", 500-20*(p-1)+1)
	}
	assert.Equal(t, want, cursors)
	assert.Equal(t, int64(26), requests.Load(), "25 pages walked, then page 25 by offset")
}

func TestWalkCursorsSaysWhatIsMissing(t *testing.T) {
	t.Parallel()
	api := newAPIClient(1, false)
	t.Cleanup(api.close)
	ctx := context.Background()

	noCursor, _ := pagingServer(t, descendingIDs(500), false, false)
	_, err := walkCursors(ctx, api, noCursor.URL, deepQuery("newest"), 21, 25)
	require.ErrorIs(t, err, errNoCursor)

	short, _ := pagingServer(t, descendingIDs(90), true, false)
	_, err = walkCursors(ctx, api, short.URL, deepQuery("newest"), 21, 25)
	require.ErrorContains(t, err, "ends at page 5, before page 25")

	disagreeing, _ := pagingServer(t, descendingIDs(500), true, true)
	_, err = walkCursors(ctx, api, disagreeing.URL, deepQuery("newest"), 21, 25)
	require.ErrorContains(t, err, "page 25 by cursor lists arts")

	badSort, _ := pagingServer(t, descendingIDs(500), true, false)
	_, err = walkCursors(ctx, api, badSort.URL, deepQuery("oldest"), 21, 25)
	require.ErrorContains(t, err, "400")
}

func TestParseListPage(t *testing.T) {
	t.Parallel()
	page, err := parseListPage([]byte(`{"items":[{"id":3},{"id":2}],"next_cursor":"abc"}`))
	require.NoError(t, err)
	assert.Equal(t, listPage{ids: []int64{3, 2}, next: "abc"}, page)
	page, err = parseListPage([]byte(`{"items":[],"next_cursor":null}`))
	require.NoError(t, err)
	assert.Empty(t, page.next, "null: the last page")
	_, err = parseListPage([]byte(`{"items":[]}`))
	require.ErrorIs(t, err, errNoCursor)
	_, err = parseListPage([]byte(`{"items":[],"next_cursor":""}`))
	require.Error(t, err)
}

func TestReadLoadDrivesEveryClientAndCountsStatuses(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%10 == 0 {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(srv.Close)
	api := newAPIClient(4, false)
	t.Cleanup(api.close)
	targets := testTargets()
	sources := clientSources(targets, shapeArtAnon, 4, 1)
	log, elapsed := readLoad(context.Background(), api, srv.URL, loadPlan{label: "test", workers: 4, duration: 200 * time.Millisecond}, sources)
	res := summarizeRead(shapeArtAnon, 4, log, elapsed)
	assert.Equal(t, n.Load(), res.Answers+res.ErrorAnswers, "every request is counted once")
	assert.Positive(t, res.Answers)
	assert.Equal(t, n.Load()/10, res.ErrorAnswers)
	assert.Zero(t, res.Failures)
	assert.GreaterOrEqual(t, elapsed, 200*time.Millisecond)
	assert.Positive(t, res.DistinctKeyShare)
	assert.LessOrEqual(t, res.DistinctKeyShare, 1.0)
}

func TestParseReadConfig(t *testing.T) {
	t.Parallel()
	cfg, err := parseReadConfig(nil)
	require.NoError(t, err)
	assert.Equal(t, 64, cfg.connections)
	assert.Equal(t, 5*time.Second, cfg.duration)
	assert.Equal(t, 100_000, cfg.arts)
	assert.Equal(t, 5000, cfg.members)
	assert.Equal(t, 500, cfg.hashtags)
	assert.Equal(t, 200, cfg.deepPage)
	assert.Equal(t, allReadShapes, cfg.shapes)
	assert.Equal(t, "docs/benchmarks", cfg.outDir)

	smoke, err := parseReadConfig([]string{"--smoke"})
	require.NoError(t, err)
	assert.Equal(t, 16, smoke.connections)
	assert.Equal(t, time.Second, smoke.duration)
	assert.Equal(t, 5000, smoke.arts)
	assert.NotEqual(t, "docs/benchmarks", smoke.outDir, "a smoke run leaves the committed results alone")

	custom, err := parseReadConfig([]string{"--smoke", "--connections", "8", "--shapes", "art_anon,list_q", "--shapes", "member",
		"--zipf-s", "1.5", "--service-env", "A=B", "--out", "x"})
	require.NoError(t, err)
	assert.Equal(t, 8, custom.connections)
	assert.Equal(t, []string{shapeArtAnon, shapeListQ, shapeMember}, custom.shapes)
	assert.InDelta(t, 1.5, custom.zipfS, 0)
	assert.Equal(t, []string{"A=B"}, custom.serviceEnv)
	assert.Equal(t, "x", custom.outDir)

	for _, bad := range [][]string{
		{"--shapes", "art_anon,nope"},
		{"--zipf-s", "1"},
		{"--zipf-v", "0.5"},
		{"--members", "2"},
		{"--arts", "50"},
		{"--logins", "6000"},
		{"--deep-page", "10"},
		{"--arts", "1000", "--deep-page", "200"},
		{"--service-env", "NOEQUALS"},
		{"--duration", "-1s"},
		{"extra"},
	} {
		_, err := parseReadConfig(bad)
		assert.Error(t, err, "%v", bad)
	}
	_, err = parseReadConfig([]string{"--arts", "1000", "--deep-page", "200", "--shapes", "art_anon"})
	require.NoError(t, err, "a small catalog is fine without the deep shapes")
}

func TestSessionMembersAreSpreadAndDistinct(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []int64{1, 126, 251, 376}, sessionMembers(500, 4))
	ids := sessionMembers(5000, 64)
	assert.Len(t, ids, 64)
	assert.Equal(t, int64(1), ids[0])
	assert.Less(t, ids[63], int64(5001))
	assert.True(t, slices.IsSorted(ids))
	assert.Len(t, slices.Compact(slices.Clone(ids)), 64)
	assert.Len(t, slices.Compact(sessionMembers(3, 3)), 3)
}
