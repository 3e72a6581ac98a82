package test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/http/openapi"
	"github.com/artauction/artauction/adapters/mail/smtptest"
	"github.com/artauction/artauction/adapters/postgres/pgtest"
	"github.com/artauction/artauction/adapters/redis/redistest"
	"github.com/artauction/artauction/bootstrap"
)

// spec is the served OpenAPI document; every answer a test receives is checked against it.
var spec = loadSpec()

func loadSpec() struct {
	doc    *openapi3.T
	router routers.Router
} {
	doc, err := openapi3.NewLoader().LoadFromData(openapi.YAML)
	if err != nil {
		panic(err)
	}
	doc.Servers = nil // match any host: the app listens on a random port
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		panic(err)
	}
	// An event stream is checked for its status and headers; its body is read as it comes.
	for _, binary := range []string{"text/html", "image/png", "image/jpeg", "image/webp", "text/event-stream"} {
		openapi3filter.RegisterBodyDecoder(binary, openapi3filter.FileBodyDecoder)
	}
	return struct {
		doc    *openapi3.T
		router routers.Router
	}{doc, router}
}

// covered records which operations answered which statuses, to show every
// documented operation was exercised.
var covered = struct {
	sync.Mutex
	statuses map[string]map[int]bool
}{statuses: map[string]map[int]bool{}}

func TestMain(m *testing.M) {
	code := m.Run()
	removeBuiltService()
	if code == 0 && !testing.Short() && runAll() {
		if missing := uncoveredOperations(); len(missing) > 0 {
			fmt.Fprintf(os.Stderr, "operations never answered with a 2xx in the black-box tests: %s\n", strings.Join(missing, ", "))
			code = 1
		}
	}
	os.Exit(code)
}

// runAll reports whether the whole package ran, not a -run subset.
func runAll() bool {
	for _, arg := range os.Args {
		if strings.HasPrefix(arg, "-test.run") {
			return false
		}
	}
	return true
}

func uncoveredOperations() []string {
	covered.Lock()
	defer covered.Unlock()
	var missing []string
	for path, item := range spec.doc.Paths.Map() {
		for method, op := range item.Operations() {
			ok := false
			for status := range covered.statuses[op.OperationID] {
				ok = ok || status < 300
			}
			if !ok {
				missing = append(missing, method+" "+path)
			}
		}
	}
	sort.Strings(missing)
	return missing
}

// app is one running service with its own database, Redis prefix and mail server.
type app struct {
	t    *testing.T
	base string
	mail *smtptest.Server
	// admin is the base URL of the admin listener (pprof, runtime metrics),
	// empty when ADMIN_ADDR turned it off.
	admin string
	// vars configured this instance; a second instance shares its state.
	vars map[string]string
	// mailsRead counts, per address, the mails a test already took a code from.
	mailsRead map[string]int
}

type appOption func(vars map[string]string)

func withRateLimits(vars map[string]string) { vars["RATE_LIMIT_ENABLED"] = "true" }

func withDevEnv(vars map[string]string) { vars["APP_ENV"] = "dev" }

// withEnv sets any variables, e.g. the lock strategy or the closer's interval.
func withEnv(extra map[string]string) appOption {
	return func(vars map[string]string) {
		for k, v := range extra {
			vars[k] = v
		}
	}
}

func startApp(t *testing.T, opts ...appOption) *app {
	t.Helper()
	mailServer := smtptest.Start(t)
	_, prefix := redistest.New(t)
	return launchApp(t, mailServer, pgtest.NewDatabase(t), prefix, t.TempDir(), opts...)
}

// startAppBeside starts a second instance of first's service: the same
// database, Redis prefix, mail server and images, as behind a load balancer.
func startAppBeside(t *testing.T, first *app, opts ...appOption) *app {
	t.Helper()
	return launchApp(t, first.mail, first.vars["DATABASE_URL"], first.vars["REDIS_KEY_PREFIX"], first.vars["IMAGE_DIR"], opts...)
}

func launchApp(t *testing.T, mailServer *smtptest.Server, dsn, prefix, imageDir string, opts ...appOption) *app {
	t.Helper()
	vars := map[string]string{
		"HTTP_ADDR":          "127.0.0.1:0",
		"DATABASE_URL":       dsn,
		"REDIS_URL":          redistest.URL(),
		"REDIS_KEY_PREFIX":   prefix,
		"APP_ENV":            "test",
		"JWT_SECRET":         "black-box-test-secret-0123456789abcdef",
		"BCRYPT_COST":        "10",
		"LOG_LEVEL":          "warn",
		"MAIL_TRANSPORT":     "smtp",
		"SMTP_HOST":          mailServer.Host(),
		"SMTP_PORT":          strconv.Itoa(mailServer.Port()),
		"SMTP_TLS":           "none",
		"RATE_LIMIT_ENABLED": "false",
		"IMAGE_DIR":          imageDir,
		"ADMIN_ADDR":         "127.0.0.1:0",
	}
	// The lock strategy of the environment, if any, runs the whole suite under it.
	if strategy := os.Getenv("AUCTION_LOCK_STRATEGY"); strategy != "" {
		vars["AUCTION_LOCK_STRATEGY"] = strategy
	}
	for _, opt := range opts {
		opt(vars)
	}
	cfg, err := bootstrap.ParseConfig(vars)
	require.NoError(t, err)
	var server *httpapi.Server
	var admin *httpapi.AdminServer
	populate := fx.Populate(&server)
	if cfg.Admin.Addr != "" {
		populate = fx.Populate(&server, &admin)
	}
	fxApp := bootstrap.NewApp(cfg, populate, fx.NopLogger)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, fxApp.Start(ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		require.NoError(t, fxApp.Stop(ctx))
	})
	a := &app{t: t, base: "http://" + server.Addr(), mail: mailServer, vars: vars, mailsRead: map[string]int{}}
	if admin != nil {
		a.admin = "http://" + admin.Addr()
	}
	return a
}

// client is one user agent (its own cookie jar) of an app.
type client struct {
	app   *app
	http  *http.Client
	token string
}

func (a *app) newClient() *client {
	jar, err := cookiejar.New(nil)
	require.NoError(a.t, err)
	return &client{app: a, http: &http.Client{Jar: jar, Timeout: 15 * time.Second}}
}

// response is an answer already checked against the OpenAPI document.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) decode(t *testing.T, dst any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.body, dst), "body: %s", r.body)
}

func (r response) problemCode(t *testing.T) string {
	t.Helper()
	var p struct {
		Code string `json:"code"`
	}
	r.decode(t, &p)
	return p.Code
}

// do sends a request; body may be nil, a []byte sent as is, or a value sent as JSON.
func (c *client) do(method, path string, body any, headers ...string) response {
	t := c.app.t
	t.Helper()
	var reader io.Reader
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		var err error
		raw, err = json.Marshal(b)
		require.NoError(t, err)
		headers = append([]string{"Content-Type", "application/json"}, headers...)
	}
	if raw != nil {
		reader = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, c.app.base+path, reader)
	require.NoError(t, err)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	if c.token != "" && req.Header.Get("Authorization") == "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	resBody, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	checkAgainstSpec(t, req, raw, res, resBody)
	return response{status: res.StatusCode, header: res.Header, body: resBody}
}

// checkAgainstSpec fails the test when an answer is not what the OpenAPI
// document promises; answers for paths outside it must still be problems.
func checkAgainstSpec(t *testing.T, req *http.Request, reqBody []byte, res *http.Response, resBody []byte) {
	t.Helper()
	require.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), "every answer carries nosniff")
	route, pathParams, err := spec.router.FindRoute(req)
	if err != nil {
		require.Equal(t, "application/problem+json", res.Header.Get("Content-Type"),
			"%s %s is not in the OpenAPI document, so it must answer a problem; got %d %s", req.Method, req.URL.Path, res.StatusCode, resBody)
		return
	}
	if reqBody != nil {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: pathParams, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status:  res.StatusCode,
		Header:  res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	input.SetBodyBytes(resBody)
	require.NoError(t, openapi3filter.ValidateResponse(context.Background(), input),
		"%s %s answered %d %s, which the OpenAPI document does not allow", req.Method, req.URL.Path, res.StatusCode, resBody)
	covered.Lock()
	defer covered.Unlock()
	id := route.Operation.OperationID
	if covered.statuses[id] == nil {
		covered.statuses[id] = map[int]bool{}
	}
	covered.statuses[id][res.StatusCode] = true
}

var sixDigits = regexp.MustCompile(`\b\d{6}\b`)

// codeFromMail waits for a mail to email beyond those already read and returns its code.
func (a *app) codeFromMail(email string) string {
	a.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var mails []smtptest.Message
		for _, m := range a.mail.Messages() {
			if strings.EqualFold(strings.Join(m.To, ","), email) {
				mails = append(mails, m)
			}
		}
		if len(mails) > a.mailsRead[email] {
			text := mails[a.mailsRead[email]].Text
			a.mailsRead[email]++
			code := sixDigits.FindString(text)
			require.NotEmpty(a.t, code, "no 6-digit code in the mail: %q", text)
			return code
		}
		require.True(a.t, time.Now().Before(deadline), "no new mail to %s within 10s", email)
		time.Sleep(20 * time.Millisecond)
	}
}

// mailCount is how many mails reached email so far.
func (a *app) mailCount(email string) int {
	n := 0
	for _, m := range a.mail.Messages() {
		if strings.EqualFold(strings.Join(m.To, ","), email) {
			n++
		}
	}
	return n
}
