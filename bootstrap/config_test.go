package bootstrap

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/caarlos0/env/v11"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultsNeedNothingInDevelopment(t *testing.T) {
	cfg, err := ParseConfig(map[string]string{})
	require.NoError(t, err)
	assert.Equal(t, ":8080", cfg.HTTPAddr)
	assert.Equal(t, "row", cfg.AuctionLockStrategy)
	assert.Equal(t, 3*time.Second, cfg.AuctionLockWait)
	assert.Equal(t, 336*time.Hour, cfg.RefreshTokenTTL)
	assert.True(t, cfg.RateLimitEnabled)
	assert.Equal(t, "console", cfg.MailTransport)
	assert.GreaterOrEqual(t, len(cfg.JWTSecret), 32, "development gets a usable secret")
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
}

func TestJWTSecretRules(t *testing.T) {
	_, err := ParseConfig(map[string]string{"APP_ENV": "prod", "JWT_SECRET": "short"})
	assert.ErrorContains(t, err, "at least 32 bytes")
	_, err = ParseConfig(map[string]string{"APP_ENV": "prod", "JWT_SECRET": devJWTSecret})
	assert.ErrorContains(t, err, "development secret")
	_, err = ParseConfig(map[string]string{"APP_ENV": "prod", "JWT_SECRET": strings.Repeat("k", 32)})
	assert.NoError(t, err)
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
