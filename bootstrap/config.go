package bootstrap

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"
)

// Config is every setting of the service, read from the environment once at
// start: one section per adapter or area (settings.go), so each constructor
// is handed the section it reads and nothing else.
type Config struct {
	App          AppSettings
	HTTP         HTTPSettings
	Admin        AdminSettings
	Postgres     PostgresSettings
	Redis        RedisSettings
	Lock         LockSettings
	Auction      AuctionSettings
	Auth         AuthSettings
	RateLimit    RateLimitSettings
	Mail         MailSettings
	SMTP         SMTPSettings
	Detection    DetectionSettings
	Images       ImageSettings
	S3           S3Config
	CatalogCache CatalogCacheSettings
	Live         LiveSettings
}

// devJWTSecret signs tokens in development only; validation refuses it elsewhere.
const devJWTSecret = "dev-only-secret-change-me-0123456789abcdef"

// LoadConfig reads the process environment.
func LoadConfig() (Config, error) {
	return ParseConfig(nil)
}

// ParseConfig reads the given variables, or the process environment when vars
// is nil, fills in the defaults the variables' tags cannot express, and
// validates the result; every error names its variable.
func ParseConfig(vars map[string]string) (Config, error) {
	opts := env.Options{}
	lookup := os.LookupEnv
	if vars != nil {
		opts.Environment = vars
		lookup = func(key string) (string, bool) { v, ok := vars[key]; return v, ok }
	}
	cfg, err := parseSections(opts)
	if err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	_, adminAddrSet := lookup("ADMIN_ADDR")
	cfg = cfg.withDefaults(adminAddrSet)
	if err := cfg.validate(); err != nil {
		return Config{}, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

// parseSections parses every section of Config from the environment of opts.
func parseSections(opts env.Options) (Config, error) {
	var cfg Config
	var errs []error
	sections := reflect.ValueOf(&cfg).Elem()
	for i := range sections.NumField() {
		section := sections.Field(i)
		if err := env.ParseWithOptions(section.Addr().Interface(), opts); err != nil {
			errs = append(errs, namingVariables(section.Type(), err))
		}
	}
	return cfg, errors.Join(errs...)
}

// namingVariables rewrites the parser's errors for a section, which name Go
// fields, to name the environment variables an operator actually sets.
func namingVariables(section reflect.Type, err error) error {
	keys := map[string]string{}
	for i := range section.NumField() {
		keys[section.Field(i).Name] = section.Field(i).Tag.Get("env")
	}
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

// withDefaults fills in what a variable's default cannot say: ADMIN_ADDR unset
// means defaultAdminAddr (loopback, next to the HTTP port) while set empty it turns the admin listener off (so it
// has no envDefault, which would replace empty); development runs without a
// JWT_SECRET; and the CORS list drops the spaces and blanks of "a, b" or of an
// empty value (as .env.example has it).
func (c Config) withDefaults(adminAddrSet bool) Config {
	if !adminAddrSet {
		c.Admin.Addr = defaultAdminAddr(c.HTTP.Addr)
	}
	if c.Auth.JWTSecret == "" && c.App.IsDev() {
		c.Auth.JWTSecret = devJWTSecret
	}
	origins := make([]string, 0, len(c.HTTP.CORSAllowedOrigins))
	for _, origin := range c.HTTP.CORSAllowedOrigins {
		if origin = strings.TrimSpace(origin); origin != "" {
			origins = append(origins, origin)
		}
	}
	c.HTTP.CORSAllowedOrigins = origins
	return c
}

// validate reports every setting that is wrong, each naming its variable.
func (c Config) validate() error {
	var p problems
	c.App.check(&p)
	c.HTTP.check(&p)
	c.Admin.check(&p)
	c.Postgres.check(&p)
	c.Redis.check(&p)
	c.Lock.check(&p)
	c.Auction.check(&p)
	c.Auth.check(&p, c.App)
	c.Mail.check(&p)
	if c.Mail.Transport == mailTransportSMTP {
		c.SMTP.check(&p)
	}
	c.Detection.check(&p)
	if err := validateImageStore(c.Images.Store, c.S3); err != nil {
		p = append(p, err)
	}
	if _, err := parseTrustedProxies(c.HTTP.TrustedProxies); err != nil {
		p = append(p, err)
	}
	c.CatalogCache.check(&p)
	c.Live.check(&p)
	return errors.Join(p...)
}

// sections are cfg's sections, each a value of its own type, for fx to hand a
// constructor the section it reads rather than the whole Config. A section
// added to Config is handed on with no other change.
func (c Config) sections() []any {
	fields := reflect.ValueOf(c)
	values := make([]any, fields.NumField())
	for i := range values {
		values[i] = fields.Field(i).Interface()
	}
	return values
}

// problems collects what is wrong with the settings, each naming its variable.
type problems []error

func (p *problems) add(variable, format string, args ...any) {
	*p = append(*p, fmt.Errorf("%s: %s", variable, fmt.Sprintf(format, args...)))
}

func (p *problems) positiveDuration(variable string, d time.Duration) {
	if d <= 0 {
		p.add(variable, "must be a positive duration such as 5s, got %s", d)
	}
}
