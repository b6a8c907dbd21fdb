package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"sync"
	"time"

	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/audit"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/config"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/logging"
	"github.com/casegraph/casegraph/internal/metrics"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/search"
	"github.com/casegraph/casegraph/internal/searchsync"
	"github.com/casegraph/casegraph/internal/server"
	"github.com/casegraph/casegraph/internal/synth"
	"github.com/casegraph/casegraph/internal/workflow"
)

// setup parses the flags of a command and builds its logger.
func setup(name string, args []string, stderr io.Writer, getenv func(string) string) (config.Config, *slog.Logger, error) {
	var cfg config.Config
	fs := flag.NewFlagSet("casegraph "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	groups := config.AllFlags
	if name != "serve" {
		groups = config.Neo4jFlags | config.LogFlags
	}
	config.RegisterGroups(fs, &cfg, getenv, groups)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return cfg, nil, err
		}
		return cfg, nil, usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return cfg, nil, usageError{fmt.Sprintf("%s takes no arguments, got %q", name, fs.Args())}
	}
	if err := cfg.Validate(); err != nil {
		return cfg, nil, usageError{err.Error()}
	}
	level, _ := config.ParseLevel(cfg.LogLevel)
	return cfg, newLogger(stderr, cfg.LogFormat, level), nil
}

func openDB(cfg config.Config, log *slog.Logger) (*neo4jdb.DB, error) {
	return openObservedDB(cfg, log, nil)
}

// openObservedDB is openDB with the time of every transaction reported to
// obs (nil: not reported).
func openObservedDB(cfg config.Config, log *slog.Logger, obs neo4jdb.QueryObserver) (*neo4jdb.DB, error) {
	return neo4jdb.Open(neo4jdb.Config{
		URI: cfg.Neo4jURI, User: cfg.Neo4jUser, Password: cfg.Neo4jPassword, Database: cfg.Neo4jDatabase,
		Observer: obs,
	}, log)
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, log, err := setup("migrate", args, stderr, getenv)
	if err != nil {
		return err
	}
	db, err := openDB(cfg, log)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))
	applied, err := db.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	}
	for _, m := range applied {
		fmt.Fprintf(stdout, "applied %s\n", m.Name)
	}
	return nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg, log, err := setup("serve", args, stderr, getenv)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "starting casegraph", "version", Version, "config", cfg)
	// One registry for the process, handed to each part that reports.
	m := metrics.New()
	db, err := openObservedDB(cfg, log, m)
	if err != nil {
		return err
	}
	defer db.Close(context.WithoutCancel(ctx))

	verifier, err := newVerifier(cfg)
	if err != nil {
		return err
	}
	authorizer, err := authz.NewAuthorizer(cfg.ModelFile, cfg.PolicyFile, agencyKinds(db))
	if err != nil {
		return err
	}
	auditLog, err := audit.Open(ctx, auditPath(cfg.DataDir), log, audit.CountFailures(m))
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer auditLog.Close()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	var metricsLn net.Listener
	if cfg.MetricsAddr != "" {
		// /metrics has a listener of its own, so that it is not on the API
		// port without a token (docs/operations.md).
		if metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("listen on %s (metrics-addr): %w", cfg.MetricsAddr, err)
		}
	}
	// The search index lives under the data directory; the syncer keeps it
	// consistent with the graph (rebuild when unusable, catch-up, touched
	// cases after each commit).
	idx, err := search.OpenManager(filepath.Join(cfg.DataDir, "search"), search.Options{})
	if err != nil {
		return fmt.Errorf("search index: %w", err)
	}
	defer idx.Close()
	syncer := searchsync.New(db, idx, log, searchsync.WithLag(db.NewestCaseChange, m))
	touch := func(ctx context.Context, cases []string) {
		if err := syncer.Touched(ctx, cases); err != nil {
			log.WarnContext(ctx, "search index not updated for these cases; the catch-up will repair it", "cases", len(cases), "err", err)
		}
	}
	wf := workflow.New(db, log, workflow.Options{OnChange: touch})
	onCommit := func(ctx context.Context, cases []string) {
		syncProcedure(wf, log)(ctx, cases)
		touch(ctx, cases)
		auditIngest(ctx, auditLog, log, cases)
	}
	// The background preparation must end before the driver closes.
	bgctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		prepare(bgctx, db, cfg, log, onCommit, m)
		repairScopes(bgctx, db, touch, log)
		// The syncer starts once the schema is in place (and the driver has
		// made its first connection).
		if bgctx.Err() == nil {
			syncer.Run(bgctx, 5*time.Second)
		}
	}()
	defer wg.Wait()
	defer cancel()

	jobs, err := ingest.NewJobs(filepath.Join(cfg.DataDir, "ingest"), db, ingest.Options{OnCommit: onCommit, Counter: m}, log)
	if err != nil {
		return err
	}
	jobs.Start(bgctx)
	wg.Add(1)
	go func() {
		defer wg.Done()
		anchorAudit(bgctx, auditLog, log, time.Minute)
	}()
	defer jobs.Wait()
	defer cancel() // before Wait: the worker stops when bgctx ends

	router := server.NewRouter(server.Options{
		GraphQL: graph.NewHandler(db, log, graph.Options{Introspection: cfg.Introspection, Jobs: jobs, Workflow: wf, Search: idx,
			Authorizer: authorizer, Audit: auditLog, Metrics: m.GraphQL()}),
		Reindex:       func(ctx context.Context) (int, error) { return syncer.Rebuild(ctx) },
		Ingest:        auditRequests(auditLog, log, "ingest", ingest.Handler(jobs)),
		Ready:         readiness(db),
		Log:           log,
		Verifier:      verifier,
		Authorizer:    authorizer,
		RatePerMinute: cfg.RatePerMinute,
		GraphiQL:      cfg.GraphiQL,
		Metrics:       m,
	})
	if metricsLn != nil {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.Handler())
		mctx, stop := context.WithCancel(ctx)
		errc := make(chan error, 1)
		go func() { errc <- server.Serve(mctx, metricsLn, mux, log, 5*time.Second) }()
		defer func() {
			stop()
			if err := <-errc; err != nil {
				log.ErrorContext(ctx, "metrics listener", "err", err)
			}
		}()
		log.InfoContext(ctx, "metrics listening", "addr", metricsLn.Addr().String(), "url", "http://"+metricsLn.Addr().String()+"/metrics")
	}
	addr := ln.Addr().String()
	log.InfoContext(ctx, "listening", "addr", addr, "graphiql", "http://"+addr+"/graphiql")
	return server.Serve(ctx, ln, router, log, 15*time.Second)
}

// prepare applies the migrations, retrying while Neo4j is away, then loads
// the demo graph into an empty database when asked to. Until it succeeds
// /readyz answers 503.
func prepare(ctx context.Context, db *neo4jdb.DB, cfg config.Config, log *slog.Logger, onCommit func(context.Context, []string), counter ingest.RecordCounter) {
	for attempt := 1; ; attempt++ {
		_, err := db.Migrate(ctx)
		if err == nil {
			break
		}
		log.WarnContext(ctx, "migrations not applied yet; retrying", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(min(time.Duration(attempt)*time.Second, 10*time.Second)):
		}
	}
	if !cfg.Demo {
		return
	}
	n, err := db.CaseCount(ctx)
	if err != nil {
		log.ErrorContext(ctx, "demo graph: cannot count cases", "err", err)
		return
	}
	if n > 0 {
		log.InfoContext(ctx, "demo graph not loaded: the database already has cases", "cases", n)
		return
	}
	rep, err := loadDemo(ctx, db, onCommit, counter)
	if err != nil {
		log.ErrorContext(ctx, "demo graph not loaded", "err", err)
		return
	}
	log.InfoContext(ctx, "demo graph loaded", "records", rep.Written, "refused", rep.Refused)
}

// Demo data: `casegraph gen --cases demoCases --seed demoSeed`, through the
// same ingest path as any job.
const (
	demoCases = 300
	demoSeed  = 1
)

func loadDemo(ctx context.Context, db *neo4jdb.DB, onCommit func(context.Context, []string), counter ingest.RecordCounter) (ingest.Report, error) {
	pr, pw := io.Pipe()
	go func() {
		opts := synth.Defaults()
		opts.Cases, opts.Seed = demoCases, demoSeed
		enc := ingest.NewEncoder(pw)
		_, err := synth.Generate(opts, enc)
		if err == nil {
			err = enc.Flush()
		}
		pw.CloseWithError(err)
	}()
	defer pr.Close()
	return ingest.Run(ctx, db, ingest.NewNDJSONDecoder(pr, "demo"), ingest.Options{OnCommit: onCommit, Counter: counter})
}

// syncProcedure is ingest's commit hook: the lineages a batch touched go
// through the procedure engine, so that stages, timelines and supervision
// deadlines follow the records. A failure is logged with the cases; running
// the same ingest again repeats the sync (ingest is idempotent).
func syncProcedure(wf *workflow.Workflow, log *slog.Logger) func(context.Context, []string) {
	return func(ctx context.Context, cases []string) {
		if err := wf.Sync(ctx, cases); err != nil {
			log.ErrorContext(ctx, "procedure sync failed; stages and deadlines of these cases may be stale until they are ingested again",
				"cases", len(cases), "first", cases[0], "err", err)
		}
	}
}

// readiness is ready when Neo4j answers and every migration is applied.
func readiness(db *neo4jdb.DB) server.Readiness {
	return func(ctx context.Context) error {
		ok, missing, err := db.SchemaCurrent(ctx)
		if err != nil {
			return fmt.Errorf("neo4j: %s", errorText(err))
		}
		if !ok {
			return fmt.Errorf("schema migration %s is not applied yet", missing)
		}
		return nil
	}
}

func newLogger(w io.Writer, format string, level slog.Level) *slog.Logger {
	return logging.New(w, format, level)
}
