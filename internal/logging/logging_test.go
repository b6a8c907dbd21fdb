package logging

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/casegraph/casegraph"
)

func TestRequestIDOnEveryLine(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "json", slog.LevelInfo).With("component", "test")
	ctx := casegraph.WithRequestID(context.Background(), "req-42")
	log.InfoContext(ctx, "hello")
	log.Info("no context")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines", len(lines))
	}
	if !strings.Contains(lines[0], `"request_id":"req-42"`) || !strings.Contains(lines[0], `"component":"test"`) {
		t.Errorf("line with context lacks request_id: %s", lines[0])
	}
	if strings.Contains(lines[1], "request_id") {
		t.Errorf("line without context has a request_id: %s", lines[1])
	}
}

// TestRequestIDOnce: a call that names request_id itself does not get it
// twice.
func TestRequestIDOnce(t *testing.T) {
	var buf bytes.Buffer
	log := New(&buf, "json", slog.LevelInfo)
	ctx := casegraph.WithRequestID(context.Background(), "req-42")
	log.InfoContext(ctx, "explicit", "request_id", casegraph.RequestID(ctx))
	if n := strings.Count(buf.String(), `"request_id"`); n != 1 {
		t.Errorf("request_id %d times: %s", n, buf.String())
	}
}
