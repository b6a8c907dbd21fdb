package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// Store is what an ingest job needs from the graph.
type Store interface {
	AgencyKinds(ctx context.Context) (map[string]string, error)
	CaseFiledDates(ctx context.Context, uids []string) (map[string]time.Time, error)
	WriteIngestBatch(ctx context.Context, b *neo4jdb.IngestBatch, links neo4jdb.LinkRows, persons []string) (neo4jdb.IngestResult, error)
}

// Options tune a job.
type Options struct {
	// BatchSize caps the records written in one transaction (default 1000).
	BatchSize int
	// DryRun validates everything and writes nothing.
	DryRun bool
	// Now is the clock for plausibility checks (default time.Now).
	Now time.Time
	// OnCommit is called after each batch commits with the uids of the
	// cases it touched: the hook through which derived data (the search
	// index, deadlines) learns what to look at again.
	OnCommit func(ctx context.Context, touchedCases []string)
	// OnReject receives every refused record as it happens (--rejects).
	OnReject func(Reject) error
	// OnConflict receives every conflict between versions of a record
	// (--conflicts).
	OnConflict func(Conflict) error
	// OnProgress is called after each batch.
	OnProgress func(Report)
	// KeepRejects is how many rejects and conflicts the report keeps
	// (default 100).
	KeepRejects int
	// Log receives retries and failures; nil discards.
	Log *slog.Logger
	// Counter, when set, counts accepted and refused records as they go
	// (internal/metrics).
	Counter RecordCounter
}

// RecordCounter counts records for the metrics: accepted (written, or valid
// in a dry run) and refused, by reason: "decode" (the input could not be
// read as a record), "invalid" (the record failed validation) or "graph"
// (Neo4j refused it).
type RecordCounter interface {
	RecordsAccepted(n int)
	RecordRefused(reason string)
}

// Refusal reasons counted by a RecordCounter.
const (
	RefusedDecode  = "decode"
	RefusedInvalid = "invalid"
	RefusedGraph   = "graph"
)

// Report counts what a job did.
type Report struct {
	Read      int            `json:"read"`     // records and refusals read
	Written   int            `json:"written"`  // records written (including stale ones that changed nothing)
	Refused   int            `json:"refused"`  // records refused
	Stale     int            `json:"stale"`    // older duplicates of a record the graph holds newer
	Replaced  int            `json:"replaced"` // records that replaced a different, older version
	Batches   int            `json:"batches"`
	ByType    map[string]int `json:"byType"`    // written, by record type
	Refusals  map[string]int `json:"refusals"`  // refused, by record type
	Rejects   []Reject       `json:"rejects"`   // the first refusals
	Conflicts []Conflict     `json:"conflicts"` // the first conflicts between versions of a record
	Elapsed   time.Duration  `json:"elapsedNs"`
}

// Conflict is a record whose natural key the graph already held with other
// content: the newer source.at wins.
type Conflict struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	RecordID string `json:"recordId"`
	Type     string `json:"type"`
	Outcome  string `json:"outcome"` // "stale: a newer version is kept" or "replaced an older version"
}

type pending struct {
	file     string
	line     int
	recordID string
	typ      string
	row      Row
}

// Run reads every item of dec, validates it, and writes valid records in
// batches. A refused record is reported and never stops the job; the job
// fails only when the input cannot be read or the graph cannot be written.
func Run(ctx context.Context, store Store, dec Decoder, opts Options) (rep Report, err error) {
	start := time.Now()
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.KeepRejects == 0 {
		opts.KeepRejects = 100
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	rep.ByType, rep.Refusals = map[string]int{}, map[string]int{}
	defer func() { rep.Elapsed = time.Since(start) }()

	j := &job{store: store, opts: opts, rep: &rep}
	// The job's first read rides out a short outage like its batches do
	// (a job submitted while Neo4j restarts failed here at once).
	var agencies map[string]string
	err = j.retry(ctx, func() (err error) {
		agencies, err = store.AgencyKinds(ctx)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("ingest: %w", err)
	}
	// Decoding and validation run one batch ahead of writing, so that the
	// client's work overlaps the database's.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	units := make(chan unit, 2)
	go produce(pctx, dec, NewValidator(agencies, opts.Now), opts.BatchSize, units)
	defer func() {
		cancel()
		for range units { // let the producer end
		}
	}()
	for u := range units {
		rep.Read += u.read
		for _, r := range u.rejects {
			if err := j.refuse(r.Reject, r.reason); err != nil {
				return rep, err
			}
		}
		if u.err != nil {
			return rep, u.err
		}
		if len(u.rows) > 0 {
			if err := j.flush(ctx, u.rows); err != nil {
				return rep, err
			}
		}
	}
	return rep, ctx.Err()
}

// unit is what the producer hands the writer: a batch of valid rows and the
// refusals met while reading it.
type unit struct {
	rows    []pending
	rejects []refusal
	read    int
	err     error
}

func produce(ctx context.Context, dec Decoder, v *Validator, size int, out chan<- unit) {
	defer close(out)
	var u unit
	send := func() bool {
		select {
		case out <- u:
			u = unit{}
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		if ctx.Err() != nil {
			return
		}
		item, err := dec.Next()
		if errors.Is(err, io.EOF) {
			send()
			return
		}
		if err != nil {
			u.err = fmt.Errorf("ingest: reading input: %w", err)
			send()
			return
		}
		u.read++
		if item.Reject != nil {
			u.rejects = append(u.rejects, refusal{item.Reject, RefusedDecode})
			continue
		}
		row, rej := v.Check(item.Record)
		if rej != nil {
			rej.File, rej.Line = item.File, item.Line
			u.rejects = append(u.rejects, refusal{rej, RefusedInvalid})
			continue
		}
		u.rows = append(u.rows, pending{file: item.File, line: item.Line, recordID: item.Record.Source.RecordID, typ: item.Record.Type, row: row})
		if len(u.rows) >= size || len(u.rejects) >= size {
			if !send() {
				return
			}
		}
	}
}

// refusal is a refused record and the reason counted for it.
type refusal struct {
	*Reject
	reason string
}

type job struct {
	store Store
	opts  Options
	rep   *Report
}

// accept counts n records as written.
func (j *job) accept(n int) {
	if j.opts.Counter != nil && n > 0 {
		j.opts.Counter.RecordsAccepted(n)
	}
}

func (j *job) refuse(r *Reject, reason string) error {
	if j.opts.Counter != nil {
		j.opts.Counter.RecordRefused(reason)
	}
	j.rep.Refused++
	j.rep.Refusals[r.Type]++
	if len(j.rep.Rejects) < j.opts.KeepRejects {
		j.rep.Rejects = append(j.rep.Rejects, *r)
	}
	if j.opts.OnReject != nil {
		if err := j.opts.OnReject(*r); err != nil {
			return fmt.Errorf("ingest: writing rejects: %w", err)
		}
	}
	return nil
}

// flush checks what needs the graph (dates against the cases' filed dates),
// writes the batch, and on a refusal by Neo4j splits it to find the record
// at fault.
func (j *job) flush(ctx context.Context, batch []pending) error {
	batch, err := j.checkDates(ctx, batch)
	if err != nil {
		return err
	}
	if len(batch) == 0 {
		return nil
	}
	if batch, err = j.dedupe(batch); err != nil {
		return err
	}
	if j.opts.DryRun {
		for _, p := range batch {
			j.rep.Written++
			j.rep.ByType[p.typ]++
		}
		j.accept(len(batch))
		j.rep.Batches++
		j.progress()
		return nil
	}
	return j.write(ctx, batch)
}

// checkDates refuses decisions and judgments dated before their case was
// filed, as far as the graph and the batch know the filed date.
func (j *job) checkDates(ctx context.Context, batch []pending) ([]pending, error) {
	filed := map[string]time.Time{}
	var ask []string
	for _, p := range batch {
		if p.row.Kind == neo4jdb.IngestCase {
			if d, ok := p.row.Params["props"].(map[string]any)["filedAt"]; ok && d != nil {
				filed[p.row.Params["key"].(string)] = dateOf(d)
			}
		}
	}
	for _, p := range batch {
		if p.row.CaseUID != "" {
			if _, known := filed[p.row.CaseUID]; !known {
				ask = append(ask, p.row.CaseUID)
			}
		}
	}
	if len(ask) > 0 {
		var known map[string]time.Time
		err := j.retry(ctx, func() (err error) {
			known, err = j.store.CaseFiledDates(ctx, ask)
			return err
		})
		if err != nil {
			return nil, err
		}
		for uid, d := range known {
			filed[uid] = d
		}
	}
	out := batch[:0:0]
	for _, p := range batch {
		if decided := p.row.Decided; p.row.CaseUID != "" {
			if f, ok := filed[p.row.CaseUID]; ok && decided.Before(f) {
				if err := j.refuse(&Reject{File: p.file, Line: p.line, RecordID: p.recordID, Type: p.typ, Field: "decidedAt",
					Reason: fmt.Sprintf("%s is before the case was filed (%s)", decided.Format(time.DateOnly), f.Format(time.DateOnly))}, RefusedInvalid); err != nil {
					return nil, err
				}
				continue
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// dedupe resolves versions of one record within a batch in Go, where the
// order is certain (within one Cypher statement it is not): the newest
// source.at wins, a later row wins a tie, and a version with other content
// is a conflict. It returns the rows to write.
func (j *job) dedupe(batch []pending) ([]pending, error) {
	type kept struct {
		i    int
		at   time.Time
		hash string
	}
	seen := map[string]kept{}
	drop := map[int]bool{}
	var stale, replaced []int
	for i, p := range batch {
		hash, ok := p.row.Params["hash"].(string)
		if !ok {
			continue
		}
		key := string(p.row.Kind) + "|" + fmt.Sprint(p.row.Params["key"])
		at, _ := p.row.Params["at"].(time.Time)
		prev, dup := seen[key]
		if !dup {
			seen[key] = kept{i, at, hash}
			continue
		}
		switch {
		case at.Before(prev.at):
			drop[i] = true
			if hash != prev.hash {
				stale = append(stale, i)
			}
		default:
			drop[prev.i] = true
			if hash != prev.hash {
				replaced = append(replaced, i)
			}
			seen[key] = kept{i, at, hash}
		}
	}
	if len(drop) == 0 {
		return batch, nil
	}
	if err := j.conflicts(batch, stale, "stale: a newer version is kept"); err != nil {
		return nil, err
	}
	if err := j.conflicts(batch, replaced, "replaced an older version"); err != nil {
		return nil, err
	}
	j.rep.Stale += len(stale)
	j.rep.Replaced += len(replaced)
	out := make([]pending, 0, len(batch)-len(drop))
	for i, p := range batch {
		if drop[i] {
			j.rep.Written++ // read, valid and superseded: counted as written, like a stale row
			j.rep.ByType[p.typ]++
			continue
		}
		out = append(out, p)
	}
	j.accept(len(drop))
	return out, nil
}

func (j *job) write(ctx context.Context, batch []pending) error {
	b := &neo4jdb.IngestBatch{}
	links := neo4jdb.LinkRows{}
	var persons []string
	for i, p := range batch {
		params := make(map[string]any, len(p.row.Params)+1)
		for k, v := range p.row.Params {
			params[k] = v
		}
		params["i"] = i
		if p.row.Kind == neo4jdb.IngestLink {
			links[p.row.LinkKey] = append(links[p.row.LinkKey], params)
		} else {
			b.Add(p.row.Kind, params)
		}
		if p.row.Person != "" {
			persons = append(persons, p.row.Person)
		}
	}
	var res neo4jdb.IngestResult
	err := j.retry(ctx, func() (err error) {
		res, err = j.store.WriteIngestBatch(ctx, b, links, persons)
		return err
	})
	if err != nil && neo4jdb.IsDataError(err) {
		if len(batch) == 1 {
			p := batch[0]
			j.opts.Log.DebugContext(ctx, "record refused by the graph", "file", p.file, "line", p.line, "err", err)
			return j.refuse(&Reject{File: p.file, Line: p.line, RecordID: p.recordID, Type: p.typ,
				Reason: "the graph refused the record: " + neo4jMessage(err)}, RefusedGraph)
		}
		mid := len(batch) / 2
		if err := j.write(ctx, batch[:mid]); err != nil {
			return err
		}
		return j.write(ctx, batch[mid:])
	}
	if err != nil {
		return fmt.Errorf("ingest: writing a batch of %d records (%s:%d–%d): %w", len(batch), batch[0].file, batch[0].line, batch[len(batch)-1].line, err)
	}
	j.rep.Batches++
	for _, p := range batch {
		j.rep.Written++
		j.rep.ByType[p.typ]++
	}
	j.accept(len(batch))
	if err := j.conflicts(batch, res.Stale, "stale: a newer version is kept"); err != nil {
		return err
	}
	if err := j.conflicts(batch, res.Replaced, "replaced an older version"); err != nil {
		return err
	}
	j.rep.Stale += len(res.Stale)
	j.rep.Replaced += len(res.Replaced)
	if j.opts.OnCommit != nil {
		if touched := touchedCases(batch); len(touched) > 0 {
			j.opts.OnCommit(ctx, touched)
		}
	}
	j.progress()
	return nil
}

func (j *job) conflicts(batch []pending, idx []int, outcome string) error {
	for _, i := range idx {
		if i < 0 || i >= len(batch) {
			continue
		}
		p := batch[i]
		c := Conflict{File: p.file, Line: p.line, RecordID: p.recordID, Type: p.typ, Outcome: outcome}
		if len(j.rep.Conflicts) < j.opts.KeepRejects {
			j.rep.Conflicts = append(j.rep.Conflicts, c)
		}
		if j.opts.OnConflict != nil {
			if err := j.opts.OnConflict(c); err != nil {
				return fmt.Errorf("ingest: writing conflicts: %w", err)
			}
		}
	}
	return nil
}

func (j *job) progress() {
	if j.opts.OnProgress != nil {
		j.opts.OnProgress(*j.rep)
	}
}

// retry runs f again while the graph is unavailable, for up to about a
// minute, then gives up: an unavailable graph fails the job (it can be run
// again: writing is idempotent).
func (j *job) retry(ctx context.Context, f func() error) error {
	delay := 500 * time.Millisecond
	for attempt := 1; ; attempt++ {
		err := f()
		if err == nil || casegraph.ErrorCode(err) != casegraph.EUNAVAILABLE || attempt == 8 {
			return err
		}
		j.opts.Log.WarnContext(ctx, "graph unavailable; retrying the batch", "attempt", attempt, "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 10*time.Second)
	}
}

func neo4jMessage(err error) string {
	msg := err.Error()
	if len(msg) > 300 {
		msg = msg[:300] + "…"
	}
	return msg
}

// touchedCases lists, sorted and once each, the cases the rows of a batch
// wrote or referred to: what derived data must look at again.
func touchedCases(batch []pending) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range batch {
		for _, uid := range p.row.Touch {
			if !seen[uid] {
				seen[uid] = true
				out = append(out, uid)
			}
		}
	}
	sort.Strings(out)
	return out
}
