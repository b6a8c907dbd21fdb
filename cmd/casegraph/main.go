// Command casegraph is the one binary of casegraph: serve the API, apply
// schema migrations, and (as later issues land) ingest, search and more.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "casegraph:", err)
		}
		os.Exit(exitCode(err))
	}
}

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) || errors.Is(err, flag.ErrHelp) {
		return 2
	}
	return 1
}

const usage = `casegraph links police, procuratorate and court case records in one graph.

Usage:
  casegraph serve   [flags]   serve the GraphQL API and GraphiQL (migrates first)
  casegraph migrate [flags]   apply the schema migrations to Neo4j and exit
  casegraph ingest [flags] FILE...
                              load records (NDJSON, CSV with a mapping, cail2018, POLE)
  casegraph gen --cases N [--seed S] [--invalid-rate R]
                              write synthetic records to standard output
  casegraph search [--token T] QUERY
                              search the running server's index (docs/search.md)
  casegraph reindex           rebuild the running server's search index and swap it in
  casegraph token --sub ID --role ROLE [--agency CODE] [--region CODE]
                              mint a development bearer token (docs/security.md)
  casegraph audit verify      check the audit log's hash chain
  casegraph rollups verify|rebuild
                              recount the analytics roll-ups, or rebuild them (docs/analytics.md)
  casegraph version           print the version

Run 'casegraph COMMAND -h' for a command's flags. Every flag can also be
set with a CASEGRAPH_* environment variable, named in the flag's help.
`

// Version is set at build time with -ldflags "-X main.Version=…".
var Version = "dev"

// Run runs casegraph with args (without the program name). It is main
// without the process: tests call it, and end-to-end tests run the binary.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError{"no command given"}
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr, getenv)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr, getenv)
	case "ingest":
		return runIngest(ctx, rest, stdout, stderr, getenv)
	case "gen":
		return runSynth(ctx, rest, stdout, stderr, getenv)
	case "search":
		return runSearch(ctx, rest, stdout, stderr, getenv)
	case "reindex":
		return runReindex(ctx, rest, stdout, stderr, getenv)
	case "token":
		return runToken(ctx, rest, stdout, stderr, getenv)
	case "audit":
		return runAudit(ctx, rest, stdout, stderr, getenv)
	case "rollups":
		return runRollups(ctx, rest, stdout, stderr, getenv)
	case "version":
		fmt.Fprintln(stdout, "casegraph", Version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError{fmt.Sprintf("unknown command %q", cmd)}
}
