package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/artauction/artauction/adapters/http/openapi"
)

// apiDocument is the OpenAPI document and its readable page, both built once at start.
type apiDocument struct {
	yaml []byte
	html []byte
}

type docOperation struct {
	Method, Path, Summary, Description string
	Auth                               bool
	Responses                          []string
}

func newAPIDocument() (*apiDocument, error) {
	loader := openapi3.NewLoader()
	spec, err := loader.LoadFromData(openapi.YAML)
	if err != nil {
		return nil, fmt.Errorf("load openapi document: %w", err)
	}
	if err := spec.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("invalid openapi document: %w", err)
	}
	var ops []docOperation
	for _, path := range spec.Paths.InMatchingOrder() {
		for method, op := range spec.Paths.Value(path).Operations() {
			d := docOperation{Method: method, Path: path, Summary: op.Summary, Description: op.Description,
				Auth: op.Security != nil && len(*op.Security) > 0}
			for status, resp := range op.Responses.Map() {
				desc := ""
				if resp.Value != nil && resp.Value.Description != nil {
					desc = *resp.Value.Description
				}
				d.Responses = append(d.Responses, status+" "+desc)
			}
			sort.Strings(d.Responses)
			ops = append(ops, d)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	var page bytes.Buffer
	err = docsPage.Execute(&page, map[string]any{
		"Title": spec.Info.Title, "Version": spec.Info.Version, "Intro": spec.Info.Description, "Operations": ops,
	})
	if err != nil {
		return nil, fmt.Errorf("render docs page: %w", err)
	}
	return &apiDocument{yaml: openapi.YAML, html: page.Bytes()}, nil
}

// docsPage is self-contained (no scripts from elsewhere) so it works offline.
var docsPage = template.Must(template.New("docs").Funcs(template.FuncMap{"lower": strings.ToLower}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
.op{border:1px solid #ddd;border-radius:6px;margin:1rem 0;padding:.5rem 1rem}
.m{font-weight:bold;text-transform:uppercase;display:inline-block;min-width:4rem}
.get{color:#0a6}.post{color:#06c}.put{color:#a60}.patch{color:#a0a}.delete{color:#c00}
code{background:#f4f4f4;padding:0 .2rem}pre{white-space:pre-wrap}.auth{color:#a00;font-size:.85em}
</style></head><body>
<h1>{{.Title}} <small>v{{.Version}}</small></h1>
<pre>{{.Intro}}</pre>
<p>The machine-readable document: <a href="/api/v1/openapi.yaml">/api/v1/openapi.yaml</a>.</p>
{{range .Operations}}<div class="op"><h3><span class="m {{lower .Method}}">{{.Method}}</span> <code>{{.Path}}</code>
{{if .Auth}}<span class="auth">bearer token</span>{{end}}</h3>
<p>{{.Summary}}</p>{{if .Description}}<pre>{{.Description}}</pre>{{end}}
<ul>{{range .Responses}}<li>{{.}}</li>{{end}}</ul></div>
{{end}}</body></html>
`))
