// Package workflow runs the handover workflow between agencies (公检法协同)
// on the case graph: it turns a lineage's records into procedure events,
// replays them through internal/procedure's engine, and keeps each case's
// stage, the timeline and the deadlines supervisors query up to date. Ingest
// (Sync, after each batch) and the GraphQL mutations (TransferCase,
// ReceiveHandover, RecordDecision, RecordMeasure) go through the same
// derivation and the same engine.
package workflow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/procedure"
)

// Store is what the workflow needs of the graph.
type Store interface {
	InLineages(ctx context.Context, caseUIDs []string, fn func(tx *neo4jdb.LineageTx, lineages [][]string) error) error
	LineageFacts(ctx context.Context, caseUID string) (*neo4jdb.LineageFacts, error)
	HandoverByUID(ctx context.Context, uid string) (*neo4jdb.FactHandover, error)
	AgenciesByCode(ctx context.Context, codes []string) (map[string]casegraph.Agency, error)
}

// Options tune the supervision watches.
type Options struct {
	// LongInvestigation is how long an investigation may run before 久侦不结
	// (R07) is raised; 12 months when zero.
	LongInvestigation time.Duration
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// OnChange is called after a mutation commits with the cases of the
	// lineage it changed (the search index follows through it).
	OnChange func(ctx context.Context, caseUIDs []string)
}

// Workflow is the handover workflow over one graph.
type Workflow struct {
	store  Store
	engine *procedure.Engine
	log    *slog.Logger
	opts   Options
}

// New returns a workflow on a store with the embedded rules and calendar.
func New(store Store, log *slog.Logger, opts Options) *Workflow {
	if log == nil {
		log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.LongInvestigation == 0 {
		opts.LongInvestigation = 365 * 24 * time.Hour
	}
	return &Workflow{store: store, engine: procedure.NewEngine(nil, nil), log: log, opts: opts}
}

// Engine is the procedure engine the workflow runs.
func (w *Workflow) Engine() *procedure.Engine { return w.engine }

// replayed is a lineage after its events were applied.
type replayed struct {
	facts  *neo4jdb.LineageFacts
	state  *procedure.State
	events []neo4jdb.ProcedureEvent
	last   time.Time // the time of the last event applied
}

// replay applies a lineage's events. An event of a record in strict that
// the engine refuses stops the replay with the engine's error; any other
// refused event is kept on the timeline as REFUSED and raises an anomaly.
func (w *Workflow) replay(f *neo4jdb.LineageFacts, strict map[string]bool) (*replayed, error) {
	r := &replayed{facts: f, state: w.engine.NewState()}
	seq := 0
	for _, it := range w.derive(f) {
		at := it.at
		if at.Before(r.last) {
			at = r.last
		}
		evs := it.choose(r.state)
		if len(evs) == 0 {
			r.events = append(r.events, w.noted(it, at, seq))
			seq++
			continue
		}
		for i, ev := range evs {
			ev.At = at
			pe := neo4jdb.ProcedureEvent{UID: it.uid, Seq: seq, At: at, Kind: ev.Kind, Name: w.eventName(ev, it.name),
				Case: ev.Case, ToCase: ev.ToCase, Person: ev.Person, Record: it.record, RecordType: it.recordType,
				Actor: it.actor}
			if i > 0 {
				pe.UID = fmt.Sprintf("%s/%d", it.uid, i)
			}
			if pe.Case == "" {
				pe.Case = it.caseUID
			}
			pe.Article, pe.Citation = w.ruleOf(ev)
			seq++
			if it.restate && w.restated(r.state, ev) {
				pe.Status = "RESTATED"
				pe.StageAfter = r.state.Stage()
				r.events = append(r.events, pe)
				continue
			}
			if err := r.state.Apply(ev); err != nil {
				var ce *casegraph.Error
				if strict[it.record] || !errors.As(err, &ce) {
					return nil, err
				}
				pe.Status, pe.Message = "REFUSED", ce.Message
				pe.StageAfter = r.state.Stage()
				r.events = append(r.events, pe)
				break
			}
			pe.Status = "APPLIED"
			pe.StageAfter = r.state.Stage()
			r.events = append(r.events, pe)
			r.last = at
		}
	}
	return r, nil
}

func (w *Workflow) noted(it item, at time.Time, seq int) neo4jdb.ProcedureEvent {
	return neo4jdb.ProcedureEvent{UID: it.uid, Seq: seq, At: at, Name: it.name, Case: it.caseUID, Record: it.record,
		RecordType: it.recordType, Status: "NOTED", Actor: it.actor}
}

// restated reports whether ev would only repeat the stage the lineage is
// already in.
func (w *Workflow) restated(s *procedure.State, ev procedure.Event) bool {
	t := w.engine.Rules.Transition(ev.Kind)
	if t == nil {
		return false
	}
	in := func(xs []casegraph.Stage) bool {
		for _, x := range xs {
			if x == s.Stage() {
				return true
			}
		}
		return false
	}
	return in(t.To) && !in(t.From)
}

func (w *Workflow) ruleOf(ev procedure.Event) (article, citation string) {
	r := w.engine.Rules
	if t := r.Transition(ev.Kind); t != nil {
		return t.Article, t.Citation
	}
	if e := r.Event(ev.Kind); e != nil {
		if ev.Rule != "" {
			if l := r.Limit(ev.Rule); l != nil {
				return l.Article, l.Citation
			}
			if l := r.ExtensionOwner(ev.Rule); l != nil {
				return l.Article, l.Citation
			}
		}
		return e.Article, e.Citation
	}
	return "", ""
}

func (w *Workflow) eventName(ev procedure.Event, fallback string) string {
	if t := w.engine.Rules.Transition(ev.Kind); t != nil {
		return t.Name
	}
	if e := w.engine.Rules.Event(ev.Kind); e != nil && fallback == "" {
		return e.Name
	}
	return fallback
}

// save derives what a replayed lineage stores: stages, events, deadlines.
func (w *Workflow) save(tx *neo4jdb.LineageTx, r *replayed, now time.Time) error {
	var st neo4jdb.LineageState
	w.collect(&st, r, now)
	return tx.Save(st)
}

func (w *Workflow) collect(st *neo4jdb.LineageState, r *replayed, now time.Time) {
	st.Cases = append(st.Cases, r.facts.CaseUIDs()...)
	st.Events = append(st.Events, r.events...)
	st.Deadlines = append(st.Deadlines, w.deadlines(r, now)...)
	for _, c := range r.state.Cases() {
		st.Stages = append(st.Stages, neo4jdb.CaseStage{UID: c.UID, Stage: c.Stage, Since: c.Since})
	}
	agencies := lineageAgencies(r.facts)
	for _, c := range r.facts.Cases {
		st.Scopes = append(st.Scopes, neo4jdb.CaseScope{UID: c.UID, Agencies: agencies})
	}
}

// lineageAgencies are the agencies that see every case of a lineage: those
// that handled one of its cases, sent a handover in it or were sent one
// (the receiver of a pending handover reads what it is asked to accept).
func lineageAgencies(f *neo4jdb.LineageFacts) []string {
	seen := map[string]bool{}
	var out []string
	add := func(a string) {
		if a != "" && !seen[a] {
			seen[a] = true
			out = append(out, a)
		}
	}
	for _, c := range f.Cases {
		add(c.Agency)
	}
	for _, h := range f.Handovers {
		add(h.FromAgency)
		add(h.ToAgency)
	}
	sort.Strings(out)
	return out
}

// Sync re-derives the lineages of the given cases from their records, as
// ingest calls it after each batch: stages, timelines and deadlines. Events
// the procedure does not allow are kept as REFUSED and become anomalies;
// they do not stop the rest of the lineage. The lineages of a chunk of
// cases are read with one query and saved with one set of statements.
func (w *Workflow) Sync(ctx context.Context, caseUIDs []string) error {
	const chunk = 200
	for i := 0; i < len(caseUIDs); i += chunk {
		part := caseUIDs[i:min(i+chunk, len(caseUIDs))]
		err := w.store.InLineages(ctx, part, func(tx *neo4jdb.LineageTx, lineages [][]string) error {
			now := w.opts.Now()
			var all []string
			for _, ln := range lineages {
				all = append(all, ln...)
			}
			facts, err := tx.Facts(all)
			if err != nil {
				return err
			}
			var st neo4jdb.LineageState
			for _, f := range splitFacts(facts, lineages) {
				r, err := w.replay(f, nil)
				if err != nil {
					return err
				}
				w.collect(&st, r, now)
			}
			return tx.Save(st)
		})
		if err != nil {
			return fmt.Errorf("workflow.Sync: %w", err)
		}
	}
	return nil
}

// splitFacts divides the records of several lineages by lineage.
func splitFacts(f *neo4jdb.LineageFacts, lineages [][]string) []*neo4jdb.LineageFacts {
	of := map[string]int{}
	for i, ln := range lineages {
		for _, uid := range ln {
			of[uid] = i
		}
	}
	out := make([]*neo4jdb.LineageFacts, len(lineages))
	for i := range out {
		out[i] = &neo4jdb.LineageFacts{}
	}
	for _, c := range f.Cases {
		out[of[c.UID]].Cases = append(out[of[c.UID]].Cases, c)
	}
	for _, h := range f.Handovers {
		out[of[h.FromCase]].Handovers = append(out[of[h.FromCase]].Handovers, h)
	}
	for _, d := range f.Decisions {
		out[of[d.Case]].Decisions = append(out[of[d.Case]].Decisions, d)
	}
	for _, m := range f.Measures {
		out[of[m.Case]].Measures = append(out[of[m.Case]].Measures, m)
	}
	for _, j := range f.Judgments {
		out[of[j.Case]].Judgments = append(out[of[j.Case]].Judgments, j)
	}
	return out
}

// Procedure is the procedural state of a case's lineage now: what the
// engine answers (stage, custody, clocks, next steps).
type Procedure struct {
	Stage     casegraph.Stage
	CaseStage casegraph.Stage
	Custody   []procedure.PersonState
	Clocks    []procedure.Clock
	Next      []procedure.Step
	Flags     []procedure.Flag
	Rounds    int // 退回补充侦查 rounds
}

// CaseProcedure replays the lineage of a case and reports its state at now.
func (w *Workflow) CaseProcedure(ctx context.Context, caseUID string) (*Procedure, error) {
	f, err := w.store.LineageFacts(ctx, caseUID)
	if err != nil {
		return nil, err
	}
	if f == nil {
		return nil, casegraph.Errorf(casegraph.ENOTFOUND, "案件不存在 (no case %s)", caseUID)
	}
	r, err := w.replay(f, nil)
	if err != nil {
		return nil, err
	}
	now := w.opts.Now()
	p := &Procedure{Stage: r.state.Stage(), Custody: r.state.People(), Clocks: r.state.Clocks(now), Next: r.state.Next(now),
		Flags: r.state.Flags(now), Rounds: r.state.SupplementaryRounds()}
	if c, ok := r.state.Case(caseUID); ok {
		p.CaseStage = c.Stage
	}
	return p, nil
}
