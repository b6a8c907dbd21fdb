package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/authz"
)

var secret = strings.Repeat("k", 32)

func router(ready error, graphql http.HandlerFunc) http.Handler {
	v, err := authz.NewHS256Verifier(secret)
	if err != nil {
		panic(err)
	}
	a, err := authz.NewAuthorizer("", "", func(context.Context, string) (string, error) { return "PROCURATORATE", nil })
	if err != nil {
		panic(err)
	}
	return NewRouter(Options{
		GraphQL:       graphql,
		Ready:         func(context.Context) error { return ready },
		Log:           slog.New(slog.NewTextHandler(io.Discard, nil)),
		Verifier:      v,
		Authorizer:    a,
		GraphiQL:      true,
		RatePerMinute: 5,
	})
}

func token(t testing.TB, c casegraph.Caller) string {
	t.Helper()
	tok, err := authz.Mint(secret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

var prosecutor = casegraph.Caller{Subject: "prosecutor-1", Agency: "330211JC", Roles: []string{authz.RoleProsecutor}}

var prosecutorToken = func() string {
	tok, err := authz.Mint(secret, prosecutor, time.Hour)
	if err != nil {
		panic(err)
	}
	return tok
}()

func do(h http.Handler, method, path, body, ctype string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Authorization", "Bearer "+prosecutorToken)
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
	req.Header.Set("Authorization", "Bearer "+token(t, prosecutor))
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

func TestAuthentication(t *testing.T) {
	var got casegraph.Caller
	var scope casegraph.Scope
	h := router(nil, func(w http.ResponseWriter, r *http.Request) {
		got, scope = casegraph.CallerFrom(r.Context()), casegraph.ScopeFrom(r.Context())
	})
	post := func(auth string, header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := post("Bearer " + token(t, prosecutor)); rec.Code != 200 || got.Agency != "330211JC" || got.Subject != "prosecutor-1" ||
		len(scope.Tokens) != 1 || scope.Tokens[0] != "330211JC" || !scope.PII {
		t.Errorf("valid token: %d, caller %+v, scope %+v", rec.Code, got, scope)
	}
	expired, err := authz.Mint(secret, prosecutor, -time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := authz.Mint(strings.Repeat("o", 32), prosecutor, time.Hour)
	for name, auth := range map[string]string{"missing": "", "expired": "Bearer " + expired, "wrong key": "Bearer " + other,
		"garbage": "Bearer x.y.z", "basic": "Basic dXNlcjpwYXNz"} {
		rec := post(auth)
		body := rec.Body.String()
		if rec.Code != 401 || !strings.Contains(body, `"code":"UNAUTHENTICATED"`) || strings.Contains(body, "signature") ||
			strings.Contains(body, "expired:") || rec.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("%s token: %d %s", name, rec.Code, body)
		}
	}
	// The reason to unseal: accepted from a prosecutor, refused from a clerk.
	if rec := post("Bearer "+token(t, prosecutor), authz.UnsealHeader, "审查起诉需要查阅前科"); rec.Code != 200 || !scope.Unseal {
		t.Errorf("unseal reason from a prosecutor: %d, scope %+v", rec.Code, scope)
	}
	clerk := casegraph.Caller{Subject: "clerk", Agency: "330211JC", Roles: []string{authz.RoleCourtClerk}}
	if rec := post("Bearer "+token(t, clerk), authz.UnsealHeader, "想看看"); rec.Code != 403 {
		t.Errorf("unseal reason from a clerk: %d %s", rec.Code, rec.Body)
	}
	// Health needs no token; the ingest and reindex routes do.
	for _, path := range []string{"/healthz", "/readyz"} {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Errorf("%s without a token: %d", path, rec.Code)
		}
	}
}

func TestRateLimitPerSubject(t *testing.T) {
	h := router(nil, func(w http.ResponseWriter, r *http.Request) {})
	a, b := token(t, prosecutor), token(t, casegraph.Caller{Subject: "other", Agency: "330211JC", Roles: []string{authz.RoleProsecutor}})
	post := func(tok string) int {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	codes := map[int]int{}
	for range 7 {
		codes[post(a)]++
	}
	if codes[200] != 5 || codes[429] != 2 {
		t.Errorf("7 requests at 5 a minute: %v", codes)
	}
	if c := post(b); c != 200 {
		t.Errorf("another subject was limited too: %d", c)
	}
}

type httpObs struct {
	mu   sync.Mutex
	seen []string
}

func (o *httpObs) ObserveHTTP(route, method string, code int, d time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seen = append(o.seen, fmt.Sprintf("%s %s %d", method, route, code))
}

// TestMetricsRoutes: requests are reported by route pattern, never by the
// raw path, and every response carries its request id.
func TestMetricsRoutes(t *testing.T) {
	v, err := authz.NewHS256Verifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	a, err := authz.NewAuthorizer("", "", func(context.Context, string) (string, error) { return "PROCURATORATE", nil })
	if err != nil {
		t.Fatal(err)
	}
	jobs := chi.NewRouter()
	jobs.Get("/{id}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) })
	obs := &httpObs{}
	h := NewRouter(Options{
		GraphQL:    http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"data":{}}`) }),
		Ingest:     jobs,
		Ready:      func(context.Context) error { return nil },
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Verifier:   v,
		Authorizer: a,
		Metrics:    obs,
	})
	integrator := token(t, casegraph.Caller{Subject: "i", Roles: []string{authz.RoleIntegrator}})
	for _, c := range []struct{ method, path, body, ctype string }{
		{"POST", "/graphql", `{"query":"{agencies{code}}"}`, "application/json"},
		{"GET", "/healthz", "", ""},
		{"GET", "/api/ingest/20260301T080000-0123456789abcdef", "", ""},
		{"GET", "/cases/330203199001011234", "", ""},
		{"BREW", "/healthz", "", ""},
	} {
		req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
		if c.ctype != "" {
			req.Header.Set("Content-Type", c.ctype)
		}
		req.Header.Set("Authorization", "Bearer "+integrator)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Header().Get("X-Request-Id") == "" {
			t.Errorf("%s %s: no X-Request-Id in the response", c.method, c.path)
		}
	}
	want := []string{
		"POST /graphql 200",
		"GET /healthz 200",
		"GET /api/ingest/{id} 404",
		"GET unmatched 404",
		"BREW unmatched 405",
	}
	if diff := cmp.Diff(want, obs.seen); diff != "" {
		t.Errorf("observed (-want +got):\n%s", diff)
	}
}
