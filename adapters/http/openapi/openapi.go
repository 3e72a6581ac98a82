// Package openapi holds the OpenAPI document of the REST API, the contract every
// client relies on; tests validate real answers against it.
package openapi

import _ "embed"

// YAML is the OpenAPI 3 document as served.
//
//go:embed openapi.yaml
var YAML []byte
