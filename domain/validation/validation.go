// Package validation collects field-level problems so that a client learns every
// bad field of a request at once instead of one per round trip.
package validation

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// FieldError names one invalid field and says why.
type FieldError struct {
	Field   string
	Message string
}

// Error is a set of field errors; it is returned as a whole by constructors.
type Error struct {
	fields []FieldError
}

// Fields returns the invalid fields in the order they were found.
func (e *Error) Fields() []FieldError {
	return append([]FieldError(nil), e.fields...)
}

func (e *Error) Error() string {
	parts := make([]string, 0, len(e.fields))
	for _, f := range e.fields {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return "validation failed: " + strings.Join(parts, "; ")
}

// Collector gathers field errors while a constructor checks its input.
type Collector struct {
	fields []FieldError
}

// Add records a problem with a field.
func (c *Collector) Add(field, message string) {
	c.fields = append(c.fields, FieldError{Field: field, Message: message})
}

// Check records the problem when ok is false.
func (c *Collector) Check(ok bool, field, message string) {
	if !ok {
		c.Add(field, message)
	}
}

// Merge adds the field errors of err when it is a validation error and reports
// whether it was one; other errors are left to the caller.
func (c *Collector) Merge(err error) bool {
	if err == nil {
		return true
	}
	var verr *Error
	if !errors.As(err, &verr) {
		return false
	}
	c.fields = append(c.fields, verr.fields...)
	return true
}

// Err returns nil when nothing was recorded, else the collected *Error.
func (c *Collector) Err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &Error{fields: append([]FieldError(nil), c.fields...)}
}

// Field returns a single-field validation error.
func Field(field, message string) error {
	return &Error{fields: []FieldError{{Field: field, Message: message}}}
}

// StorableText reports whether s is valid UTF-8 without NUL characters, the
// text a database column can hold. Query strings and form fields reach the
// service as raw bytes that are checked for neither on the way in.
func StorableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}
