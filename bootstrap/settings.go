package bootstrap

import (
	"net"
	"net/url"
	"strings"
	"time"

	httpapi "github.com/artauction/artauction/adapters/http"
	"github.com/artauction/artauction/adapters/lock"
	"github.com/artauction/artauction/adapters/mail"
)

// The sections of Config. Each checks its own variables; none changes itself
// while checking (Config.withDefaults fills in what the tags cannot).

// AppSettings say where the service runs and how much it logs.
type AppSettings struct {
	Env      string `env:"APP_ENV" envDefault:"dev"`
	LogLevel string `env:"LOG_LEVEL" envDefault:"info"`
}

// IsDev reports whether the service runs in development mode.
func (s AppSettings) IsDev() bool { return s.Env == "dev" }

// HSTS reports whether answers tell browsers to use HTTPS only: in production,
// where TLS is certain; elsewhere it would stick to hosts that lack it.
func (s AppSettings) HSTS() bool { return s.Env == "prod" }

func (s AppSettings) check(p *problems) {
	switch s.Env {
	case "dev", "test", "staging", "prod":
	default:
		p.add("APP_ENV", "must be dev, test, staging or prod, got %q", s.Env)
	}
	switch s.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		p.add("LOG_LEVEL", "must be debug, info, warn or error, got %q", s.LogLevel)
	}
}

// HTTPSettings are the public listener's.
type HTTPSettings struct {
	Addr string `env:"HTTP_ADDR" envDefault:":8080"`
	// The read timeout bounds a whole request, body included: 90s lets a 10 MiB
	// photo up at about 1 Mbit/s. The write timeout counts from the end of the
	// headers, so it covers the upload too, plus the handler and the answer.
	// Live event streams lift the write timeout for themselves.
	ReadHeaderTimeout time.Duration `env:"HTTP_READ_HEADER_TIMEOUT" envDefault:"5s"`
	ReadTimeout       time.Duration `env:"HTTP_READ_TIMEOUT" envDefault:"90s"`
	WriteTimeout      time.Duration `env:"HTTP_WRITE_TIMEOUT" envDefault:"2m"`
	IdleTimeout       time.Duration `env:"HTTP_IDLE_TIMEOUT" envDefault:"2m"`
	// CORSAllowedOrigins are the web origins (scheme://host[:port]) whose pages
	// may call the API; none means no cross-origin access.
	CORSAllowedOrigins []string `env:"CORS_ALLOWED_ORIGINS" envSeparator:","`
	// TrustedProxies are the load balancers (addresses or CIDR ranges) whose
	// X-Forwarded-For names the client; none means the TCP peer is the client.
	TrustedProxies []string `env:"TRUSTED_PROXIES" envSeparator:","`
}

func (s HTTPSettings) check(p *problems) {
	p.positiveDuration("HTTP_READ_HEADER_TIMEOUT", s.ReadHeaderTimeout)
	p.positiveDuration("HTTP_READ_TIMEOUT", s.ReadTimeout)
	p.positiveDuration("HTTP_WRITE_TIMEOUT", s.WriteTimeout)
	p.positiveDuration("HTTP_IDLE_TIMEOUT", s.IdleTimeout)
	// The write deadline runs from the end of the headers, through the body.
	if s.WriteTimeout < s.ReadTimeout {
		p.add("HTTP_WRITE_TIMEOUT", "must be at least HTTP_READ_TIMEOUT, or a slow upload is read and then cut off")
	}
	for _, origin := range s.CORSAllowedOrigins {
		if !isOrigin(origin) {
			p.add("CORS_ALLOWED_ORIGINS", "%q is not an origin such as https://app.example.com (no path, no wildcard)", origin)
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

// AdminSettings are the admin listener's, which serves pprof and the runtime
// metrics; keep it off public interfaces.
type AdminSettings struct {
	// Addr empty turns the listener off; unset, it is defaultAdminAddr.
	Addr string `env:"ADMIN_ADDR"`
}

func (s AdminSettings) check(p *problems) {
	if s.Addr == "" {
		return
	}
	if _, _, err := net.SplitHostPort(s.Addr); err != nil {
		p.add("ADMIN_ADDR", "must be host:port such as 127.0.0.1:9091, or empty to turn it off")
	}
}

// PostgresSettings say which database and how many connections to it.
type PostgresSettings struct {
	URL string `env:"DATABASE_URL" envDefault:"postgres://postgres:postgres@127.0.0.1:5432/artauction?sslmode=disable"`
	// MaxConns caps the pool: more connections than the database has cores to
	// run them only queue up on a hot auction's lock (docs/benchmarks.md).
	MaxConns int `env:"DATABASE_MAX_CONNS" envDefault:"10"`
}

func (s PostgresSettings) check(p *problems) {
	if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		p.add("DATABASE_URL", "must be a postgres:// URL")
	}
	if s.MaxConns < 1 || s.MaxConns > 1000 {
		p.add("DATABASE_MAX_CONNS", "must be between 1 and 1000")
	}
}

// RedisSettings say which Redis and under which key prefix.
type RedisSettings struct {
	URL string `env:"REDIS_URL" envDefault:"redis://127.0.0.1:6379/0"`
	// KeyPrefix lets several deployments (or test runs) share one Redis.
	KeyPrefix string `env:"REDIS_KEY_PREFIX" envDefault:"artauction:"`
}

func (s RedisSettings) check(p *problems) {
	if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") {
		p.add("REDIS_URL", "must be a redis:// or rediss:// URL")
	}
}

// LockSettings choose how bids and sales on one auction or art are serialized
// (adapters/lock).
type LockSettings struct {
	Strategy string        `env:"AUCTION_LOCK_STRATEGY" envDefault:"row"`
	Wait     time.Duration `env:"AUCTION_LOCK_WAIT" envDefault:"3s"`
	TTL      time.Duration `env:"AUCTION_LOCK_TTL" envDefault:"5s"`
}

func (s LockSettings) check(p *problems) {
	if err := lock.CheckStrategy(s.Strategy); err != nil {
		p.add("AUCTION_LOCK_STRATEGY", "%v", err)
	}
	p.positiveDuration("AUCTION_LOCK_WAIT", s.Wait)
	p.positiveDuration("AUCTION_LOCK_TTL", s.TTL)
}

// AuctionSettings are how often ended auctions are closed and how long a late
// bid extends an auction.
type AuctionSettings struct {
	CloseInterval time.Duration `env:"AUCTION_CLOSE_INTERVAL" envDefault:"1s"`
	// ExtendWindow zero turns the extension off.
	ExtendWindow time.Duration `env:"AUCTION_EXTEND_WINDOW" envDefault:"0s"`
}

func (s AuctionSettings) check(p *problems) {
	p.positiveDuration("AUCTION_CLOSE_INTERVAL", s.CloseInterval)
	if s.ExtendWindow < 0 {
		p.add("AUCTION_EXTEND_WINDOW", "must be 0 (off) or a positive duration")
	}
}

// AuthSettings sign tokens and hash passwords.
type AuthSettings struct {
	JWTSecret       string        `env:"JWT_SECRET"`
	AccessTokenTTL  time.Duration `env:"ACCESS_TOKEN_TTL" envDefault:"15m"`
	RefreshTokenTTL time.Duration `env:"REFRESH_TOKEN_TTL" envDefault:"336h"`
	// BcryptCost trades login latency for resistance to offline guessing.
	BcryptCost int `env:"BCRYPT_COST" envDefault:"12"`
}

// placeholderMarks betray a JWT secret copied from an example rather than generated.
var placeholderMarks = []string{"change-me", "changeme", "change_me", "replace-me", "replaceme",
	"example", "placeholder", "dev-only", "your-secret", "your_secret", "insecure"}

func (s AuthSettings) check(p *problems, app AppSettings) {
	switch {
	case s.JWTSecret == "":
		p.add("JWT_SECRET", "is required outside APP_ENV=dev")
	case len(s.JWTSecret) < 32:
		p.add("JWT_SECRET", "must be at least 32 bytes")
	case s.JWTSecret == devJWTSecret && !app.IsDev():
		p.add("JWT_SECRET", "must not be the development secret outside APP_ENV=dev")
	case looksLikePlaceholder(s.JWTSecret) && !app.IsDev():
		p.add("JWT_SECRET", "looks like an example value; generate one, e.g. openssl rand -base64 48")
	}
	p.positiveDuration("ACCESS_TOKEN_TTL", s.AccessTokenTTL)
	p.positiveDuration("REFRESH_TOKEN_TTL", s.RefreshTokenTTL)
	if s.BcryptCost < 10 || s.BcryptCost > 16 {
		p.add("BCRYPT_COST", "must be between 10 and 16")
	}
}

func looksLikePlaceholder(secret string) bool {
	lower := strings.ToLower(secret)
	for _, mark := range placeholderMarks {
		if strings.Contains(lower, mark) {
			return true
		}
	}
	return false
}

// RateLimitSettings turn the limits on logins and verification codes (per
// client address and per email) on or off.
type RateLimitSettings struct {
	Enabled bool `env:"RATE_LIMIT_ENABLED" envDefault:"true"`
}

// Mail transports.
const (
	mailTransportConsole = "console"
	mailTransportSMTP    = "smtp"
)

// MailSettings choose how mail leaves: logged (console) or over SMTP.
type MailSettings struct {
	Transport string `env:"MAIL_TRANSPORT" envDefault:"console"`
}

func (s MailSettings) check(p *problems) {
	switch s.Transport {
	case mailTransportConsole, mailTransportSMTP:
	default:
		p.add("MAIL_TRANSPORT", "must be %s or %s, got %q", mailTransportConsole, mailTransportSMTP, s.Transport)
	}
}

// SMTPSettings are the SMTP server's, read with MAIL_TRANSPORT=smtp.
type SMTPSettings struct {
	Host     string `env:"SMTP_HOST"`
	Port     int    `env:"SMTP_PORT" envDefault:"587"`
	Username string `env:"SMTP_USERNAME"`
	Password string `env:"SMTP_PASSWORD"`
	From     string `env:"SMTP_FROM" envDefault:"artauction <no-reply@artauction.local>"`
	TLS      string `env:"SMTP_TLS" envDefault:"starttls"`
}

func (s SMTPSettings) check(p *problems) {
	if s.Host == "" {
		p.add("SMTP_HOST", "is required with MAIL_TRANSPORT=smtp")
	}
	if s.Port < 1 || s.Port > 65535 {
		p.add("SMTP_PORT", "must be a port number")
	}
	if err := mail.CheckTLSPolicy(s.TLS); err != nil {
		p.add("SMTP_TLS", "%v", err)
	}
}

// DetectionSettings reach the object detector that search by image and
// hashtag suggestions use; without a URL both answer 503.
type DetectionSettings struct {
	URL           string        `env:"DETECTION_URL"`
	Timeout       time.Duration `env:"DETECTION_TIMEOUT" envDefault:"5s"`
	MinConfidence float64       `env:"DETECTION_MIN_CONFIDENCE" envDefault:"0.4"`
	APIKey        string        `env:"DETECTION_API_KEY"`
	// LabelMap is a file of label=hashtag1,hashtag2 lines.
	LabelMap string `env:"DETECTION_LABEL_MAP"`
}

func (s DetectionSettings) check(p *problems) {
	if s.URL != "" {
		if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			p.add("DETECTION_URL", "must be an http:// or https:// URL")
		}
	}
	p.positiveDuration("DETECTION_TIMEOUT", s.Timeout)
	if s.MinConfidence < 0 || s.MinConfidence > 1 {
		p.add("DETECTION_MIN_CONFIDENCE", "must be between 0 and 1")
	}
}

// ImageSettings say where art images are kept: Store is local (files under
// Dir) or s3 (the object store of S3Config, shared by every instance).
type ImageSettings struct {
	Store string `env:"IMAGE_STORE" envDefault:"local"`
	Dir   string `env:"IMAGE_DIR" envDefault:"./data/images"`
}

// CatalogCacheSettings bound the in-memory cache of anonymous catalog answers.
type CatalogCacheSettings struct {
	// TTL is how long an answer is served again from this instance's memory
	// (0 turns the cache off); MB bounds that memory.
	TTL time.Duration `env:"CATALOG_CACHE_TTL" envDefault:"1s"`
	MB  int           `env:"CATALOG_CACHE_MB" envDefault:"16"`
}

func (s CatalogCacheSettings) check(p *problems) {
	// Anonymous answers may be at most a second stale.
	if s.TTL < 0 || s.TTL > httpapi.MaxCatalogStaleness {
		p.add("CATALOG_CACHE_TTL", "must be between 0 (off) and %s", httpapi.MaxCatalogStaleness)
	}
	if s.MB < 1 || s.MB > 1024 {
		p.add("CATALOG_CACHE_MB", "must be between 1 and 1024")
	}
}

// LiveSettings bound the live auction streams (server-sent events).
type LiveSettings struct {
	MaxWatchers      int           `env:"LIVE_MAX_WATCHERS" envDefault:"10000"`
	MaxWatchersPerIP int           `env:"LIVE_MAX_WATCHERS_PER_IP" envDefault:"50"`
	Heartbeat        time.Duration `env:"LIVE_HEARTBEAT" envDefault:"15s"`
	// ClientBuffer is how many events a watcher may fall behind before it is dropped.
	ClientBuffer int           `env:"LIVE_CLIENT_BUFFER" envDefault:"64"`
	WriteTimeout time.Duration `env:"LIVE_WRITE_TIMEOUT" envDefault:"10s"`
	// RetryHint is the reconnect delay streams suggest when Redis is unreachable.
	RetryHint time.Duration `env:"LIVE_RETRY_HINT" envDefault:"3s"`
}

// maxLiveHeartbeat is the longest silence the OpenAPI document lets a stream keep.
const maxLiveHeartbeat = 15 * time.Second

func (s LiveSettings) check(p *problems) {
	for _, limit := range []struct {
		name  string
		value int
	}{
		{"LIVE_MAX_WATCHERS", s.MaxWatchers},
		{"LIVE_MAX_WATCHERS_PER_IP", s.MaxWatchersPerIP},
		{"LIVE_CLIENT_BUFFER", s.ClientBuffer},
	} {
		if limit.value < 1 {
			p.add(limit.name, "must be a positive number")
		}
	}
	if s.Heartbeat <= 0 || s.Heartbeat > maxLiveHeartbeat {
		p.add("LIVE_HEARTBEAT", "must be a positive duration of at most %s", maxLiveHeartbeat)
	}
	p.positiveDuration("LIVE_WRITE_TIMEOUT", s.WriteTimeout)
	p.positiveDuration("LIVE_RETRY_HINT", s.RetryHint)
}
