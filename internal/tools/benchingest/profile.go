package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"regexp"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/workflow"
)

// -profile: where `casegraph ingest` spends its time. The load runs in this
// process as the binary runs it (neo4jdb.Open, Migrate, ingest.Run with the
// procedure sync as its commit hook), with the driver of neo4jdb.DB wrapped
// (by reflection: neo4jdb has no hook for it) so that every statement is
// timed from Run to its last record, every transaction from start to
// commit, by phase: the filed-date check, the batch write (with entity
// resolution) and the procedure sync. A CPU profile of the process is
// written beside.

type stmtStat struct {
	phase, text string
	calls, rows int
	d           time.Duration
}

type stmtTimer struct {
	mu     sync.Mutex
	phase  string
	stmts  map[string]*stmtStat
	phases map[string]time.Duration
	client map[string]time.Duration // per phase: the client's time between a transaction's statements
	commit map[string]time.Duration // per phase: from the end of a transaction's work to its commit
	txs    map[string]int
}

var (
	spaces  = regexp.MustCompile(`\s+`)
	written = regexp.MustCompile(`(?:MERGE|CREATE) \(\w*:(\w+)`)
)

func (t *stmtTimer) add(cypher string, rows int, d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	full := strings.TrimSpace(spaces.ReplaceAllString(cypher, " "))
	text := full
	if r := []rune(full); len(r) > 110 {
		// the head says what a statement reads, the tail what it writes
		text = string(r[:60]) + " … " + string(r[len(r)-45:])
		var labels []string
		for _, m := range written.FindAllStringSubmatch(full, -1) {
			if !slices.Contains(labels, m[1]) {
				labels = append(labels, m[1])
			}
		}
		if len(labels) > 0 {
			text += " (merges " + strings.Join(labels, ", ") + ")"
		}
	}
	k := t.phase + "|" + full
	s := t.stmts[k]
	if s == nil {
		s = &stmtStat{phase: t.phase, text: text}
		t.stmts[k] = s
	}
	s.calls++
	s.rows += rows
	s.d += d
}

type timingDriver struct {
	neo4j.DriverWithContext
	t *stmtTimer
}

func (d timingDriver) NewSession(ctx context.Context, cfg neo4j.SessionConfig) neo4j.SessionWithContext {
	return timingSession{d.DriverWithContext.NewSession(ctx, cfg), d.t}
}

type timingSession struct {
	neo4j.SessionWithContext
	t *stmtTimer
}

func (s timingSession) execute(ctx context.Context, run func(neo4j.ManagedTransactionWork) (any, error), work neo4j.ManagedTransactionWork) (any, error) {
	var inside, worked time.Duration
	var end time.Time
	out, err := run(func(tx neo4j.ManagedTransaction) (any, error) {
		inside = 0
		start := time.Now()
		defer func() { end, worked = time.Now(), time.Since(start) }()
		return work(timingTx{tx, s.t, &inside})
	})
	s.t.mu.Lock()
	s.t.client[s.t.phase] += worked - inside
	s.t.commit[s.t.phase] += time.Since(end)
	s.t.txs[s.t.phase]++
	s.t.mu.Unlock()
	return out, err
}

func (s timingSession) ExecuteWrite(ctx context.Context, work neo4j.ManagedTransactionWork, configurers ...func(*neo4j.TransactionConfig)) (any, error) {
	return s.execute(ctx, func(w neo4j.ManagedTransactionWork) (any, error) {
		return s.SessionWithContext.ExecuteWrite(ctx, w, configurers...)
	}, work)
}

func (s timingSession) ExecuteRead(ctx context.Context, work neo4j.ManagedTransactionWork, configurers ...func(*neo4j.TransactionConfig)) (any, error) {
	return s.execute(ctx, func(w neo4j.ManagedTransactionWork) (any, error) {
		return s.SessionWithContext.ExecuteRead(ctx, w, configurers...)
	}, work)
}

type timingTx struct {
	neo4j.ManagedTransaction
	t      *stmtTimer
	inside *time.Duration
}

func (tx timingTx) Run(ctx context.Context, cypher string, params map[string]any) (neo4j.ResultWithContext, error) {
	start := time.Now()
	res, err := tx.ManagedTransaction.Run(ctx, cypher, params)
	if err != nil {
		return res, err
	}
	return &timingResult{ResultWithContext: res, tx: tx, cypher: cypher, start: start}, nil
}

// timingResult attributes a statement's time when its records are read.
type timingResult struct {
	neo4j.ResultWithContext
	tx     timingTx
	cypher string
	start  time.Time
}

func (r *timingResult) done(rows int) {
	d := time.Since(r.start)
	*r.tx.inside += d
	r.tx.t.add(r.cypher, rows, d)
}

func (r *timingResult) Collect(ctx context.Context) ([]*neo4j.Record, error) {
	recs, err := r.ResultWithContext.Collect(ctx)
	r.done(len(recs))
	return recs, err
}

func (r *timingResult) Consume(ctx context.Context) (neo4j.ResultSummary, error) {
	s, err := r.ResultWithContext.Consume(ctx)
	r.done(0)
	return s, err
}

func (r *timingResult) Single(ctx context.Context) (*neo4j.Record, error) {
	rec, err := r.ResultWithContext.Single(ctx)
	r.done(1)
	return rec, err
}

// timedStore is ingest.Store with its calls timed by phase.
type timedStore struct {
	db *neo4jdb.DB
	t  *stmtTimer
}

func (s timedStore) phase(name string, f func()) {
	s.t.mu.Lock()
	s.t.phase = name
	s.t.mu.Unlock()
	start := time.Now()
	f()
	s.t.mu.Lock()
	s.t.phases[name] += time.Since(start)
	s.t.mu.Unlock()
}

func (s timedStore) AgencyKinds(ctx context.Context) (out map[string]string, err error) {
	s.phase("start", func() { out, err = s.db.AgencyKinds(ctx) })
	return out, err
}

func (s timedStore) CaseFiledDates(ctx context.Context, uids []string) (out map[string]time.Time, err error) {
	s.phase("filed dates", func() { out, err = s.db.CaseFiledDates(ctx, uids) })
	return out, err
}

func (s timedStore) WriteIngestBatch(ctx context.Context, b *neo4jdb.IngestBatch, links neo4jdb.LinkRows, persons []string) (out neo4jdb.IngestResult, err error) {
	s.phase("batch write", func() { out, err = s.db.WriteIngestBatch(ctx, b, links, persons) })
	return out, err
}

func runProfile(ctx context.Context, uri, password, input string, batch int, cpuOut string) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	db, err := neo4jdb.Open(neo4jdb.Config{URI: uri, User: "neo4j", Password: password, Database: "neo4j"}, log)
	if err != nil {
		return err
	}
	defer db.Close(ctx)
	t := &stmtTimer{stmts: map[string]*stmtStat{}, phases: map[string]time.Duration{}, client: map[string]time.Duration{},
		commit: map[string]time.Duration{}, txs: map[string]int{}}
	f := reflect.ValueOf(db).Elem().FieldByName("driver")
	if !f.IsValid() {
		return fmt.Errorf("benchingest: neo4jdb.DB has no driver field to time")
	}
	field := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
	field.Set(reflect.ValueOf(timingDriver{field.Interface().(neo4j.DriverWithContext), t}))
	if _, err := db.Migrate(ctx); err != nil {
		return err
	}
	store := timedStore{db, t}
	wf := workflow.New(db, log, workflow.Options{})
	var syncErr error
	opts := ingest.Options{BatchSize: batch, Log: log, OnCommit: func(ctx context.Context, cases []string) {
		store.phase("procedure sync", func() {
			if err := wf.Sync(ctx, cases); err != nil && syncErr == nil {
				syncErr = err
			}
		})
	}}
	in, err := os.Open(input)
	if err != nil {
		return err
	}
	defer in.Close()
	if cpuOut != "" {
		pf, err := os.Create(cpuOut)
		if err != nil {
			return err
		}
		defer pf.Close()
		pprof.StartCPUProfile(pf)
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	rep, err := ingest.Run(ctx, store, ingest.NewNDJSONDecoder(in, input), opts)
	total := time.Since(start)
	if err != nil {
		return err
	}
	if syncErr != nil {
		return syncErr
	}
	report(os.Stdout, t, rep, total)
	return nil
}

func report(w io.Writer, t *stmtTimer, rep ingest.Report, total time.Duration) {
	fmt.Fprintf(w, "casegraph ingest in process: %d records, %d batches, %.1f s, %.0f records/s\n\n", rep.Read, rep.Batches,
		total.Seconds(), float64(rep.Read)/total.Seconds())
	fmt.Fprintln(w, "| phase | seconds | share | transactions | statements | statements per batch | in statements (s) | client between statements (s) | commit (s) |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	var rest = total
	phases := []string{"start", "filed dates", "batch write", "procedure sync"}
	for _, p := range phases {
		n := 0
		var in time.Duration
		for _, s := range t.stmts {
			if s.phase == p {
				n += s.calls
				in += s.d
			}
		}
		rest -= t.phases[p]
		fmt.Fprintf(w, "| %s | %.1f | %.0f%% | %d | %d | %.1f | %.1f | %.1f | %.1f |\n", p, t.phases[p].Seconds(), 100*t.phases[p].Seconds()/total.Seconds(),
			t.txs[p], n, float64(n)/float64(max(rep.Batches, 1)), in.Seconds(), t.client[p].Seconds(), t.commit[p].Seconds())
	}
	fmt.Fprintf(w, "| waiting for the producer (decoding, validation) and the rest | %.1f | %.0f%% | | | | | | |\n\n", rest.Seconds(), 100*rest.Seconds()/total.Seconds())
	var stmts []*stmtStat
	for _, s := range t.stmts {
		stmts = append(stmts, s)
	}
	sort.Slice(stmts, func(i, j int) bool { return stmts[i].d > stmts[j].d })
	fmt.Fprintln(w, "| phase | statement | calls | records returned | seconds | share of the load |")
	fmt.Fprintln(w, "|---|---|---:|---:|---:|---:|")
	for _, s := range stmts {
		fmt.Fprintf(w, "| %s | `%s` | %d | %d | %.2f | %.1f%% |\n", s.phase, strings.ReplaceAll(s.text, "|", "\\|"), s.calls, s.rows, s.d.Seconds(), 100*s.d.Seconds()/total.Seconds())
	}
}
