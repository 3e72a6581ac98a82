package bootstrap

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	httpapi "github.com/artauction/artauction/adapters/http"
)

// Config is every setting of the service, read from the environment once at start.
type Config struct {
	HTTPAddr string `env:"HTTP_ADDR" envDefault:":8080"`
	// The read timeout bounds a whole request, body included: 90s lets a 10 MiB
	// photo up at about 1 Mbit/s. The write timeout counts from the end of the
	// headers, so it covers the upload too, plus the handler and the answer.
	// Live event streams lift the write timeout for themselves.
	HTTPReadHeaderTimeout time.Duration `env:"HTTP_READ_HEADER_TIMEOUT" envDefault:"5s"`
	HTTPReadTimeout       time.Duration `env:"HTTP_READ_TIMEOUT" envDefault:"90s"`
	HTTPWriteTimeout      time.Duration `env:"HTTP_WRITE_TIMEOUT" envDefault:"2m"`
	HTTPIdleTimeout       time.Duration `env:"HTTP_IDLE_TIMEOUT" envDefault:"2m"`
	// CORSAllowedOrigins are the web origins (scheme://host[:port]) whose pages
	// may call the API; none means no cross-origin access.
	CORSAllowedOrigins []string `env:"CORS_ALLOWED_ORIGINS" envSeparator:","`
	// TrustedProxies are the load balancers (addresses or CIDR ranges) whose
	// X-Forwarded-For names the client; none means the TCP peer is the client.
	TrustedProxies []string `env:"TRUSTED_PROXIES" envSeparator:","`
	// AdminAddr serves pprof and the runtime metrics; keep it off public
	// interfaces. Unset means defaultAdminAddr; set to empty, it turns the
	// admin listener off (so it has no envDefault, which would replace empty).
	AdminAddr   string `env:"ADMIN_ADDR"`
	DatabaseURL string `env:"DATABASE_URL" envDefault:"postgres://postgres:postgres@127.0.0.1:5432/artauction?sslmode=disable"`
	// DatabaseMaxConns caps the pool: more connections than the database
	// has cores to run them only queue up on a hot auction's lock (docs/benchmarks.md).
	DatabaseMaxConns int    `env:"DATABASE_MAX_CONNS" envDefault:"10"`
	RedisURL         string `env:"REDIS_URL" envDefault:"redis://127.0.0.1:6379/0"`
	// RedisKeyPrefix lets several deployments (or test runs) share one Redis.
	RedisKeyPrefix string `env:"REDIS_KEY_PREFIX" envDefault:"artauction:"`

	AuctionLockStrategy  string        `env:"AUCTION_LOCK_STRATEGY" envDefault:"row"`
	AuctionLockWait      time.Duration `env:"AUCTION_LOCK_WAIT" envDefault:"3s"`
	AuctionLockTTL       time.Duration `env:"AUCTION_LOCK_TTL" envDefault:"5s"`
	AuctionCloseInterval time.Duration `env:"AUCTION_CLOSE_INTERVAL" envDefault:"1s"`
	AuctionExtendWindow  time.Duration `env:"AUCTION_EXTEND_WINDOW" envDefault:"0s"`

	JWTSecret       string        `env:"JWT_SECRET"`
	AccessTokenTTL  time.Duration `env:"ACCESS_TOKEN_TTL" envDefault:"15m"`
	RefreshTokenTTL time.Duration `env:"REFRESH_TOKEN_TTL" envDefault:"336h"`
	// BcryptCost trades login latency for resistance to offline guessing.
	BcryptCost int `env:"BCRYPT_COST" envDefault:"12"`

	MailTransport string `env:"MAIL_TRANSPORT" envDefault:"console"`
	SMTPHost      string `env:"SMTP_HOST"`
	SMTPPort      int    `env:"SMTP_PORT" envDefault:"587"`
	SMTPUsername  string `env:"SMTP_USERNAME"`
	SMTPPassword  string `env:"SMTP_PASSWORD"`
	SMTPFrom      string `env:"SMTP_FROM" envDefault:"artauction <no-reply@artauction.local>"`
	SMTPTLS       string `env:"SMTP_TLS" envDefault:"starttls"`

	DetectionURL           string        `env:"DETECTION_URL"`
	DetectionTimeout       time.Duration `env:"DETECTION_TIMEOUT" envDefault:"5s"`
	DetectionMinConfidence float64       `env:"DETECTION_MIN_CONFIDENCE" envDefault:"0.4"`
	DetectionAPIKey        string        `env:"DETECTION_API_KEY"`
	// DetectionLabelMap is a file of label=hashtag1,hashtag2 lines; unset, the
	// default map of COCO labels to hashtags (adapters/detection/default_labels.txt).
	DetectionLabelMap string `env:"DETECTION_LABEL_MAP"`

	// ImageStore is local (files under ImageDir) or s3 (the object store S3
	// says, shared by every instance).
	ImageStore       string `env:"IMAGE_STORE" envDefault:"local"`
	ImageDir         string `env:"IMAGE_DIR" envDefault:"./data/images"`
	S3               S3Config
	AppEnv           string `env:"APP_ENV" envDefault:"dev"`
	LogLevel         string `env:"LOG_LEVEL" envDefault:"info"`
	RateLimitEnabled bool   `env:"RATE_LIMIT_ENABLED" envDefault:"true"`

	// CatalogCacheTTL is how long an anonymous catalog answer is served again
	// from this instance's memory (0 turns the cache off); CatalogCacheMB bounds
	// that memory.
	CatalogCacheTTL time.Duration `env:"CATALOG_CACHE_TTL" envDefault:"1s"`
	CatalogCacheMB  int           `env:"CATALOG_CACHE_MB" envDefault:"16"`

	// Live auction streams (server-sent events).
	LiveMaxWatchers      int           `env:"LIVE_MAX_WATCHERS" envDefault:"10000"`
	LiveMaxWatchersPerIP int           `env:"LIVE_MAX_WATCHERS_PER_IP" envDefault:"50"`
	LiveHeartbeat        time.Duration `env:"LIVE_HEARTBEAT" envDefault:"15s"`
	// LiveClientBuffer is how many events a watcher may fall behind before it is dropped.
	LiveClientBuffer int           `env:"LIVE_CLIENT_BUFFER" envDefault:"64"`
	LiveWriteTimeout time.Duration `env:"LIVE_WRITE_TIMEOUT" envDefault:"10s"`
	// LiveRetryHint is the reconnect delay streams suggest when Redis is unreachable.
	LiveRetryHint time.Duration `env:"LIVE_RETRY_HINT" envDefault:"3s"`
}

// devJWTSecret signs tokens in development only; validate refuses it elsewhere.
const devJWTSecret = "dev-only-secret-change-me-0123456789abcdef"

// placeholderMarks betray a JWT secret copied from an example rather than generated.
var placeholderMarks = []string{"change-me", "changeme", "change_me", "replace-me", "replaceme",
	"example", "placeholder", "dev-only", "your-secret", "your_secret", "insecure"}

// LoadConfig reads the process environment.
func LoadConfig() (Config, error) {
	return ParseConfig(nil)
}

// ParseConfig reads the given variables, or the process environment when vars is nil,
// and validates them; every error names its variable.
func ParseConfig(vars map[string]string) (Config, error) {
	opts := env.Options{}
	lookup := os.LookupEnv
	if vars != nil {
		opts.Environment = vars
		lookup = func(key string) (string, bool) { v, ok := vars[key]; return v, ok }
	}
	cfg, err := env.ParseAsWithOptions[Config](opts)
	if err != nil {
		return Config{}, fmt.Errorf("configuration: %w", namingVariables(err))
	}
	if _, set := lookup("ADMIN_ADDR"); !set {
		cfg.AdminAddr = defaultAdminAddr(cfg.HTTPAddr)
	}
	if err := cfg.validate(); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

// namingVariables rewrites the parser's errors, which name Go fields, to name
// the environment variables an operator actually sets.
func namingVariables(err error) error {
	keys := map[string]string{}
	envKeys(reflect.TypeFor[Config](), keys)
	var agg env.AggregateError
	if !errors.As(err, &agg) {
		return err
	}
	named := make([]error, 0, len(agg.Errors))
	for _, e := range agg.Errors {
		var pe env.ParseError
		if errors.As(e, &pe) && keys[pe.Name] != "" {
			named = append(named, fmt.Errorf("%s: %w", keys[pe.Name], pe.Err))
			continue
		}
		named = append(named, e)
	}
	return errors.Join(named...)
}

// envKeys maps the name of every field of a settings struct, and of the
// structs in it, to its variable.
func envKeys(fields reflect.Type, keys map[string]string) {
	for i := range fields.NumField() {
		field := fields.Field(i)
		if field.Type.Kind() == reflect.Struct && field.Tag.Get("env") == "" {
			envKeys(field.Type, keys)
			continue
		}
		keys[field.Name] = field.Tag.Get("env")
	}
}

// IsDev reports whether the service runs in development mode.
func (c Config) IsDev() bool { return c.AppEnv == "dev" }

func (c *Config) validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	switch c.AppEnv {
	case "dev", "test", "staging", "prod":
	default:
		bad("APP_ENV", "must be dev, test, staging or prod, got %q", c.AppEnv)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("LOG_LEVEL", "must be debug, info, warn or error, got %q", c.LogLevel)
	}
	if u, err := url.Parse(c.DatabaseURL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		bad("DATABASE_URL", "must be a postgres:// URL")
	}
	if c.DatabaseMaxConns < 1 || c.DatabaseMaxConns > 1000 {
		bad("DATABASE_MAX_CONNS", "must be between 1 and 1000")
	}
	if u, err := url.Parse(c.RedisURL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		bad("REDIS_URL", "must be a redis:// or rediss:// URL")
	}
	switch c.AuctionLockStrategy {
	case "row", "named", "redis", "optimistic":
	default:
		bad("AUCTION_LOCK_STRATEGY", "must be row, named, redis or optimistic, got %q", c.AuctionLockStrategy)
	}
	positive := map[string]time.Duration{
		"AUCTION_LOCK_WAIT": c.AuctionLockWait, "AUCTION_LOCK_TTL": c.AuctionLockTTL,
		"AUCTION_CLOSE_INTERVAL": c.AuctionCloseInterval, "ACCESS_TOKEN_TTL": c.AccessTokenTTL,
		"REFRESH_TOKEN_TTL": c.RefreshTokenTTL, "DETECTION_TIMEOUT": c.DetectionTimeout,
	}
	for _, name := range []string{"AUCTION_LOCK_WAIT", "AUCTION_LOCK_TTL", "AUCTION_CLOSE_INTERVAL",
		"ACCESS_TOKEN_TTL", "REFRESH_TOKEN_TTL", "DETECTION_TIMEOUT"} {
		if positive[name] <= 0 {
			bad(name, "must be a positive duration such as 5s")
		}
	}
	if c.AuctionExtendWindow < 0 {
		bad("AUCTION_EXTEND_WINDOW", "must be 0 (off) or a positive duration")
	}
	if c.DetectionURL != "" {
		if u, err := url.Parse(c.DetectionURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("DETECTION_URL", "must be an http:// or https:// URL")
		}
	}
	if err := validateImageStore(c.ImageStore, c.S3); err != nil {
		errs = append(errs, err)
	}
	if _, err := parseTrustedProxies(c.TrustedProxies); err != nil {
		errs = append(errs, err)
	}
	c.validateLive(bad)
	c.validateHTTP(bad)
	c.validateCatalogCache(bad)
	if c.DetectionMinConfidence < 0 || c.DetectionMinConfidence > 1 {
		bad("DETECTION_MIN_CONFIDENCE", "must be between 0 and 1")
	}
	switch {
	case c.JWTSecret == "" && c.IsDev():
		c.JWTSecret = devJWTSecret
	case c.JWTSecret == "":
		bad("JWT_SECRET", "is required outside APP_ENV=dev")
	case len(c.JWTSecret) < 32:
		bad("JWT_SECRET", "must be at least 32 bytes")
	case c.JWTSecret == devJWTSecret && !c.IsDev():
		bad("JWT_SECRET", "must not be the development secret outside APP_ENV=dev")
	case looksLikePlaceholder(c.JWTSecret) && !c.IsDev():
		bad("JWT_SECRET", "looks like an example value; generate one, e.g. openssl rand -base64 48")
	}
	if c.BcryptCost < 10 || c.BcryptCost > 16 {
		bad("BCRYPT_COST", "must be between 10 and 16")
	}
	switch c.MailTransport {
	case "console":
	case "smtp":
		if c.SMTPHost == "" {
			bad("SMTP_HOST", "is required with MAIL_TRANSPORT=smtp")
		}
		if c.SMTPPort < 1 || c.SMTPPort > 65535 {
			bad("SMTP_PORT", "must be a port number")
		}
		switch c.SMTPTLS {
		case "starttls", "mandatory", "none":
		default:
			bad("SMTP_TLS", "must be starttls, mandatory or none, got %q", c.SMTPTLS)
		}
	default:
		bad("MAIL_TRANSPORT", "must be console or smtp, got %q", c.MailTransport)
	}
	return errors.Join(errs...)
}

// HSTS reports whether answers tell browsers to use HTTPS only: in production,
// where TLS is certain; elsewhere it would stick to hosts that lack it.
func (c Config) HSTS() bool { return c.AppEnv == "prod" }

func looksLikePlaceholder(secret string) bool {
	lower := strings.ToLower(secret)
	for _, mark := range placeholderMarks {
		if strings.Contains(lower, mark) {
			return true
		}
	}
	return false
}

func (c *Config) validateHTTP(bad func(name, format string, args ...any)) {
	for _, t := range []struct {
		name  string
		value time.Duration
	}{
		{"HTTP_READ_HEADER_TIMEOUT", c.HTTPReadHeaderTimeout},
		{"HTTP_READ_TIMEOUT", c.HTTPReadTimeout},
		{"HTTP_WRITE_TIMEOUT", c.HTTPWriteTimeout},
		{"HTTP_IDLE_TIMEOUT", c.HTTPIdleTimeout},
	} {
		if t.value <= 0 {
			bad(t.name, "must be a positive duration such as 30s")
		}
	}
	// The write deadline runs from the end of the headers, through the body.
	if c.HTTPWriteTimeout < c.HTTPReadTimeout {
		bad("HTTP_WRITE_TIMEOUT", "must be at least HTTP_READ_TIMEOUT, or a slow upload is read and then cut off")
	}
	// "a, b" and an empty value (as .env.example has it) are fine.
	origins := make([]string, 0, len(c.CORSAllowedOrigins))
	for _, origin := range c.CORSAllowedOrigins {
		if origin = strings.TrimSpace(origin); origin == "" {
			continue
		}
		if !isOrigin(origin) {
			bad("CORS_ALLOWED_ORIGINS", "%q is not an origin such as https://app.example.com (no path, no wildcard)", origin)
		}
		origins = append(origins, origin)
	}
	c.CORSAllowedOrigins = origins
	if c.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			bad("ADMIN_ADDR", "must be host:port such as 127.0.0.1:9091, or empty to turn it off")
		}
	}
}

// isOrigin reports whether s is exactly scheme://host[:port] over HTTP(S), as
// browsers send it in the Origin header.
func isOrigin(s string) bool {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false
	}
	return u.Scheme+"://"+u.Host == s && !strings.Contains(u.Host, "*")
}

func (c *Config) validateCatalogCache(bad func(name, format string, args ...any)) {
	// Anonymous answers may be at most a second stale.
	if c.CatalogCacheTTL < 0 || c.CatalogCacheTTL > httpapi.MaxCatalogStaleness {
		bad("CATALOG_CACHE_TTL", "must be between 0 (off) and %s", httpapi.MaxCatalogStaleness)
	}
	if c.CatalogCacheMB < 1 || c.CatalogCacheMB > 1024 {
		bad("CATALOG_CACHE_MB", "must be between 1 and 1024")
	}
}

func (c *Config) validateLive(bad func(name, format string, args ...any)) {
	// A slice, not a map: errors come out in the same order every time.
	for _, limit := range []struct {
		name  string
		value int
	}{
		{"LIVE_MAX_WATCHERS", c.LiveMaxWatchers},
		{"LIVE_MAX_WATCHERS_PER_IP", c.LiveMaxWatchersPerIP},
		{"LIVE_CLIENT_BUFFER", c.LiveClientBuffer},
	} {
		if limit.value < 1 {
			bad(limit.name, "must be a positive number")
		}
	}
	// The OpenAPI document promises a sign of life at least every 15 s.
	if c.LiveHeartbeat <= 0 || c.LiveHeartbeat > 15*time.Second {
		bad("LIVE_HEARTBEAT", "must be a positive duration of at most 15s")
	}
	if c.LiveWriteTimeout <= 0 {
		bad("LIVE_WRITE_TIMEOUT", "must be a positive duration such as 10s")
	}
	if c.LiveRetryHint <= 0 {
		bad("LIVE_RETRY_HINT", "must be a positive duration such as 3s")
	}
}
