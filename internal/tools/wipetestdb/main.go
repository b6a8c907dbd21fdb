// Command wipetestdb empties the test Neo4j database (every node but the
// migration records), as neo4jtest.Clean does for the Go tests, so that
// scripts/external-checks can start casegraph with the demo graph, which is
// loaded only into a database without cases. Like neo4jtest.Clean it refuses
// to run unless CASEGRAPH_TEST_NEO4J_WIPE=1 marks the database as the test
// one.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "wipetestdb:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := neo4jtest.Config()
	if os.Getenv(neo4jtest.WipeVariable) != "1" {
		return fmt.Errorf("refusing to empty %s: it is not marked as the test database (%s=1)", cfg.URI, neo4jtest.WipeVariable)
	}
	db, err := neo4jdb.Open(cfg, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	defer db.Close(context.WithoutCancel(ctx))
	if err := db.Ping(ctx); err != nil {
		return fmt.Errorf("Neo4j is not reachable at %s: %w", cfg.URI, err)
	}
	if err := db.Wipe(ctx); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wipetestdb: emptied %s\n", cfg.URI)
	return nil
}
