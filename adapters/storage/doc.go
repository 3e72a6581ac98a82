// Package storage implements the image ports of the catalog: an inspector
// that tells an upload's format and size from its bytes, and a store that
// keeps image files in a local directory.
package storage
