package scalar

import (
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/casegraph/casegraph"
)

// MarshalTime writes an instant as gqlgen's built-in Time does (RFC 3339
// with nanoseconds; null for the zero time).
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.MarshalTime(t)
}

// UnmarshalTime reads an instant as gqlgen's built-in Time does (RFC 3339,
// or "2006-01-02 15:04:05"), but refuses anything else as INVALID input: the
// built-in's plain error reached clients as an internal error (found by
// schemathesis, docs/security.md).
func UnmarshalTime(v any) (time.Time, error) {
	t, err := graphql.UnmarshalTime(v)
	if err == nil {
		return t, nil
	}
	if s, ok := v.(string); ok {
		return time.Time{}, casegraph.Errorf(casegraph.EINVALID, "%q is not a time of the form 2024-03-01T09:30:00+08:00 (RFC 3339)", s)
	}
	return time.Time{}, casegraph.Errorf(casegraph.EINVALID, "a Time is a string such as \"2024-03-01T09:30:00+08:00\", not %T", v)
}
