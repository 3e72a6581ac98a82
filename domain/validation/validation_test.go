package validation_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/artauction/artauction/domain/validation"
)

func fieldNames(t *testing.T, err error) []string {
	t.Helper()
	var verr *validation.Error
	require.ErrorAs(t, err, &verr)
	names := make([]string, 0, len(verr.Fields()))
	for _, f := range verr.Fields() {
		names = append(names, f.Field)
	}
	return names
}

func TestCollectorWithNothingRecordedReturnsNil(t *testing.T) {
	var c validation.Collector
	c.Check(true, "name", "is required")
	assert.True(t, c.Merge(nil))

	assert.NoError(t, c.Err())
}

func TestCollectorKeepsFieldsInTheOrderFound(t *testing.T) {
	var c validation.Collector
	c.Add("email", "is required")
	c.Check(false, "password", "is too short")
	c.Check(true, "nickname", "never recorded")
	c.Add("email", "recorded twice")

	err := c.Err()

	var verr *validation.Error
	require.ErrorAs(t, err, &verr)
	assert.Equal(t, []validation.FieldError{
		{Field: "email", Message: "is required"},
		{Field: "password", Message: "is too short"},
		{Field: "email", Message: "recorded twice"},
	}, verr.Fields())
	assert.Equal(t, "validation failed: email: is required; password: is too short; email: recorded twice", err.Error())
}

func TestCollectorMerge(t *testing.T) {
	tests := []struct {
		name       string
		err        error
		wantMerged bool
		wantFields []string
	}{
		{name: "nil is merged and adds nothing", err: nil, wantMerged: true, wantFields: []string{"first"}},
		{
			name:       "a validation error adds its fields",
			err:        validation.Field("second", "is bad"),
			wantMerged: true,
			wantFields: []string{"first", "second"},
		},
		{
			name:       "another error is left to the caller",
			err:        errors.New("database down"),
			wantMerged: false,
			wantFields: []string{"first"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c validation.Collector
			c.Add("first", "is bad")

			merged := c.Merge(tt.err)

			assert.Equal(t, tt.wantMerged, merged)
			assert.Equal(t, tt.wantFields, fieldNames(t, c.Err()))
		})
	}
}

func TestCollectorMergeOfSeveralErrorsKeepsAll(t *testing.T) {
	var c validation.Collector
	var inner validation.Collector
	inner.Add("a", "bad")
	inner.Add("b", "bad")

	require.True(t, c.Merge(inner.Err()))
	require.True(t, c.Merge(validation.Field("c", "bad")))

	assert.Equal(t, []string{"a", "b", "c"}, fieldNames(t, c.Err()))
}

func TestCollectorErrIsASnapshot(t *testing.T) {
	var c validation.Collector
	c.Add("first", "bad")
	err := c.Err()

	c.Add("second", "bad")

	assert.Equal(t, []string{"first"}, fieldNames(t, err))
	assert.Equal(t, []string{"first", "second"}, fieldNames(t, c.Err()))
}

func TestErrorFieldsReturnsACopy(t *testing.T) {
	err := validation.Field("amount", "must be positive")
	var verr *validation.Error
	require.ErrorAs(t, err, &verr)

	fields := verr.Fields()
	fields[0].Field = "changed"

	assert.Equal(t, []validation.FieldError{{Field: "amount", Message: "must be positive"}}, verr.Fields())
}

func TestFieldBuildsASingleFieldError(t *testing.T) {
	err := validation.Field("amount", "must be positive")

	assert.Equal(t, []string{"amount"}, fieldNames(t, err))
	assert.EqualError(t, err, "validation failed: amount: must be positive")
}

func TestValidationErrorIsFoundThroughWrapping(t *testing.T) {
	wrapped := errors.Join(errors.New("context"), validation.Field("email", "is required"))

	assert.Equal(t, []string{"email"}, fieldNames(t, wrapped))
}

func TestStorableText(t *testing.T) {
	for _, s := range []string{"", "plain", "고양이", "line\nbreak", "\ufffd"} {
		assert.True(t, validation.StorableText(s), "%q", s)
	}
	for _, s := range []string{"a\x00b", "\x00", "a\xffb", "\xed\xa0\x80"} {
		assert.False(t, validation.StorableText(s), "%q", s)
	}
}
