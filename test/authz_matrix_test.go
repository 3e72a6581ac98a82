package test

import (
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/adapters/security"
	"github.com/artauction/artauction/application"
)

// authzCaller is who sends a request in one cell of the authorization matrix.
type authzCaller int

const (
	anonymousCaller authzCaller = iota // no Authorization header
	otherMember                        // logged in, not the owner of the resource
	resourceOwner                      // logged in, owns the resource
)

func (c authzCaller) String() string {
	return [...]string{"anonymous", "other member", "owner"}[c]
}

// authzOutcome is the status a cell expects and, for a 4xx, the problem code.
type authzOutcome struct {
	status int
	code   string
}

func expectSuccess(status int) *authzOutcome { return &authzOutcome{status: status} }

func expectProblem(status int, code string) *authzOutcome {
	return &authzOutcome{status: status, code: code}
}

var expectUnauthenticated = expectProblem(http.StatusUnauthorized, "UNAUTHENTICATED")

// authzRow is one documented operation: what each caller gets, and how to
// call it with a valid request. owner is nil where nothing is owned (then
// "other member" is any logged-in member).
type authzRow struct {
	method, path             string
	anonymous, member, owner *authzOutcome
	call                     func(c *authzCell) response
}

func (r authzRow) operation() string { return r.method + " " + r.path }

func (r authzRow) cells() map[authzCaller]*authzOutcome {
	cells := map[authzCaller]*authzOutcome{anonymousCaller: r.anonymous, otherMember: r.member}
	if r.owner != nil {
		cells[resourceOwner] = r.owner
	}
	return cells
}

// authzWorld is the one app of the matrix with its shared, read-only fixtures.
type authzWorld struct {
	app             *app
	db              *sql.DB
	issuer          application.AccessTokens // the app's own, to give inserted members a token
	owner, stranger *client
	ownerID         int64
	strangerEmail   string
	art             artBody // a general art of the owner
	auction         artBody // an open auction of the owner, with a bid of the stranger
	boughtOut       artBody // an auction of the owner that the stranger bought out
	// ownerNotification is the owner's art_sold of boughtOut.
	ownerNotification int64
	seq               atomic.Int64
}

// authzCell is one operation called by one caller, in its own subtest.
type authzCell struct {
	t      *testing.T
	app    *app // the world's app, failing t
	who    authzCaller
	world  *authzWorld
	owner  *client // owns the shared fixtures and what the cell lists
	caller *client
}

func (w *authzWorld) cell(t *testing.T, who authzCaller) *authzCell {
	t.Helper()
	view := *w.app
	view.t = t
	// Cells run in parallel and read mail only to their own fresh addresses.
	view.mailsRead = map[string]int{}
	c := &authzCell{t: t, app: &view, who: who, world: w, owner: patientClient(&view, w.owner.token)}
	switch who {
	case anonymousCaller:
		c.caller = patientClient(&view, "")
	case otherMember:
		c.caller = patientClient(&view, w.stranger.token)
	case resourceOwner:
		c.caller = c.owner
	}
	return c
}

// patientClient is a client whose requests may take a minute. The matrix is
// about who gets what, not how fast, and on a loaded machine a password call
// (a bcrypt or two, under -race) can take longer than the usual 15 s.
func patientClient(a *app, token string) *client {
	c := a.newClient()
	c.http.Timeout = time.Minute
	c.token = token
	return c
}

// unique names an account no other cell uses.
func (w *authzWorld) unique() string {
	return "mx" + strconv.FormatInt(w.seq.Add(1), 10)
}

// insertMember adds a member with goodPassword straight into the database and
// gives it an access token from the app's own issuer, as the concurrency tests
// do: a sign-up by mail and a bcrypt login per member would take most of the
// time, and both are rows of the matrix themselves.
func (w *authzWorld) insertMember(t *testing.T) (email string, id int64, token string) {
	t.Helper()
	hash, err := traderHash()
	require.NoError(t, err)
	name := w.unique()
	email = name + "@example.com"
	require.NoError(t, w.db.QueryRow(
		`INSERT INTO members (email, password_hash, nickname, name, created_at) VALUES ($1, $2, $3, $4, now()) RETURNING id`,
		email, hash, name, "Matrix "+name).Scan(&id))
	session := make([]byte, 16)
	_, err = rand.Read(session)
	require.NoError(t, err)
	token, _, err = w.issuer.Issue(id, hex.EncodeToString(session), time.Now())
	require.NoError(t, err)
	return email, id, token
}

// memberClient is a client of an inserted member, charged with points.
func (w *authzWorld) memberClient(a *app, points int64) (c *client, email string, id int64) {
	a.t.Helper()
	email, id, token := w.insertMember(a.t)
	c = patientClient(a, token)
	if points > 0 {
		res := c.do(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": points})
		require.Equal(a.t, http.StatusCreated, res.status, "%s", res.body)
	}
	return c, email, id
}

func (c *authzCell) send(method, path string, body any, headers ...string) response {
	c.t.Helper()
	return c.caller.do(method, path, body, headers...)
}

// freshMember makes the other member of a cell that changes the caller's own
// account (balance, password, profile) a new one, so no cell sees another's effect.
func (c *authzCell) freshMember(points int64) {
	c.t.Helper()
	if c.who == otherMember {
		c.caller, _, _ = c.world.memberClient(c.app, points)
	}
}

// freshSession makes the other member's session a new login, for calls that end it.
func (c *authzCell) freshSession() {
	c.t.Helper()
	if c.who == otherMember {
		c.caller = patientClient(c.app, "")
		c.caller.login(c.world.strangerEmail, goodPassword)
	}
}

func (c *authzCell) ownerArt() artBody {
	c.t.Helper()
	return c.owner.createArt(generalFields("Matrix still life", 1000, "matrix"))
}

func (c *authzCell) ownerAuction(buyNow int64) artBody {
	c.t.Helper()
	extra := map[string][]string{}
	if buyNow > 0 {
		extra["buy_now_price"] = []string{strconv.FormatInt(buyNow, 10)}
	}
	return c.owner.listAuction("Matrix lot", 1000, time.Now().Add(time.Hour), extra)
}

func (c *authzCell) uploadImage(path string) response {
	c.t.Helper()
	body, contentType := artForm(c.t, nil, "photo.png", pngImage(c.t, 32, 32))
	return c.send(http.MethodPost, path, body, "Content-Type", contentType)
}

// authzRows is the matrix, one row per operation of the OpenAPI document.
// Reads share the world's fixtures; every call that changes state gets its
// own art, auction, session or member, so cells may run in any order.
func authzRows() []authzRow {
	get := func(path func(c *authzCell) string) func(c *authzCell) response {
		return func(c *authzCell) response { return c.send(http.MethodGet, path(c), nil) }
	}
	fixed := func(path string) func(c *authzCell) string { return func(*authzCell) string { return path } }
	artPath := func(suffix string) func(c *authzCell) string {
		return func(c *authzCell) string { return "/api/v1/arts/" + itoa(c.world.art.ID) + suffix }
	}
	auctionPath := func(suffix string) func(c *authzCell) string {
		return func(c *authzCell) string { return "/api/v1/auctions/" + itoa(c.world.auction.Auction.ID) + suffix }
	}
	ok200, ok201, ok202, ok204 := expectSuccess(200), expectSuccess(201), expectSuccess(202), expectSuccess(204)

	return []authzRow{
		{"GET", "/healthz", ok200, ok200, nil, get(fixed("/healthz"))},
		{"GET", "/readyz", ok200, ok200, nil, get(fixed("/readyz"))},
		{"GET", "/metrics", ok200, ok200, nil, get(fixed("/metrics"))},
		{"GET", "/api/v1/openapi.yaml", ok200, ok200, nil, get(fixed("/api/v1/openapi.yaml"))},
		{"GET", "/docs", ok200, ok200, nil, get(fixed("/docs"))},

		{"POST", "/api/v1/auth/verification-codes", ok202, ok202, nil, func(c *authzCell) response {
			return c.send(http.MethodPost, "/api/v1/auth/verification-codes",
				map[string]string{"email": c.world.unique() + "@example.com", "purpose": "signup"})
		}},
		{"POST", "/api/v1/auth/login", ok200, ok200, nil, func(c *authzCell) response {
			return c.send(http.MethodPost, "/api/v1/auth/login",
				map[string]string{"email": c.world.strangerEmail, "password": goodPassword})
		}},
		{"POST", "/api/v1/auth/refresh", ok200, ok200, nil, func(c *authzCell) response {
			other := patientClient(c.app, "").login(c.world.strangerEmail, goodPassword)
			return c.send(http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": other.RefreshToken})
		}},
		{"POST", "/api/v1/auth/logout", expectUnauthenticated, ok204, nil, func(c *authzCell) response {
			c.freshSession()
			return c.send(http.MethodPost, "/api/v1/auth/logout", nil)
		}},
		{"POST", "/api/v1/auth/password-reset", ok204, ok204, nil, func(c *authzCell) response {
			email, _, _ := c.world.insertMember(c.t)
			res := c.send(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": email, "purpose": "password_reset"})
			require.Equal(c.t, http.StatusAccepted, res.status, "%s", res.body)
			return c.send(http.MethodPost, "/api/v1/auth/password-reset", map[string]string{
				"email": email, "verification_code": c.app.codeFromMail(email), "new_password": "n3w-Password!",
			})
		}},

		{"POST", "/api/v1/members", ok201, ok201, nil, func(c *authzCell) response {
			name := c.world.unique()
			email := name + "@example.com"
			res := c.send(http.MethodPost, "/api/v1/auth/verification-codes", map[string]string{"email": email, "purpose": "signup"})
			require.Equal(c.t, http.StatusAccepted, res.status, "%s", res.body)
			return c.send(http.MethodPost, "/api/v1/members", map[string]string{
				"email": email, "verification_code": c.app.codeFromMail(email), "password": goodPassword, "nickname": name, "name": "Matrix " + name,
			})
		}},
		{"GET", "/api/v1/members/availability", ok200, ok200, nil, get(fixed("/api/v1/members/availability?email=free@example.com&nickname=free1"))},
		{"GET", "/api/v1/members/{id}", ok200, ok200, ok200, get(func(c *authzCell) string { return "/api/v1/members/" + itoa(c.world.ownerID) })},
		// The owner of a member is that member: following oneself is refused.
		{"PUT", "/api/v1/members/{id}/follow", expectUnauthenticated, ok204, expectProblem(409, "CANNOT_FOLLOW_SELF"), func(c *authzCell) response {
			return c.send(http.MethodPut, "/api/v1/members/"+itoa(c.world.ownerID)+"/follow", nil)
		}},
		{"DELETE", "/api/v1/members/{id}/follow", expectUnauthenticated, ok204, expectProblem(409, "CANNOT_FOLLOW_SELF"), func(c *authzCell) response {
			return c.send(http.MethodDelete, "/api/v1/members/"+itoa(c.world.ownerID)+"/follow", nil)
		}},
		{"GET", "/api/v1/members/{id}/followers", ok200, ok200, ok200, get(func(c *authzCell) string {
			return "/api/v1/members/" + itoa(c.world.ownerID) + "/followers"
		})},
		{"GET", "/api/v1/members/{id}/following", ok200, ok200, ok200, get(func(c *authzCell) string {
			return "/api/v1/members/" + itoa(c.world.ownerID) + "/following"
		})},
		{"GET", "/api/v1/me/feed", expectUnauthenticated, ok200, nil, get(fixed("/api/v1/me/feed"))},
		{"GET", "/api/v1/me", expectUnauthenticated, ok200, nil, get(fixed("/api/v1/me"))},
		{"PATCH", "/api/v1/me", expectUnauthenticated, ok200, nil, func(c *authzCell) response {
			c.freshMember(0)
			return c.send(http.MethodPatch, "/api/v1/me", map[string]string{"school": "Matrix Academy"})
		}},
		{"PUT", "/api/v1/me/password", expectUnauthenticated, ok204, nil, func(c *authzCell) response {
			c.freshMember(0)
			return c.send(http.MethodPut, "/api/v1/me/password",
				map[string]string{"current_password": goodPassword, "new_password": "n3w-Password!"})
		}},
		{"POST", "/api/v1/me/points/charges", expectUnauthenticated, ok201, nil, func(c *authzCell) response {
			c.freshMember(0)
			return c.send(http.MethodPost, "/api/v1/me/points/charges", map[string]int64{"amount": 1000})
		}},
		{"POST", "/api/v1/me/points/refunds", expectUnauthenticated, ok201, nil, func(c *authzCell) response {
			c.freshMember(5000)
			return c.send(http.MethodPost, "/api/v1/me/points/refunds", map[string]int64{"amount": 1000})
		}},
		{"GET", "/api/v1/me/points/history", expectUnauthenticated, ok200, nil, get(fixed("/api/v1/me/points/history"))},

		{"GET", "/api/v1/arts", ok200, ok200, nil, get(fixed("/api/v1/arts?sort=price_desc"))},
		{"POST", "/api/v1/arts", expectUnauthenticated, ok201, nil, func(c *authzCell) response {
			c.freshMember(0)
			body, contentType := artForm(c.t, generalFields("Matrix upload", 1000, "matrix"), "work.png", pngImage(c.t, 32, 32))
			return c.send(http.MethodPost, "/api/v1/arts", body, "Content-Type", contentType)
		}},
		{"GET", "/api/v1/arts/{id}", ok200, ok200, ok200, get(artPath(""))},
		{"PATCH", "/api/v1/arts/{id}", expectUnauthenticated, expectProblem(403, "NOT_ART_OWNER"), ok200, func(c *authzCell) response {
			art := c.ownerArt()
			return c.send(http.MethodPatch, "/api/v1/arts/"+itoa(art.ID), map[string]any{
				"name": "Renamed", "description": "Renamed in the matrix.", "hashtags": []string{"renamed"},
			})
		}},
		{"DELETE", "/api/v1/arts/{id}", expectUnauthenticated, expectProblem(403, "NOT_ART_OWNER"), ok204, func(c *authzCell) response {
			return c.send(http.MethodDelete, "/api/v1/arts/"+itoa(c.ownerArt().ID), nil)
		}},
		{"GET", "/api/v1/arts/{id}/image", ok200, ok200, ok200, get(artPath("/image"))},
		// Nothing in the contract stops owners liking their own art.
		{"PUT", "/api/v1/arts/{id}/like", expectUnauthenticated, ok204, ok204, func(c *authzCell) response {
			return c.send(http.MethodPut, "/api/v1/arts/"+itoa(c.ownerArt().ID)+"/like", nil)
		}},
		{"DELETE", "/api/v1/arts/{id}/like", expectUnauthenticated, ok204, ok204, func(c *authzCell) response {
			path := "/api/v1/arts/" + itoa(c.ownerArt().ID) + "/like"
			if c.who != anonymousCaller {
				res := c.send(http.MethodPut, path, nil)
				require.Equal(c.t, http.StatusNoContent, res.status, "%s", res.body)
			}
			return c.send(http.MethodDelete, path, nil)
		}},
		{"GET", "/api/v1/me/arts", expectUnauthenticated, ok200, nil, get(fixed("/api/v1/me/arts"))},
		{"GET", "/api/v1/me/likes", expectUnauthenticated, ok200, nil, get(fixed("/api/v1/me/likes"))},
		{"GET", "/api/v1/hashtags", ok200, ok200, nil, get(fixed("/api/v1/hashtags?prefix=ma"))},
		{"POST", "/api/v1/arts/{id}/purchase", expectUnauthenticated, ok201, expectProblem(403, "OWN_ART"), func(c *authzCell) response {
			c.freshMember(5000)
			return c.send(http.MethodPost, "/api/v1/arts/"+itoa(c.ownerArt().ID)+"/purchase", nil)
		}},
		{"POST", "/api/v1/arts/search-by-image", ok200, ok200, nil, func(c *authzCell) response {
			return c.uploadImage("/api/v1/arts/search-by-image")
		}},
		{"POST", "/api/v1/arts/hashtag-suggestions", expectUnauthenticated, ok200, nil, func(c *authzCell) response {
			return c.uploadImage("/api/v1/arts/hashtag-suggestions")
		}},

		{"GET", "/api/v1/auctions/{id}", ok200, ok200, ok200, get(auctionPath(""))},
		{"POST", "/api/v1/auctions/{id}/bids", expectUnauthenticated, ok201, expectProblem(403, "OWN_AUCTION"), func(c *authzCell) response {
			c.freshMember(5000)
			lot := c.ownerAuction(0)
			return c.send(http.MethodPost, "/api/v1/auctions/"+itoa(lot.Auction.ID)+"/bids", map[string]int64{"amount": lot.Auction.MinNextBid})
		}},
		{"GET", "/api/v1/auctions/{id}/bids", ok200, ok200, ok200, get(auctionPath("/bids"))},
		// A stream of an auction that has ended replays its bids, sends closed and ends.
		{"GET", "/api/v1/auctions/{id}/events", ok200, ok200, ok200, get(func(c *authzCell) string {
			return "/api/v1/auctions/" + itoa(c.world.boughtOut.Auction.ID) + "/events"
		})},
		{"GET", "/auctions/{id}/live", ok200, ok200, ok200, get(func(c *authzCell) string {
			return "/auctions/" + itoa(c.world.auction.Auction.ID) + "/live"
		})},
		{"POST", "/api/v1/auctions/{id}/buy-now", expectUnauthenticated, ok201, expectProblem(403, "OWN_AUCTION"), func(c *authzCell) response {
			c.freshMember(5000)
			return c.send(http.MethodPost, "/api/v1/auctions/"+itoa(c.ownerAuction(3000).Auction.ID)+"/buy-now", nil)
		}},
		{"GET", "/api/v1/me/bids", expectUnauthenticated, ok200, nil, get(fixed("/api/v1/me/bids"))},
		{"GET", "/api/v1/me/purchases", expectUnauthenticated, ok200, nil, get(fixed("/api/v1/me/purchases"))},
		{"GET", "/api/v1/me/sales", expectUnauthenticated, ok200, nil, get(fixed("/api/v1/me/sales"))},

		{"GET", "/api/v1/me/notifications", expectUnauthenticated, ok200, nil, get(fixed("/api/v1/me/notifications?unread=true"))},
		{"GET", "/api/v1/me/notifications/unread-count", expectUnauthenticated, ok200, nil,
			get(fixed("/api/v1/me/notifications/unread-count"))},
		// The owner's art_sold of the bought-out lot: another member gets what an unknown id gets.
		{"PUT", "/api/v1/me/notifications/{id}/read", expectUnauthenticated, expectProblem(404, "NOTIFICATION_NOT_FOUND"), ok204,
			func(c *authzCell) response {
				return c.send(http.MethodPut, "/api/v1/me/notifications/"+itoa(c.world.ownerNotification)+"/read", nil)
			}},
		{"POST", "/api/v1/me/notifications/read-all", expectUnauthenticated, ok204, nil, func(c *authzCell) response {
			c.freshMember(0)
			return c.send(http.MethodPost, "/api/v1/me/notifications/read-all", nil)
		}},
		{"POST", "/api/v1/me/stream-tickets", expectUnauthenticated, ok201, nil, func(c *authzCell) response {
			return c.send(http.MethodPost, "/api/v1/me/stream-tickets", nil)
		}},
		{"GET", "/api/v1/me/events", expectUnauthenticated, ok200, nil, func(c *authzCell) response {
			return c.openStream("/api/v1/me/events")
		}},
	}
}

// openStream GETs a stream that does not end by itself as the caller, checks
// the answer's head against the OpenAPI document and hangs up.
func (c *authzCell) openStream(path string) response {
	c.t.Helper()
	req, err := http.NewRequestWithContext(c.t.Context(), http.MethodGet, c.app.base+path, nil)
	require.NoError(c.t, err)
	if c.caller.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.caller.token)
	}
	res, err := streamClient.Do(req)
	require.NoError(c.t, err)
	defer res.Body.Close()
	var body []byte
	if res.StatusCode != http.StatusOK {
		body, err = io.ReadAll(res.Body)
		require.NoError(c.t, err)
	}
	checkAgainstSpec(c.t, req, nil, res, body)
	return response{status: res.StatusCode, header: res.Header, body: body}
}

// documentedOperations maps "METHOD /path" of every operation in the document.
func documentedOperations() map[string]*openapi3.Operation {
	ops := map[string]*openapi3.Operation{}
	for path, item := range spec.doc.Paths.Map() {
		for method, op := range item.Operations() {
			ops[method+" "+path] = op
		}
	}
	return ops
}

// bearerRequired tells whether the document demands a token: a security
// requirement with no empty alternative ({} means anonymous is allowed too).
func bearerRequired(op *openapi3.Operation) bool {
	requirements := spec.doc.Security
	if op.Security != nil {
		requirements = *op.Security
	}
	if len(requirements) == 0 {
		return false
	}
	for _, alternative := range requirements {
		if len(alternative) == 0 {
			return false
		}
	}
	return true
}

// successStatuses lists the 2xx answers the document gives an operation.
func successStatuses(op *openapi3.Operation) []int {
	var statuses []int
	for key := range op.Responses.Map() {
		if status, err := strconv.Atoi(key); err == nil && status >= 200 && status < 300 {
			statuses = append(statuses, status)
		}
	}
	sort.Ints(statuses)
	return statuses
}

// checkRowsAgainstDocument fails for an operation without a row, a row without
// an operation, and an expectation the document contradicts.
func checkRowsAgainstDocument(t *testing.T, rows []authzRow) {
	ops := documentedOperations()
	seen := map[string]bool{}
	for _, row := range rows {
		name := row.operation()
		assert.False(t, seen[name], "two rows for %s", name)
		seen[name] = true
		op, ok := ops[name]
		if !assert.True(t, ok, "the matrix has a row for %s, which is not in the OpenAPI document", name) {
			continue
		}
		if bearerRequired(op) {
			assert.Equal(t, expectUnauthenticated, row.anonymous, "%s requires a bearer token in the document", name)
		} else {
			assert.Less(t, row.anonymous.status, 300, "%s is open to anonymous callers in the document", name)
		}
		for who, want := range row.cells() {
			assert.NotNil(t, op.Responses.Status(want.status), "%s: %s expects %d, a status the document does not list", name, who, want.status)
			if want.status < 300 {
				assert.Equal(t, []int{want.status}, successStatuses(op), "%s: %s must expect the documented success", name, who)
			}
			assert.Equal(t, want.status >= 400, want.code != "", "%s: %s: a problem code goes with a 4xx and only with it", name, who)
		}
	}
	var missing []string
	for name := range ops {
		if !seen[name] {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	assert.Empty(t, missing, "operations in the OpenAPI document without a row in the authorization matrix")
}

func newAuthzWorld(t *testing.T) *authzWorld {
	t.Helper()
	a := startApp(t, withBundledDetector(t))
	issuer, err := security.NewJWTAccessTokens([]byte(a.vars["JWT_SECRET"]), 15*time.Minute)
	require.NoError(t, err)
	w := &authzWorld{app: a, db: openTestDB(t, a.vars["DATABASE_URL"]), issuer: issuer}
	w.owner, _, w.ownerID = w.memberClient(a, 1_000_000)
	w.stranger, w.strangerEmail, _ = w.memberClient(a, 1_000_000)

	w.art = w.owner.createArt(generalFields("Shared still life", 1000, "matrix"))
	w.auction = w.owner.listAuction("Shared lot", 1000, time.Now().Add(time.Hour), nil)
	res := w.stranger.bid(w.auction.Auction.ID, w.auction.Auction.MinNextBid)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	w.boughtOut = w.owner.listAuction("Bought-out lot", 1000, time.Now().Add(time.Hour), map[string][]string{"buy_now_price": {"2000"}})
	res = w.stranger.do(http.MethodPost, "/api/v1/auctions/"+itoa(w.boughtOut.Auction.ID)+"/buy-now", nil)
	require.Equal(t, http.StatusCreated, res.status, "%s", res.body)
	sold := w.owner.notifications(false)
	require.Len(t, sold, 1)
	w.ownerNotification = sold[0].ID
	return w
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	rows := authzRows()
	t.Run("rows match the document", func(t *testing.T) { checkRowsAgainstDocument(t, rows) })

	w := newAuthzWorld(t)
	// Every cell runs in parallel with every other: none may rely on another's effect.
	for _, row := range rows {
		t.Run(row.operation(), func(t *testing.T) {
			t.Parallel()
			for who, want := range row.cells() {
				t.Run(who.String(), func(t *testing.T) {
					t.Parallel()
					res := row.call(w.cell(t, who))
					require.Equal(t, want.status, res.status, "%s as %s: %s", row.operation(), who, res.body)
					if want.code != "" {
						assert.Equal(t, want.code, res.problemCode(t))
					}
				})
			}
		})
	}

	t.Run("token variants", func(t *testing.T) {
		t.Parallel()
		checkTokenVariants(t, w)
	})
}

// accessClaims reads a token's payload without checking it, to forge variants of it.
func accessClaims(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	require.Len(t, parts, 3)
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	require.NoError(t, err)
	var claims map[string]any
	require.NoError(t, json.Unmarshal(payload, &claims))
	return claims
}

func encodeSegment(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	require.NoError(t, err)
	return base64.RawURLEncoding.EncodeToString(raw)
}

// checkTokenVariants sends broken, forged and revoked tokens to a member-only
// operation and to one where the token is optional (a bad token is refused
// there too, not taken for anonymous).
func checkTokenVariants(t *testing.T, w *authzWorld) {
	c := w.cell(t, anonymousCaller)
	email, memberID, _ := w.insertMember(t)
	holder := patientClient(c.app, "")
	tokens := holder.login(email, goodPassword)
	claims := accessClaims(t, tokens.AccessToken)
	sessionID, ok := claims["sid"].(string)
	require.True(t, ok, "the access token names its session: %v", claims)

	// The service's own issuer and secret, an hour in the past.
	expired, _, err := w.issuer.Issue(memberID, sessionID, time.Now().Add(-time.Hour))
	require.NoError(t, err)
	otherIssuer, err := security.NewJWTAccessTokens([]byte("another-secret-just-as-long-0123456789"), 15*time.Minute)
	require.NoError(t, err)
	foreign, _, err := otherIssuer.Issue(memberID, sessionID, time.Now())
	require.NoError(t, err)
	parts := strings.Split(tokens.AccessToken, ".")
	claims["sub"] = strconv.FormatInt(w.ownerID, 10)
	otherSubject := parts[0] + "." + encodeSegment(t, claims) + "." + parts[2]
	unsigned := encodeSegment(t, map[string]string{"alg": "none", "typ": "JWT"}) + "." + parts[1] + "."

	targets := []struct{ name, path string }{
		{"member-only GET /api/v1/me", "/api/v1/me"},
		{"optional-token GET /api/v1/arts/{id}", "/api/v1/arts/" + itoa(w.art.ID)},
	}
	variants := []struct {
		name          string
		authorization string
		want          *authzOutcome
	}{
		{"the valid token itself", "Bearer " + tokens.AccessToken, expectSuccess(200)},
		// Authentication schemes are case-insensitive (RFC 9110, section 11.1).
		{"the valid token, scheme in lower case", "bearer " + tokens.AccessToken, expectSuccess(200)},
		{"expired", "Bearer " + expired, expectProblem(401, "TOKEN_EXPIRED")},
		{"signed with another secret", "Bearer " + foreign, expectUnauthenticated},
		{"subject changed to another member", "Bearer " + otherSubject, expectUnauthenticated},
		{"unsigned, alg none", "Bearer " + unsigned, expectUnauthenticated},
		{"refresh token as access token", "Bearer " + tokens.RefreshToken, expectUnauthenticated},
		{"access token without the Bearer scheme", tokens.AccessToken, expectUnauthenticated},
		{"Bearer with no token", "Bearer", expectUnauthenticated},
	}
	send := func(t *testing.T, path, authorization string) response {
		t.Helper()
		return w.cell(t, anonymousCaller).send(http.MethodGet, path, nil, "Authorization", authorization)
	}
	for _, target := range targets {
		for _, v := range variants {
			t.Run(fmt.Sprintf("%s/%s", target.name, v.name), func(t *testing.T) {
				res := send(t, target.path, v.authorization)
				require.Equal(t, v.want.status, res.status, "%s", res.body)
				if v.want.code != "" {
					assert.Equal(t, v.want.code, res.problemCode(t))
				}
			})
		}
	}

	res := holder.do(http.MethodPost, "/api/v1/auth/logout", nil)
	require.Equal(t, http.StatusNoContent, res.status, "%s", res.body)
	for _, target := range targets {
		t.Run(target.name+"/revoked after logout", func(t *testing.T) {
			res := send(t, target.path, "Bearer "+tokens.AccessToken)
			require.Equal(t, http.StatusUnauthorized, res.status, "%s", res.body)
			assert.Equal(t, "TOKEN_REVOKED", res.problemCode(t))
		})
	}
}
