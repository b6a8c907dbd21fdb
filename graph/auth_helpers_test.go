package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/audit"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

var testSecret = strings.Repeat("t", 32)

// newHandler is the GraphQL handler as the server mounts it: behind the
// token middleware, with the embedded policy and an audit log of its own.
func newHandler(t *testing.T, db *neo4jdb.DB, opts graph.Options) http.Handler {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := authz.NewAuthorizer("", "", func(ctx context.Context, code string) (string, error) {
		ags, err := db.AgenciesByCode(ctx, []string{code})
		return string(ags[code].Kind), err
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := authz.NewHS256Verifier(testSecret)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(context.Background(), filepath.Join(t.TempDir(), "audit.log"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	opts.Authorizer, opts.Audit = a, l
	return authz.Authenticate(v, a, log)(graph.NewHandler(db, log, opts))
}

// as sends the requests of h with a bearer token for the caller.
func as(t *testing.T, h http.Handler, c casegraph.Caller) http.Handler {
	t.Helper()
	tok, err := authz.Mint(testSecret, c, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+tok)
		h.ServeHTTP(w, r)
	})
}

var admin = casegraph.Caller{Subject: "admin", Roles: []string{authz.RoleAdmin}}

func officer(agency, role string) casegraph.Caller {
	return casegraph.Caller{Subject: role + "@" + agency, Agency: agency, Roles: []string{role}}
}

// withHeader adds a header to the requests of h.
func withHeader(h http.Handler, key, value string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set(key, value)
		h.ServeHTTP(w, r)
	})
}

// postRaw posts a query and returns the recorder, for status codes.
func postRaw(t *testing.T, h http.Handler, query string, vars map[string]any) *httptest.ResponseRecorder {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
