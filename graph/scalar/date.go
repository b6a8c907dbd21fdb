// Package scalar holds the GraphQL scalars casegraph defines.
package scalar

import (
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/casegraph/casegraph"
)

// MarshalDate writes a calendar date as "2006-01-02".
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		io.WriteString(w, strconv.Quote(t.Format(time.DateOnly)))
	})
}

// UnmarshalDate reads a calendar date written as "2006-01-02".
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, casegraph.Errorf(casegraph.EINVALID, "a Date is a string such as \"2024-03-01\", not %T", v)
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, casegraph.Errorf(casegraph.EINVALID, "%q is not a date of the form 2024-03-01", s)
	}
	return t, nil
}
