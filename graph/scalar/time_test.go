package scalar

import (
	"bytes"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
)

func TestUnmarshalTime(t *testing.T) {
	for _, in := range []any{"2024-03-01T09:30:00+08:00", "2024-03-01T09:30:00.123456789Z", "2024-03-01 09:30:00"} {
		if _, err := UnmarshalTime(in); err != nil {
			t.Errorf("UnmarshalTime(%q) = %v, want a time", in, err)
		}
	}
	for _, in := range []any{"00:00:00Z", "2024-03-01", "yesterday", 1709256600, true} {
		_, err := UnmarshalTime(in)
		if casegraph.ErrorCode(err) != casegraph.EINVALID {
			t.Errorf("UnmarshalTime(%v) = %v, want an INVALID error", in, err)
		}
	}
}

func TestMarshalTime(t *testing.T) {
	var b bytes.Buffer
	MarshalTime(time.Date(2024, 3, 1, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))).MarshalGQL(&b)
	if got, want := b.String(), `"2024-03-01T09:30:00+08:00"`; got != want {
		t.Errorf("MarshalTime = %s, want %s", got, want)
	}
}
