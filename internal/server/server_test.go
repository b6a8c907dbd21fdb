package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/casegraph/casegraph"
)

func router(ready error, graphql http.HandlerFunc) http.Handler {
	return NewRouter(Options{
		GraphQL: graphql,
		Ready:   func(context.Context) error { return ready },
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
}

func do(h http.Handler, method, path, body, ctype string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestReadyz(t *testing.T) {
	ok := router(nil, nil)
	if rec := do(ok, "GET", "/readyz", "", ""); rec.Code != 200 {
		t.Errorf("ready: %d %s", rec.Code, rec.Body)
	}
	down := router(errors.New("neo4j: the case graph database is unavailable"), nil)
	rec := do(down, "GET", "/readyz", "", "")
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "unavailable") {
		t.Errorf("not ready: %d %s, want 503 with the reason", rec.Code, rec.Body)
	}
	if rec := do(down, "GET", "/healthz", "", ""); rec.Code != 200 {
		t.Errorf("healthz while not ready: %d, want 200", rec.Code)
	}
}

func TestPanicIsMaskedAndRequestIDEchoed(t *testing.T) {
	h := router(nil, func(w http.ResponseWriter, r *http.Request) { panic("secret internals") })
	req := httptest.NewRequest("POST", "/graphql", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "abc-123")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret") || !strings.Contains(rec.Body.String(), "abc-123") {
		t.Errorf("panic answer: %d %s", rec.Code, rec.Body)
	}
	if rec.Header().Get("X-Request-Id") != "abc-123" {
		t.Errorf("X-Request-Id = %q", rec.Header().Get("X-Request-Id"))
	}
}

func TestRequestIDIsGeneratedForBadInput(t *testing.T) {
	h := router(nil, nil)
	req := httptest.NewRequest("GET", "/healthz", nil)
	req.Header.Set("X-Request-Id", "has spaces\nand newline")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if id := rec.Header().Get("X-Request-Id"); id == "" || strings.ContainsAny(id, " \n") {
		t.Errorf("X-Request-Id = %q, want a generated one", id)
	}
}

func TestRoutes(t *testing.T) {
	h := router(nil, func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"data":{}}`)) })
	tests := []struct {
		method, path, body, ctype string
		code                      int
	}{
		{"POST", "/graphql", `{}`, "application/json", 200},
		{"POST", "/graphql", `{}`, "application/json; charset=utf-8", 200},
		{"POST", "/graphql", `{}`, "text/plain", 415},
		{"GET", "/graphql", "", "", 405},
		{"GET", "/graphiql", "", "", 200},
		{"GET", "/nope", "", "", 404},
		{"GET", "/", "", "", 302},
	}
	for _, tt := range tests {
		if rec := do(h, tt.method, tt.path, tt.body, tt.ctype); rec.Code != tt.code {
			t.Errorf("%s %s (%s): %d, want %d", tt.method, tt.path, tt.ctype, rec.Code, tt.code)
		}
	}
}

func TestCallerFromHeaders(t *testing.T) {
	var got casegraph.Caller
	h := router(nil, func(w http.ResponseWriter, r *http.Request) { got = casegraph.CallerFrom(r.Context()) })
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Casegraph-Agency", "330211JC")
	req.Header.Set("X-Casegraph-User", "prosecutor-1")
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got.Agency != "330211JC" || got.Subject != "prosecutor-1" {
		t.Errorf("caller = %+v", got)
	}
	req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Casegraph-Agency", "bad\x01agency")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("a malformed agency header: %d", rec.Code)
	}
}
