package neo4jdb

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/casegraph/casegraph"
)

// A lineage (案件流转) is the set of cases joined by handovers: a police
// case, the procuratorate's cases and the courts' cases of one matter. The
// procedure engine runs over a whole lineage, so reads and writes of the
// procedure work on lineages.

// FactCase is what the procedure needs of a case.
type FactCase struct {
	UID         string
	Kind        casegraph.CaseKind
	Agency      string
	AgencyKind  casegraph.AgencyKind
	District    string
	ReceivedAt  time.Time  // 受案 time, set when the case was opened through the API
	FiledAt     *time.Time // date
	Stage       casegraph.Stage
	Placeholder bool
}

// FactHandover is a handover sent by a case of the lineage.
type FactHandover struct {
	UID        string
	Type       casegraph.HandoverType
	FromCase   string
	ToCase     string // "" while pending
	FromAgency string
	ToAgency   string
	SentAt     time.Time
	ReceivedAt time.Time
	Status     string
	ReasonCode string
	Reason     string
	Person     string
	Variant    string
	SentBy     string
	ReceivedBy string
	// ReceivedMutationID is the clientMutationId of the receiveHandover
	// that accepted or rejected it, if any.
	ReceivedMutationID string
}

// FactDecision is a decision recorded on a case of the lineage.
type FactDecision struct {
	UID       string
	Case      string
	Person    string
	Kind      string
	Subtype   string
	DecidedAt time.Time // a date from ingest, an instant from the API
	Basis     string
	By        string
}

// FactMeasure is a custody measure on a person in a case of the lineage.
type FactMeasure struct {
	UID    string
	Case   string
	Person string
	Kind   string // the Chinese name: 拘传, 取保候审, 监视居住, 拘留, 逮捕, 释放
	From   time.Time
	By     string
}

// FactJudgment is a court's judgment on one defendant.
type FactJudgment struct {
	UID       string
	Case      string
	Person    string
	DecidedAt time.Time
	Final     bool
}

// LineageFacts are the records of one lineage that the procedure engine
// turns into events.
type LineageFacts struct {
	Cases     []FactCase
	Handovers []FactHandover
	Decisions []FactDecision
	Measures  []FactMeasure
	Judgments []FactJudgment
}

// CaseUIDs lists the lineage's cases.
func (f *LineageFacts) CaseUIDs() []string {
	out := make([]string, len(f.Cases))
	for i, c := range f.Cases {
		out[i] = c.UID
	}
	return out
}

// LineageTx is a write transaction that holds the write locks of the cases
// of the lineages it works on, so that concurrent changes of one lineage
// are applied one after the other.
type LineageTx struct {
	ctx context.Context
	tx  neo4j.ManagedTransaction
}

func (l *LineageTx) run(cypher string, params map[string]any) ([]*neo4j.Record, error) {
	res, err := l.tx.Run(l.ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(l.ctx)
}

// InLineages runs fn in one write transaction after locking every case of
// the lineages of caseUIDs. fn may be called more than once (the driver
// retries transient failures such as deadlocks), so it must not keep state
// between calls. An error from fn rolls everything back.
func (db *DB) InLineages(ctx context.Context, caseUIDs []string, fn func(tx *LineageTx, lineages [][]string) error) error {
	db.queries.Add(1)
	sess := db.driver.NewSession(ctx, neo4jSessionConfig(db.database))
	defer sess.Close(ctx)
	_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		l := &LineageTx{ctx: ctx, tx: tx}
		lineages, err := l.lock(caseUIDs)
		if err != nil {
			return nil, err
		}
		if err := fn(l, lineages); err != nil {
			return nil, err
		}
		var all []string
		for _, ln := range lineages {
			all = append(all, ln...)
		}
		_, err = l.run(unlockQuery, map[string]any{"uids": all})
		return nil, err
	})
	return translate(err)
}

// lineageQuery returns, for each case, the cases of its lineage: every case
// reachable through SENT and RECEIVED_BY.
const lineageQuery = `
UNWIND $uids AS u
MATCH (c:Case {uid: u})
CALL {
  WITH c
  MATCH (c)-[:SENT|RECEIVED_BY*0..64]-(x:Case)
  RETURN collect(DISTINCT x.uid) AS members
}
RETURN u, members`

const lockQuery = `
UNWIND $uids AS u
MATCH (c:Case {uid: u})
SET c._locked = true
RETURN count(c) AS n`

// unlockQuery removes the lock property before commit: the write locks stay
// until the transaction ends, and the graph keeps no trace of them.
const unlockQuery = `
UNWIND $uids AS u
MATCH (c:Case {uid: u})
REMOVE c._locked`

// lock locks the cases of the lineages of uids, in uid order to keep
// deadlocks rare, and returns the lineages (each sorted). It repeats until
// the lineages it read are the ones it holds locks on.
func (l *LineageTx) lock(uids []string) ([][]string, error) {
	locked := map[string]bool{}
	want := append([]string(nil), uids...)
	for range 8 {
		var todo []string
		for _, u := range want {
			if !locked[u] {
				todo = append(todo, u)
				locked[u] = true
			}
		}
		sort.Strings(todo)
		if len(todo) > 0 {
			if _, err := l.run(lockQuery, map[string]any{"uids": todo}); err != nil {
				return nil, err
			}
		}
		lineages, err := l.lineages(uids)
		if err != nil {
			return nil, err
		}
		want = want[:0]
		for _, ln := range lineages {
			want = append(want, ln...)
		}
		complete := true
		for _, u := range want {
			if !locked[u] {
				complete = false
			}
		}
		if complete {
			return lineages, nil
		}
	}
	return nil, fmt.Errorf("neo4jdb: lineage of %v kept changing while locking it", uids)
}

func (l *LineageTx) lineages(uids []string) ([][]string, error) {
	recs, err := l.run(lineageQuery, map[string]any{"uids": uids})
	if err != nil {
		return nil, err
	}
	return groupLineages(recs), nil
}

func groupLineages(recs []*neo4j.Record) [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, r := range recs {
		ms, _ := r.Get("members")
		var members []string
		for _, m := range ms.([]any) {
			members = append(members, m.(string))
		}
		sort.Strings(members)
		if len(members) == 0 || seen[members[0]] {
			continue
		}
		for _, m := range members {
			seen[m] = true
		}
		out = append(out, members)
	}
	return out
}

// Lineage returns the cases of the lineage of one case, sorted; nil if the
// case does not exist.
func (db *DB) Lineage(ctx context.Context, caseUID string) ([]string, error) {
	recs, err := db.read(ctx, lineageQuery, map[string]any{"uids": []string{caseUID}})
	if err != nil {
		return nil, fmt.Errorf("Lineage: %w", err)
	}
	ls := groupLineages(recs)
	if len(ls) == 0 {
		return nil, nil
	}
	return ls[0], nil
}

const factsQuery = `
UNWIND $uids AS u
MATCH (c:Case {uid: u})
OPTIONAL MATCH (c)-[:HANDLED_BY]->(a:Agency)
RETURN c{.uid, .kind, .agencyCode, .district, .receivedAt, .filedAt, .stage, .placeholder} AS c,
       coalesce(a.kind, '') AS agencyKind,
       [(c)-[:SENT]->(h:Handover) | h{.*, from: c.uid,
          to: head([(h)-[:RECEIVED_BY]->(t:Case) | t.uid])}] AS hs,
       [(d:Decision)-[:IN_CASE]->(c) | d{.*, person: head([(d)-[:ON_PERSON]->(p:Person) | p.uid])}] AS ds,
       [(m:Measure)-[:IN_CASE]->(c) | m{.*, person: head([(m)-[:ON_PERSON]->(p:Person) | p.uid])}] AS ms,
       [(j:Judgment)-[:IN_CASE]->(c) | j{.uid, .decidedAt, .final, person: head([(j)-[:ON_PERSON]->(p:Person) | p.uid])}] AS js`

// Facts loads the records of the given cases (a lineage).
func (l *LineageTx) Facts(uids []string) (*LineageFacts, error) {
	recs, err := l.run(factsQuery, map[string]any{"uids": uids})
	if err != nil {
		return nil, err
	}
	return factsFrom(recs), nil
}

// LineageFacts loads the records of the lineage of one case in a read
// transaction; nil if the case does not exist.
func (db *DB) LineageFacts(ctx context.Context, caseUID string) (*LineageFacts, error) {
	uids, err := db.Lineage(ctx, caseUID)
	if err != nil || uids == nil {
		return nil, err
	}
	recs, err := db.read(ctx, factsQuery, map[string]any{"uids": uids})
	if err != nil {
		return nil, fmt.Errorf("LineageFacts: %w", err)
	}
	return factsFrom(recs), nil
}

func factsFrom(recs []*neo4j.Record) *LineageFacts {
	f := &LineageFacts{}
	for _, r := range recs {
		c := props(get(r, "c"))
		f.Cases = append(f.Cases, FactCase{UID: str(c, "uid"), Kind: casegraph.CaseKind(str(c, "kind")),
			Agency: str(c, "agencyCode"), AgencyKind: casegraph.AgencyKind(asString(get(r, "agencyKind"))),
			District: str(c, "district"), ReceivedAt: datetime(c, "receivedAt"), FiledAt: date(c, "filedAt"),
			Stage: casegraph.Stage(str(c, "stage")), Placeholder: boolean(c, "placeholder")})
		for _, v := range get(r, "hs").([]any) {
			f.Handovers = append(f.Handovers, handoverFrom(props(v)))
		}
		for _, v := range get(r, "ds").([]any) {
			d := props(v)
			f.Decisions = append(f.Decisions, FactDecision{UID: str(d, "uid"), Case: str(c, "uid"), Person: str(d, "person"),
				Kind: str(d, "kind"), Subtype: str(d, "subtype"), DecidedAt: instant(d, "decidedAt"), Basis: str(d, "basis"),
				By: str(d, "recordedBy")})
		}
		for _, v := range get(r, "ms").([]any) {
			m := props(v)
			f.Measures = append(f.Measures, FactMeasure{UID: str(m, "uid"), Case: str(c, "uid"), Person: str(m, "person"),
				Kind: str(m, "kind"), From: instant(m, "from"), By: str(m, "recordedBy")})
		}
		for _, v := range get(r, "js").([]any) {
			j := props(v)
			f.Judgments = append(f.Judgments, FactJudgment{UID: str(j, "uid"), Case: str(c, "uid"), Person: str(j, "person"),
				DecidedAt: instant(j, "decidedAt"), Final: boolean(j, "final")})
		}
	}
	return f
}

func get(r *neo4j.Record, key string) any {
	v, _ := r.Get(key)
	return v
}

// instant reads a date or datetime property as a time: a date is midnight
// in China (UTC+8), where the procedure counts its days.
func instant(p map[string]any, key string) time.Time {
	if d, ok := p[key].(dbtype.Date); ok {
		t := d.Time()
		return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, chinaZone)
	}
	return datetime(p, key)
}

var chinaZone = time.FixedZone("CST", 8*3600)

// ProcedureEvent is an event of a lineage as stored for its timeline.
type ProcedureEvent struct {
	UID        string
	Seq        int
	At         time.Time
	Kind       string // the engine's event kind or transition ID; "" for a record only shown
	Name       string // in Chinese
	Case       string
	ToCase     string
	Person     string
	Record     string // the uid of the record the event comes from
	RecordType string
	Status     string // APPLIED, RESTATED, REFUSED or NOTED
	Message    string
	Article    string
	Citation   string
	Actor      string
	StageAfter casegraph.Stage
}

// StoredDeadline is a clock, a watch or an anomaly kept for supervision.
type StoredDeadline struct {
	UID       string
	Kind      string // DUTY, WATCH or ANOMALY
	Status    string // RUNNING, PAUSED, LATE (a duty that ended late) or OPEN (a watch or anomaly)
	Rule      string // the time limit (T15) or the red flag (R07) or transition (A14)
	Title     string
	Article   string
	Citation  string
	Flags     []string // red flags raised when it is overdue
	FlagNames []string
	Severity  string // when overdue: CRITICAL, HIGH or MEDIUM
	Case      string
	Agency    string
	District  string
	Person    string
	StartedAt time.Time
	DueAt     time.Time // the last day, or the instant for hours
	EndAt     time.Time // the first instant past the period
	Custody   bool
	Facts     []string // what triggered it, in Chinese
}

// CaseStage is a case's stage as the engine sees it.
type CaseStage struct {
	UID   string
	Stage casegraph.Stage
	Since time.Time
}

// LineageState is what the engine derived for one lineage.
type LineageState struct {
	Cases     []string // every case of the lineage
	Stages    []CaseStage
	Events    []ProcedureEvent
	Deadlines []StoredDeadline
	// Scopes are the agencies that see each case: those of every case of
	// its lineage and of every handover in it.
	Scopes []CaseScope
}

// CaseScope is the agencies whose users see a case through its lineage.
type CaseScope struct {
	UID      string
	Agencies []string
}

const saveEventsQuery = `
UNWIND $events AS e
MATCH (c:Case {uid: e.case})
MERGE (n:Event {uid: e.uid})
SET n = e
MERGE (n)-[:IN_CASE]->(c)`

const pruneEventsQuery = `
MATCH (n:Event)-[:IN_CASE]->(c:Case)
WHERE c.uid IN $cases AND NOT n.uid IN $keep
DETACH DELETE n`

const saveStagesQuery = `
UNWIND $stages AS s
MATCH (c:Case {uid: s.uid})
SET c.stage = s.stage, c.stageSince = s.since, c.updatedAt = datetime()`

// saveScopesQuery writes each case's scope tokens: the lineage's agencies,
// then KIND@prefix for the prefixes of its own agency's region (2, 4 and 6
// characters, and the whole code), which supervision scopes match.
const saveScopesQuery = `
UNWIND $scopes AS s
MATCH (c:Case {uid: s.uid})
OPTIONAL MATCH (c)-[:HANDLED_BY]->(a:Agency)
WITH c, s, coalesce(a.region, '') AS region
WITH c, s, [n IN [2, 4, 6, size(region)] WHERE n > 0 AND n <= size(region) | c.kind + '@' + left(region, n)] AS sup
WITH c, s.agencies + reduce(acc = [], t IN sup | CASE WHEN t IN acc THEN acc ELSE acc + t END) AS scope
WHERE c.scope IS NULL OR c.scope <> scope
SET c.scope = scope, c.updatedAt = datetime()`

const pruneDeadlinesQuery = `
MATCH (d:Deadline)
WHERE d.caseUid IN $cases
DETACH DELETE d`

const saveDeadlinesQuery = `
UNWIND $deadlines AS d
MATCH (c:Case {uid: d.caseUid})
CREATE (n:Deadline)
SET n = d
CREATE (n)-[:IN_CASE]->(c)`

// Save replaces the lineage's derived events, stages, deadlines, scope
// tokens, roll-up contributions and alert counters.
func (l *LineageTx) Save(st LineageState) error {
	events := make([]map[string]any, 0, len(st.Events))
	keep := make([]string, 0, len(st.Events))
	for _, e := range st.Events {
		keep = append(keep, e.UID)
		events = append(events, map[string]any{"uid": e.UID, "seq": e.Seq, "at": offsetTime(e.At), "kind": e.Kind, "name": e.Name,
			"case": e.Case, "toCase": nilIfEmpty(e.ToCase), "person": nilIfEmpty(e.Person), "record": nilIfEmpty(e.Record),
			"recordType": nilIfEmpty(e.RecordType), "status": e.Status, "message": nilIfEmpty(e.Message),
			"article": nilIfEmpty(e.Article), "citation": nilIfEmpty(e.Citation), "actor": nilIfEmpty(e.Actor),
			"stageAfter": nilIfEmpty(string(e.StageAfter))})
	}
	stages := make([]map[string]any, 0, len(st.Stages))
	for _, s := range st.Stages {
		stages = append(stages, map[string]any{"uid": s.UID, "stage": string(s.Stage), "since": offsetTime(s.Since)})
	}
	deadlines := make([]map[string]any, 0, len(st.Deadlines))
	for _, d := range st.Deadlines {
		var openEnd any
		if d.Status != "PAUSED" {
			openEnd = offsetTime(d.EndAt)
		}
		deadlines = append(deadlines, map[string]any{"uid": d.UID, "openEnd": openEnd, "kind": d.Kind, "status": d.Status, "rule": d.Rule,
			"title": d.Title, "article": d.Article, "citation": d.Citation, "flags": orEmpty(d.Flags), "flagNames": orEmpty(d.FlagNames),
			"severity": d.Severity, "caseUid": d.Case, "agency": d.Agency, "district": nilIfEmpty(d.District),
			"personUid": nilIfEmpty(d.Person), "startedAt": offsetTime(d.StartedAt), "dueAt": offsetTime(d.DueAt), "endAt": offsetTime(d.EndAt),
			"custody": d.Custody, "facts": orEmpty(d.Facts)})
	}
	scopes := make([]map[string]any, 0, len(st.Scopes))
	for _, s := range st.Scopes {
		scopes = append(scopes, map[string]any{"uid": s.UID, "agencies": orEmpty(s.Agencies)})
	}
	steps := []struct {
		q string
		p map[string]any
	}{
		{pruneEventsQuery, map[string]any{"cases": st.Cases, "keep": keep}},
		{saveEventsQuery, map[string]any{"events": events}},
		{saveStagesQuery, map[string]any{"stages": stages}},
		{saveScopesQuery, map[string]any{"scopes": scopes}},
		{pruneDeadlinesQuery, map[string]any{"cases": st.Cases}},
		{saveDeadlinesQuery, map[string]any{"deadlines": deadlines}},
	}
	for _, s := range steps {
		if _, err := l.run(s.q, s.p); err != nil {
			return err
		}
	}
	// Last, from what was just written: the cases' roll-up contributions
	// and the counters of their deadlines.
	if err := l.syncRollups(st.Cases); err != nil {
		return err
	}
	return l.syncAlertCells(st.Cases)
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Timeline lists the events of the lineage of a case in order.
func (db *DB) Timeline(ctx context.Context, caseUID string) ([]ProcedureEvent, error) {
	uids, err := db.Lineage(ctx, caseUID)
	if err != nil {
		return nil, err
	}
	recs, err := db.read(ctx, `
MATCH (n:Event)-[:IN_CASE]->(c:Case)
WHERE c.uid IN $cases AND `+visibleCase("c")+`
RETURN n ORDER BY n.at, n.seq, n.uid`, scoped(ctx, map[string]any{"cases": uids}))
	if err != nil {
		return nil, fmt.Errorf("Timeline: %w", err)
	}
	out := make([]ProcedureEvent, 0, len(recs))
	for _, r := range recs {
		p := props(get(r, "n"))
		seq, _ := p["seq"].(int64)
		out = append(out, ProcedureEvent{UID: str(p, "uid"), Seq: int(seq), At: datetime(p, "at"), Kind: str(p, "kind"),
			Name: str(p, "name"), Case: str(p, "case"), ToCase: str(p, "toCase"), Person: str(p, "person"),
			Record: str(p, "record"), RecordType: str(p, "recordType"), Status: str(p, "status"), Message: str(p, "message"),
			Article: str(p, "article"), Citation: str(p, "citation"), Actor: str(p, "actor"),
			StageAfter: casegraph.Stage(str(p, "stageAfter"))})
	}
	return out, nil
}
