// Package neo4jtest connects integration tests to the real Neo4j that
// `make test` starts (scripts/neo4j). A test that needs Neo4j and finds none
// fails, unless -short is given, in which case it is skipped.
package neo4jtest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// Config is the connection the tests use, from the same CASEGRAPH_NEO4J_*
// variables as casegraph itself, with the development defaults.
func Config() neo4jdb.Config {
	return neo4jdb.Config{
		URI:      env("CASEGRAPH_NEO4J_URI", "bolt://127.0.0.1:7687"),
		User:     env("CASEGRAPH_NEO4J_USER", "neo4j"),
		Password: env("CASEGRAPH_NEO4J_PASSWORD", "casegraph-dev"),
		Database: env("CASEGRAPH_NEO4J_DATABASE", "neo4j"),
	}
}

func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

var migrateOnce sync.Once
var migrateErr error

// Open returns a migrated connection to the test Neo4j, closed when the test
// ends.
func Open(tb testing.TB) *neo4jdb.DB {
	tb.Helper()
	cfg := Config()
	if testing.Short() {
		tb.Skip("needs Neo4j; skipped with -short")
	}
	db, err := neo4jdb.Open(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		tb.Fatalf("neo4jdb.Open: %v", err)
	}
	tb.Cleanup(func() { db.Close(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := db.Ping(ctx); err != nil {
		tb.Fatalf("Neo4j is not reachable at %s (%v).\n"+
			"Integration tests need the real server: run `make test`, which starts it, or `scripts/neo4j start` first; "+
			"use `go test -short ./...` to run only the tests that need no server.", cfg.URI, err)
	}
	migrateOnce.Do(func() { _, migrateErr = db.Migrate(ctx) })
	if migrateErr != nil {
		tb.Fatalf("migrate: %v", migrateErr)
	}
	return db
}

// Prefix returns a uid/code prefix unique to this test run, and removes
// everything carrying it when the test ends.
func Prefix(tb testing.TB, db *neo4jdb.DB) string {
	tb.Helper()
	name := strings.NewReplacer("/", "-", " ", "-").Replace(tb.Name())
	p := fmt.Sprintf("t%d-%s-", time.Now().UnixNano()%1e9, name)
	tb.Cleanup(func() {
		if err := db.DeleteByPrefix(context.Background(), p); err != nil {
			tb.Errorf("cleanup: %v", err)
		}
	})
	return p
}

// WipeVariable must be 1 for Clean to wipe the database: `make test` sets it
// for the test server it starts, so that a test run never wipes the
// development database that `make run` uses.
const WipeVariable = "CASEGRAPH_TEST_NEO4J_WIPE"

// Clean wipes the test database (all but the migration records) for a test
// that needs an empty graph. It fails the test when the database is not
// marked as the test database by WipeVariable.
func Clean(tb testing.TB, db *neo4jdb.DB) {
	tb.Helper()
	if os.Getenv(WipeVariable) != "1" {
		tb.Fatalf("this test empties the database; it runs only against the test server that `make test` starts "+
			"(%s=1, CASEGRAPH_NEO4J_URI=bolt://127.0.0.1:7688), never against a database that may hold your data", WipeVariable)
	}
	if err := db.Wipe(context.Background()); err != nil {
		tb.Fatal(err)
	}
}
