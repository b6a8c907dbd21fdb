package authz

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
)

// TestAuthenticateWhenAgenciesCannotBeRead: when the caller's agency cannot
// be looked up because Neo4j is away, the answer is 503 UNAVAILABLE (try
// again), not 403 (found by the Neo4j restart fault test).
func TestAuthenticateWhenAgenciesCannotBeRead(t *testing.T) {
	secret := strings.Repeat("s", 32)
	v, err := NewHS256Verifier(secret)
	if err != nil {
		t.Fatal(err)
	}
	away := func(context.Context, string) (string, error) {
		return "", casegraph.Errorf(casegraph.EUNAVAILABLE, "the graph database is not reachable")
	}
	a, err := NewAuthorizer("", "", away)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := Mint(secret, casegraph.Caller{Subject: "u1", Agency: "330203GA", Roles: []string{RolePoliceInvestigator}}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	h := Authenticate(v, a, slog.New(slog.NewTextHandler(io.Discard, nil)))(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Error("the handler ran without a scope")
	}))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), string(casegraph.EUNAVAILABLE)) {
		t.Errorf("got %d %s, want 503 UNAVAILABLE", rec.Code, rec.Body)
	}
}
