package application_test

import (
	"bytes"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The dependency rules of docs/architecture.md: the domain is pure Go, the
// application knows the domain and its own ports, and only adapters and
// bootstrap know the frameworks, the drivers and HTTP.

const modulePath = "github.com/artauction/artauction"

// layerRule lists the import path prefixes a layer must not depend on, directly
// or through any other package.
type layerRule struct {
	layer     string
	forbidden []string
}

var (
	domainRule = layerRule{
		layer: "domain",
		forbidden: []string{
			"net/http",
			"github.com/labstack/echo",
			"github.com/uptrace/bun",
			"github.com/redis",
			"github.com/go-redis",
			"github.com/go-redsync",
			"go.uber.org/fx",
			"go.uber.org/zap",
			modulePath + "/application",
			modulePath + "/adapters",
			modulePath + "/bootstrap",
			modulePath + "/cmd",
			modulePath + "/test",
		},
	}
	applicationRule = layerRule{
		layer: "application",
		forbidden: []string{
			"net/http",
			"github.com/labstack/echo",
			"github.com/uptrace/bun",
			"github.com/redis",
			"github.com/go-redis",
			"github.com/go-redsync",
			modulePath + "/adapters",
			modulePath + "/bootstrap",
			modulePath + "/cmd",
			modulePath + "/test",
		},
	}
)

// brokenBy returns the forbidden prefix that dep falls under, or "" when the
// layer may depend on it. A prefix matches whole path elements only, so
// "github.com/redis" covers "github.com/redis/go-redis/v9" but not
// "github.com/redisfan/x".
func (r layerRule) brokenBy(dep string) string {
	for _, prefix := range r.forbidden {
		if dep == prefix || strings.HasPrefix(dep, prefix+"/") {
			return prefix
		}
	}
	return ""
}

// violations lists "package -> dependency (forbidden prefix)" for every
// forbidden prefix a package depends on, naming the first such dependency in
// path order (the root of a forbidden module sorts before its subpackages).
// The list is sorted for a stable report.
func (r layerRule) violations(deps map[string][]string) []string {
	var found []string
	for pkg, pkgDeps := range deps {
		sorted := append([]string(nil), pkgDeps...)
		sort.Strings(sorted)
		reported := map[string]bool{}
		for _, dep := range sorted {
			prefix := r.brokenBy(dep)
			if prefix == "" || reported[prefix] {
				continue
			}
			reported[prefix] = true
			found = append(found, pkg+" -> "+dep+" (no "+r.layer+" package may depend on "+prefix+")")
		}
	}
	sort.Strings(found)
	return found
}

// listDeps asks the go command for every package matching patterns and all of
// its transitive dependencies (test-only imports are not part of a layer).
func listDeps(t *testing.T, patterns ...string) map[string][]string {
	t.Helper()
	args := append([]string{"list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`}, patterns...)
	cmd := exec.Command("go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "go list %s: %s", strings.Join(patterns, " "), stderr.String())
	deps := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		deps[fields[0]] = fields[1:]
	}
	return deps
}

func TestDomainDependsOnNoFrameworkAndNoOuterLayer(t *testing.T) {
	deps := listDeps(t, modulePath+"/domain/...")
	require.Contains(t, deps, modulePath+"/domain/member", "the domain packages were not listed")

	assert.Empty(t, domainRule.violations(deps))
}

func TestApplicationDependsOnNoDriverAndNoAdapter(t *testing.T) {
	deps := listDeps(t, modulePath+"/application/...")
	require.Contains(t, deps, modulePath+"/application", "the application package was not listed")
	// The generated mocks are test support, not a layer.
	for pkg := range deps {
		if pkg == modulePath+"/application/mock" || strings.HasPrefix(pkg, modulePath+"/application/mock/") {
			delete(deps, pkg)
		}
	}

	assert.Empty(t, applicationRule.violations(deps))
}

func TestLayerRulesClassifyDependencies(t *testing.T) {
	tests := []struct {
		rule      layerRule
		dep       string
		forbidden bool
	}{
		{rule: domainRule, dep: "errors"},
		{rule: domainRule, dep: "net/mail"},
		{rule: domainRule, dep: modulePath + "/domain/validation"},
		{rule: domainRule, dep: "github.com/labstack/echo/v4", forbidden: true},
		{rule: domainRule, dep: "github.com/labstack/echo/v4/middleware", forbidden: true},
		{rule: domainRule, dep: "github.com/uptrace/bun/dialect/pgdialect", forbidden: true},
		{rule: domainRule, dep: "github.com/redis/go-redis/v9", forbidden: true},
		{rule: domainRule, dep: "github.com/go-redis/redis_rate/v10", forbidden: true},
		{rule: domainRule, dep: "github.com/go-redsync/redsync/v4", forbidden: true},
		{rule: domainRule, dep: "go.uber.org/fx", forbidden: true},
		{rule: domainRule, dep: "go.uber.org/zap/zapcore", forbidden: true},
		{rule: domainRule, dep: modulePath + "/application", forbidden: true},
		{rule: domainRule, dep: modulePath + "/adapters/postgres", forbidden: true},
		{rule: domainRule, dep: modulePath + "/bootstrap", forbidden: true},
		{rule: domainRule, dep: "github.com/labstack/echoes"},
		{rule: domainRule, dep: "github.com/redisfan/x"},
		{rule: applicationRule, dep: modulePath + "/domain/member"},
		{rule: applicationRule, dep: "go.uber.org/mock/gomock"},
		{rule: applicationRule, dep: "net/http", forbidden: true},
		{rule: applicationRule, dep: "net/http/httptrace", forbidden: true},
		{rule: applicationRule, dep: "net/mail"},
		{rule: applicationRule, dep: modulePath + "/adapters/redis", forbidden: true},
		{rule: applicationRule, dep: modulePath + "/bootstrap", forbidden: true},
		{rule: applicationRule, dep: "github.com/uptrace/bun", forbidden: true},
		{rule: applicationRule, dep: "github.com/labstack/echo/v4", forbidden: true},
		{rule: applicationRule, dep: "github.com/redis/go-redis/v9", forbidden: true},
		{rule: applicationRule, dep: "github.com/go-redsync/redsync/v4/redis/goredis/v9", forbidden: true},
	}
	for _, tt := range tests {
		t.Run(tt.rule.layer+" on "+tt.dep, func(t *testing.T) {
			assert.Equal(t, tt.forbidden, tt.rule.brokenBy(tt.dep) != "")
		})
	}
}

func TestLayerRulesReportAViolatingPackage(t *testing.T) {
	deps := map[string][]string{
		modulePath + "/domain/good": {"errors", modulePath + "/domain/validation"},
		modulePath + "/domain/bad": {
			"context", "github.com/uptrace/bun/schema", "github.com/uptrace/bun", "go.uber.org/zap", modulePath + "/adapters/redis",
		},
	}

	got := domainRule.violations(deps)

	assert.Equal(t, []string{
		modulePath + "/domain/bad -> " + modulePath + "/adapters/redis (no domain package may depend on " + modulePath + "/adapters)",
		modulePath + "/domain/bad -> github.com/uptrace/bun (no domain package may depend on github.com/uptrace/bun)",
		modulePath + "/domain/bad -> go.uber.org/zap (no domain package may depend on go.uber.org/zap)",
	}, got)
}

// The whole chain, go list included, must catch a real offender: echo's
// middleware depends on echo, which no domain package may.
func TestLayerRulesCatchARealDependency(t *testing.T) {
	deps := listDeps(t, "github.com/labstack/echo/v4/middleware")

	assert.Contains(t, domainRule.violations(deps),
		"github.com/labstack/echo/v4/middleware -> github.com/labstack/echo/v4 (no domain package may depend on github.com/labstack/echo)")
}
