package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
)

func TestCursorRoundTrip(t *testing.T) {
	d := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	for _, c := range []casegraph.Case{{UID: "a|b", FiledAt: &d}, {UID: "x"}} {
		key, err := decodeCursor(encodeCursor(c))
		if err != nil {
			t.Fatal(err)
		}
		if key.UID != c.UID || (c.FiledAt != nil && !key.FiledAt.Equal(*c.FiledAt)) || (c.FiledAt == nil && !key.FiledAt.IsZero()) {
			t.Errorf("round trip of %+v gave %+v", c, key)
		}
	}
}

func TestMalformedCursors(t *testing.T) {
	for _, s := range []string{"", "!!!", "YzF8", "eDF8MjAyNC0wMS0wMXxh", "YzF8bm90LWEtZGF0ZXxh", "YzF8MjAyNC0wMS0wMXw"} {
		_, err := decodeCursor(s)
		if casegraph.ErrorCode(err) != casegraph.EINVALID {
			t.Errorf("decodeCursor(%q) = %v, want INVALID", s, err)
		}
	}
}

func TestCaseListRequest(t *testing.T) {
	ptr := func(i int) *int { return &i }
	str := func(s string) *string { return &s }
	day := func(s string) *time.Time { d, _ := time.Parse(time.DateOnly, s); return &d }
	bad := []struct {
		f     *model.CaseFilter
		first *int
		after *string
		want  string
	}{
		{nil, ptr(0), nil, "first: 0 is out of range"},
		{nil, ptr(101), nil, "first: 101 is out of range"},
		{nil, nil, str("nope"), "is not a cursor"},
		{&model.CaseFilter{FiledFrom: day("2024-02-01"), FiledTo: day("2024-01-01")}, nil, nil, "filedFrom 2024-02-01 is after filedTo 2024-01-01"},
		{&model.CaseFilter{Agency: str("")}, nil, nil, "must not be empty"},
	}
	for _, b := range bad {
		_, err := caseListRequest(b.f, b.first, b.after)
		if casegraph.ErrorCode(err) != casegraph.EINVALID || !strings.Contains(err.Error(), b.want) {
			t.Errorf("caseListRequest(%+v, %v, %v) = %v, want INVALID %q", b.f, b.first, b.after, err, b.want)
		}
	}
	req, err := caseListRequest(nil, nil, nil)
	if err != nil || req.first != defaultPageSize {
		t.Errorf("defaults: %+v, %v", req, err)
	}
}

func TestErrorPresenter(t *testing.T) {
	present := errorPresenter(slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx := casegraph.WithRequestID(context.Background(), "req-1")
	tests := []struct {
		err      error
		code     string
		message  string
		hasReqID bool
	}{
		{fmt.Errorf("ListCases: %w", casegraph.Errorf(casegraph.EINVALID, "bad thing")), "INVALID", "bad thing", false},
		{fmt.Errorf("x: %w", &casegraph.Error{Code: casegraph.EUNAVAILABLE, Message: "down"}), "UNAVAILABLE", "down", false},
		{errors.New("Neo.ClientError.Statement.SyntaxError: secret internals"), "INTERNAL", "internal error", true},
		{gqlerror.Errorf("Cannot query field"), "INVALID", "Cannot query field", false},
	}
	for _, tt := range tests {
		got := present(ctx, tt.err)
		if got.Message != tt.message || got.Extensions["code"] != tt.code {
			t.Errorf("present(%v) = %q %v, want %q %s", tt.err, got.Message, got.Extensions, tt.message, tt.code)
		}
		if tt.hasReqID && got.Extensions["requestId"] != "req-1" {
			t.Errorf("internal error lacks the request id: %v", got.Extensions)
		}
	}
}

// TestErrorPresenterCanceled: a client that hangs up is not an internal
// error: the answer is CANCELED (the code casegraph_graphql_requests_total
// counts), and the log says canceled at INFO, not "internal error" at ERROR.
func TestErrorPresenterCanceled(t *testing.T) {
	var buf bytes.Buffer
	present := errorPresenter(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	gone, cancel := context.WithCancel(casegraph.WithRequestID(context.Background(), "req-2"))
	cancel()
	live := casegraph.WithRequestID(context.Background(), "req-3")
	tests := []struct {
		ctx  context.Context
		err  error
		code string
	}{
		{live, fmt.Errorf("openCase(c/1): workflow.Sync: %w", context.Canceled), casegraph.ECANCELED},
		{gone, errors.New("connection closed"), casegraph.ECANCELED},
		{gone, fmt.Errorf("x: %w", &casegraph.Error{Code: casegraph.EUNAVAILABLE, Message: "down"}), casegraph.ECANCELED},
		{gone, casegraph.Errorf(casegraph.ENOTFOUND, "no such case"), casegraph.ENOTFOUND},
		{live, context.DeadlineExceeded, casegraph.EINTERNAL},
	}
	for _, tt := range tests {
		buf.Reset()
		got := present(tt.ctx, tt.err)
		if got.Extensions["code"] != tt.code {
			t.Errorf("present(%v) = %q %v, want %s", tt.err, got.Message, got.Extensions, tt.code)
		}
		if tt.code != casegraph.ECANCELED {
			continue
		}
		if log := buf.String(); !strings.Contains(log, "level=INFO") || !strings.Contains(log, "canceled") || strings.Contains(log, "internal error") {
			t.Errorf("present(%v) logged %q, want canceled at INFO", tt.err, log)
		}
		if strings.Contains(got.Message, "internal") {
			t.Errorf("present(%v) answered %q", tt.err, got.Message)
		}
	}
}
