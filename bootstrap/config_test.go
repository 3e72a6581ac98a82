package bootstrap

import (
	"bufio"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/fx"

	"github.com/artauction/artauction/adapters/lock"
	"github.com/artauction/artauction/adapters/mail"
)

func TestDefaultsNeedNothingInDevelopment(t *testing.T) {
	cfg, err := ParseConfig(map[string]string{})
	require.NoError(t, err)
	assert.Equal(t, ":8080", cfg.HTTP.Addr)
	assert.Equal(t, "row", cfg.Lock.Strategy)
	assert.Equal(t, 3*time.Second, cfg.Lock.Wait)
	assert.Equal(t, 336*time.Hour, cfg.Auth.RefreshTokenTTL)
	assert.True(t, cfg.RateLimit.Enabled)
	assert.Equal(t, "console", cfg.Mail.Transport)
	assert.GreaterOrEqual(t, len(cfg.Auth.JWTSecret), 32, "development gets a usable secret")
}

func TestEveryBadVariableIsNamed(t *testing.T) {
	_, err := ParseConfig(map[string]string{
		"APP_ENV":               "prod",
		"AUCTION_LOCK_STRATEGY": "hope",
		"AUCTION_LOCK_WAIT":     "0s",
		"MAIL_TRANSPORT":        "smtp",
		"LOG_LEVEL":             "loud",
		"BCRYPT_COST":           "4",
	})
	require.Error(t, err)
	for _, name := range []string{"JWT_SECRET", "AUCTION_LOCK_STRATEGY", "AUCTION_LOCK_WAIT", "SMTP_HOST", "LOG_LEVEL", "BCRYPT_COST"} {
		assert.Contains(t, err.Error(), name)
	}
}

func TestUnparsableValueNamesItsVariable(t *testing.T) {
	_, err := ParseConfig(map[string]string{"RATE_LIMIT_ENABLED": "maybe"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "RATE_LIMIT_ENABLED")
	_, err = ParseConfig(map[string]string{"ACCESS_TOKEN_TTL": "soon"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ACCESS_TOKEN_TTL")
	_, err = ParseConfig(map[string]string{"SMTP_PORT": "many", "LIVE_HEARTBEAT": "often"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SMTP_PORT")
	assert.Contains(t, err.Error(), "LIVE_HEARTBEAT")
}

func TestJWTSecretRules(t *testing.T) {
	generated := "q7Vh2mZr9XbN4tLw8sKc1eYp6uJd3aGf5oRi0nTx"
	for _, tc := range []struct {
		name, env, secret string
		refused           string // a part of the error, or empty when accepted
	}{
		{"missing in dev gets the development secret", "dev", "", ""},
		{"the development secret in dev", "dev", devJWTSecret, ""},
		{"a generated secret in prod", "prod", generated, ""},
		{"a generated secret in test", "test", generated, ""},
		{"missing in prod", "prod", "", "is required"},
		{"missing in staging", "staging", "", "is required"},
		{"31 bytes", "prod", generated[:31], "at least 32 bytes"},
		{"short in dev too", "dev", "short", "at least 32 bytes"},
		{"the development secret in prod", "prod", devJWTSecret, "development secret"},
		{"the development secret in test", "test", devJWTSecret, "development secret"},
		{"a change-me placeholder", "prod", "change-me-to-a-long-random-string-please", "example value"},
		{"a CHANGEME placeholder", "staging", "CHANGEME-CHANGEME-CHANGEME-CHANGEME-0001", "example value"},
		{"an example secret", "prod", "example-jwt-secret-0123456789abcdef0123", "example value"},
		{"a your-secret placeholder", "prod", "your-secret-key-goes-here-0123456789abcd", "example value"},
		{"a dev-only secret", "prod", "dev-only-jwt-key-0123456789abcdef0123456", "example value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseConfig(map[string]string{"APP_ENV": tc.env, "JWT_SECRET": tc.secret})
			if tc.refused != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), "JWT_SECRET")
				assert.Contains(t, err.Error(), tc.refused)
				return
			}
			require.NoError(t, err)
			assert.GreaterOrEqual(t, len(cfg.Auth.JWTSecret), 32)
		})
	}
}

func TestHTTPSettings(t *testing.T) {
	cfg, err := ParseConfig(map[string]string{})
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, cfg.HTTP.ReadHeaderTimeout)
	assert.Equal(t, 90*time.Second, cfg.HTTP.ReadTimeout)
	assert.Equal(t, 2*time.Minute, cfg.HTTP.WriteTimeout)
	assert.Equal(t, "127.0.0.1:9091", cfg.Admin.Addr, "the admin listener is on loopback by default")
	assert.Empty(t, cfg.HTTP.CORSAllowedOrigins, "no cross-origin access by default")
	assert.False(t, cfg.App.HSTS())

	cfg, err = ParseConfig(map[string]string{"ADMIN_ADDR": "", "CORS_ALLOWED_ORIGINS": ""})
	require.NoError(t, err)
	assert.Empty(t, cfg.Admin.Addr, "set empty, the admin listener is off")
	assert.Empty(t, cfg.HTTP.CORSAllowedOrigins)

	cfg, err = ParseConfig(map[string]string{
		"CORS_ALLOWED_ORIGINS": "https://app.example.com, http://localhost:5173",
		"APP_ENV":              "prod", "JWT_SECRET": "q7Vh2mZr9XbN4tLw8sKc1eYp6uJd3aGf5oRi0nTx",
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"https://app.example.com", "http://localhost:5173"}, cfg.HTTP.CORSAllowedOrigins)
	assert.True(t, cfg.App.HSTS(), "HSTS in production")

	for _, tc := range []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"CORS_ALLOWED_ORIGINS": "*"}, "CORS_ALLOWED_ORIGINS"},
		{map[string]string{"CORS_ALLOWED_ORIGINS": "https://*.example.com"}, "CORS_ALLOWED_ORIGINS"},
		{map[string]string{"CORS_ALLOWED_ORIGINS": "https://app.example.com/"}, "CORS_ALLOWED_ORIGINS"},
		{map[string]string{"CORS_ALLOWED_ORIGINS": "app.example.com"}, "CORS_ALLOWED_ORIGINS"},
		{map[string]string{"ADMIN_ADDR": "9091"}, "ADMIN_ADDR"},
		{map[string]string{"HTTP_READ_HEADER_TIMEOUT": "0s"}, "HTTP_READ_HEADER_TIMEOUT"},
		{map[string]string{"HTTP_IDLE_TIMEOUT": "-1s"}, "HTTP_IDLE_TIMEOUT"},
		{map[string]string{"HTTP_READ_TIMEOUT": "3m", "HTTP_WRITE_TIMEOUT": "1m"}, "HTTP_WRITE_TIMEOUT"},
	} {
		_, err := ParseConfig(tc.vars)
		require.Error(t, err, "%v", tc.vars)
		assert.Contains(t, err.Error(), tc.want)
	}
}

// The example file lists every variable the service reads.
func TestEnvExampleListsEveryVariable(t *testing.T) {
	f, err := os.Open("../.env.example")
	require.NoError(t, err)
	defer f.Close()
	listed := map[string]bool{}
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		if name, _, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(line, "#") {
			listed[name] = true
		}
	}
	require.NoError(t, scanner.Err())
	for _, name := range configVariables() {
		assert.True(t, listed[name], "%s is missing from .env.example", name)
	}
}

func configVariables() []string {
	params, err := env.GetFieldParams(&Config{})
	if err != nil {
		panic(err)
	}
	names := make([]string, 0, len(params))
	for _, p := range params {
		names = append(names, p.Key)
	}
	return names
}

func TestCatalogCacheSettings(t *testing.T) {
	cfg, err := ParseConfig(map[string]string{})
	require.NoError(t, err)
	assert.Equal(t, time.Second, cfg.CatalogCache.TTL, "anonymous reads may be a second stale by default")
	assert.Equal(t, 16, cfg.CatalogCache.MB)

	cfg, err = ParseConfig(map[string]string{"CATALOG_CACHE_TTL": "0s"})
	require.NoError(t, err, "0 turns the cache off")
	assert.Zero(t, cfg.CatalogCache.TTL)

	for _, bad := range []map[string]string{
		{"CATALOG_CACHE_TTL": "1001ms"}, {"CATALOG_CACHE_TTL": "-1s"},
		{"CATALOG_CACHE_MB": "0"}, {"CATALOG_CACHE_MB": "2048"},
	} {
		_, err := ParseConfig(bad)
		require.Error(t, err, "%v", bad)
		for name := range bad {
			assert.Contains(t, err.Error(), name)
		}
	}
}

// Each section reaches fx: a constructor asking for one finds it.
func TestSettingsHandEverySectionToFx(t *testing.T) {
	cfg, err := ParseConfig(map[string]string{})
	require.NoError(t, err)
	sections := reflect.ValueOf(cfg)
	in := make([]reflect.Type, sections.NumField())
	for i := range in {
		in[i] = sections.Type().Field(i).Type
	}
	// A constructor that asks for every section at once.
	var handed []reflect.Value
	asksForAll := reflect.MakeFunc(reflect.FuncOf(in, nil, false), func(args []reflect.Value) []reflect.Value {
		handed = args
		return nil
	})
	require.NoError(t, fx.New(configOptions(cfg), fx.Invoke(asksForAll.Interface()), fx.NopLogger).Err())
	require.Len(t, handed, sections.NumField())
	for i := range sections.NumField() {
		name := sections.Type().Field(i).Name
		assert.Equal(t, sections.Field(i).Interface(), handed[i].Interface(), name)
		section := sections.Type().Field(i).Type
		for j := range section.NumField() {
			assert.NotEmpty(t, section.Field(j).Tag.Get("env"), "%s.%s is read from no variable", name, section.Field(j).Name)
		}
	}
}

func TestSettingsTheAdaptersKnowAreAskedOfThem(t *testing.T) {
	_, err := ParseConfig(map[string]string{"AUCTION_LOCK_STRATEGY": "hope"})
	require.ErrorContains(t, err, "AUCTION_LOCK_STRATEGY")
	for _, strategy := range lock.Strategies() {
		assert.Contains(t, err.Error(), strategy, "the error names the strategies there are")
		_, err := ParseConfig(map[string]string{"AUCTION_LOCK_STRATEGY": strategy})
		assert.NoError(t, err, strategy)
	}

	_, err = ParseConfig(map[string]string{"MAIL_TRANSPORT": "smtp", "SMTP_HOST": "mail.example.com", "SMTP_TLS": "maybe"})
	require.ErrorContains(t, err, "SMTP_TLS")
	for _, policy := range mail.TLSPolicies() {
		assert.Contains(t, err.Error(), policy)
	}
	_, err = ParseConfig(map[string]string{"MAIL_TRANSPORT": "console", "SMTP_TLS": "maybe"})
	assert.NoError(t, err, "SMTP settings are not read without MAIL_TRANSPORT=smtp")
}
