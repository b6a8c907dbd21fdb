package main

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strings"
	"unsafe"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// The baseline derives a lineage's timeline, deadlines, stages and scope
// agencies with internal/workflow's own code (workflow.Sync: the same
// derivation and engine as casegraph ingest), on a store that answers from
// the baseline's model instead of Neo4j. Sync hands its body a
// *neo4jdb.LineageTx; the baseline's has a transaction (captureTx) that
// answers the facts query from the model and keeps the rows that Save
// would write, which the baseline then writes with its own statements.
// workflow exports no pure "derive a lineage" function, and LineageTx no
// constructor, so lineageTx sets its two fields by reflection; it fails
// loudly if they change.

// syncStore is workflow.Store over the model. Only InLineages is used by
// Sync.
type syncStore struct{ m *model }

var errNotInBaseline = errors.New("benchingest: not used by the baseline")

func (s *syncStore) InLineages(ctx context.Context, caseUIDs []string, fn func(tx *neo4jdb.LineageTx, lineages [][]string) error) error {
	lineages := s.m.lineages(caseUIDs)
	tx := &captureTx{m: s.m}
	lt, err := lineageTx(ctx, tx)
	if err != nil {
		return err
	}
	if err := fn(lt, lineages); err != nil {
		return err
	}
	if !tx.saved {
		return errors.New("benchingest: workflow.Sync wrote no deadlines; has Save changed?")
	}
	var cases []string
	for _, ln := range lineages {
		cases = append(cases, ln...)
	}
	s.m.apply(cases, tx)
	s.m.synced += len(cases)
	return nil
}

func (s *syncStore) LineageFacts(context.Context, string) (*neo4jdb.LineageFacts, error) {
	return nil, errNotInBaseline
}

func (s *syncStore) HandoverByUID(context.Context, string) (*neo4jdb.FactHandover, error) {
	return nil, errNotInBaseline
}

func (s *syncStore) AgenciesByCode(context.Context, []string) (map[string]casegraph.Agency, error) {
	return nil, errNotInBaseline
}

// lineageTx makes a LineageTx whose statements go to tx.
func lineageTx(ctx context.Context, tx neo4j.ManagedTransaction) (*neo4jdb.LineageTx, error) {
	lt := &neo4jdb.LineageTx{}
	v := reflect.ValueOf(lt).Elem()
	for name, val := range map[string]any{"ctx": ctx, "tx": tx} {
		f := v.FieldByName(name)
		if !f.IsValid() || !reflect.TypeOf(val).AssignableTo(f.Type()) {
			return nil, fmt.Errorf("benchingest: neo4jdb.LineageTx has no field %s of a type that takes %T", name, val)
		}
		reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Set(reflect.ValueOf(val))
	}
	return lt, nil
}

// captureTx answers a lineage transaction's statements from the model and
// keeps what Save writes. The embedded interface is nil: only Run is
// called.
type captureTx struct {
	neo4j.ManagedTransaction
	m                                 *model
	events, stages, scopes, deadlines []map[string]any
	saved                             bool
}

func (t *captureTx) Run(_ context.Context, cypher string, params map[string]any) (neo4j.ResultWithContext, error) {
	rows := func(k string) []map[string]any { r, _ := params[k].([]map[string]any); return r }
	switch {
	case params["uids"] != nil && strings.Contains(cypher, "agencyKind"):
		return &listResult{recs: t.m.facts(params["uids"].([]string))}, nil
	case params["events"] != nil:
		t.events = rows("events")
	case params["stages"] != nil:
		t.stages = rows("stages")
	case params["scopes"] != nil:
		t.scopes = rows("scopes")
	case params["deadlines"] != nil:
		t.deadlines, t.saved = rows("deadlines"), true
	case params["cases"] != nil && len(params) <= 2:
		// pruning, roll-ups and alert counters: the baseline does them
		// from the model (apply)
	default:
		return nil, fmt.Errorf("benchingest: unexpected statement in the procedure sync: %.100s", cypher)
	}
	return &listResult{}, nil
}

// listResult is a result of records already in hand.
type listResult struct {
	neo4j.ResultWithContext
	recs []*neo4j.Record
}

func (r *listResult) Collect(context.Context) ([]*neo4j.Record, error) { return r.recs, nil }

func (r *listResult) Consume(context.Context) (neo4j.ResultSummary, error) { return nil, nil }

// lineages groups cases by lineage (the cases joined through SENT and
// RECEIVED_BY), each sorted, once each, in the order of uids.
func (m *model) lineages(uids []string) [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, u := range uids {
		if m.cases[u] == nil {
			continue
		}
		members := m.component(u)
		if seen[members[0]] {
			continue
		}
		for _, x := range members {
			seen[x] = true
		}
		out = append(out, members)
	}
	return out
}

func (m *model) component(u string) []string {
	seen := map[string]bool{u: true}
	todo := []string{u}
	for len(todo) > 0 {
		c := m.cases[todo[len(todo)-1]]
		todo = todo[:len(todo)-1]
		var next []string
		for _, h := range c.sent {
			if to := m.handovers[h].to; to != "" {
				next = append(next, to)
			}
		}
		for _, h := range c.received {
			next = append(next, m.handovers[h].from)
		}
		for _, x := range next {
			if !seen[x] {
				seen[x] = true
				todo = append(todo, x)
			}
		}
	}
	out := make([]string, 0, len(seen))
	for x := range seen {
		out = append(out, x)
	}
	sort.Strings(out)
	return out
}

var factKeys = []string{"c", "agencyKind", "hs", "ds", "ms", "js"}

// facts answers the lineage facts query: one record per case, with its
// handovers, decisions, measures and judgments (newest first, as Neo4j
// returns a node's relationships).
func (m *model) facts(uids []string) []*neo4j.Record {
	recs := make([]*neo4j.Record, 0, len(uids))
	for _, uid := range uids {
		c := m.cases[uid]
		if c == nil {
			continue
		}
		cm := map[string]any{"uid": c.uid, "kind": c.kind, "agencyCode": c.agency, "stage": nilIfEmpty(c.stage)}
		if c.district != nil {
			cm["district"] = *c.district
		}
		if c.filedAt != nil {
			cm["filedAt"] = neo4j.DateOf(*c.filedAt)
		}
		if c.placeholder {
			cm["placeholder"] = true
		}
		kind := ""
		if c.handledBy {
			kind = m.agencyKind(c.agency)
		}
		var hs, ds, ms, js []any
		for _, uid := range slices.Backward(c.sent) {
			h := m.handovers[uid]
			hm := map[string]any{"uid": h.uid, "type": h.typ, "fromAgency": h.fromAgency, "toAgency": nilIfEmpty(h.toAgency),
				"status": h.status, "reason": nilIfEmpty(h.reason), "from": c.uid, "to": nilIfEmpty(h.to)}
			if h.sentAt != nil {
				hm["sentAt"] = *h.sentAt
			}
			if h.receivedAt != nil {
				hm["receivedAt"] = *h.receivedAt
			}
			hs = append(hs, hm)
		}
		for _, uid := range slices.Backward(c.decisions) {
			d := m.decisions[uid]
			dm := map[string]any{"uid": d.uid, "kind": d.kind, "subtype": nilIfEmpty(d.subtype), "basis": nilIfEmpty(d.basis),
				"person": nilIfEmpty(d.person)}
			if d.decidedAt != nil {
				dm["decidedAt"] = neo4j.DateOf(*d.decidedAt)
			}
			ds = append(ds, dm)
		}
		for _, uid := range slices.Backward(c.measures) {
			x := m.measures[uid]
			xm := map[string]any{"uid": x.uid, "kind": x.kind, "person": x.person}
			if x.from != nil {
				xm["from"] = neo4j.DateOf(*x.from)
			}
			ms = append(ms, xm)
		}
		for _, uid := range slices.Backward(c.judgments) {
			j := m.judgments[uid]
			jm := map[string]any{"uid": j.uid, "final": j.final, "person": j.person}
			if j.decidedAt != nil {
				jm["decidedAt"] = neo4j.DateOf(*j.decidedAt)
			}
			js = append(js, jm)
		}
		recs = append(recs, &neo4j.Record{Keys: factKeys, Values: []any{cm, kind, orList(hs), orList(ds), orList(ms), orList(js)}})
	}
	return recs
}

func orList(xs []any) []any {
	if xs == nil {
		return []any{}
	}
	return xs
}

// derived is what a batch's derivations write, by uid or key: the last
// write of a batch wins.
type derived struct {
	eventDel, deadlineDel map[string]bool
	events, deadlines     map[string]map[string]any
	caseProps             map[string]map[string]any
	rollups, alerts       map[string]bool
	rollupScopes          map[string]bool
	alertScopes           map[string]bool
	sameAs                map[[2]string]bool
}

func newDerived() *derived {
	return &derived{eventDel: map[string]bool{}, deadlineDel: map[string]bool{}, events: map[string]map[string]any{},
		deadlines: map[string]map[string]any{}, caseProps: map[string]map[string]any{}, rollups: map[string]bool{},
		alerts: map[string]bool{}, rollupScopes: map[string]bool{}, alertScopes: map[string]bool{}, sameAs: map[[2]string]bool{}}
}

func (d *derived) setCase(uid, k string, v any) {
	p := d.caseProps[uid]
	if p == nil {
		p = map[string]any{"uid": uid}
		d.caseProps[uid] = p
	}
	p[k] = v
}

// apply takes in what a Save of the lineages of cases wrote: events,
// stages, scope tokens and deadlines replace the lineages' old ones, then
// the cases' roll-up contributions and alert counters are recomputed and
// moved, as casegraph does in the same transaction.
func (m *model) apply(cases []string, tx *captureTx) {
	out := m.out
	keep := map[string]bool{}
	for _, e := range tx.events {
		keep[e["uid"].(string)] = true
	}
	for _, uid := range cases {
		c := m.cases[uid]
		for e := range c.events {
			if !keep[e] {
				delete(c.events, e)
				delete(out.events, e)
				out.eventDel[e] = true
			}
		}
	}
	for _, e := range tx.events {
		uid := e["uid"].(string)
		m.cases[e["case"].(string)].events[uid] = true
		out.events[uid] = e
		delete(out.eventDel, uid)
	}
	for _, s := range tx.stages {
		uid := s["uid"].(string)
		m.cases[uid].stage = s["stage"].(string)
		out.setCase(uid, "stage", s["stage"])
		out.setCase(uid, "stageSince", s["since"])
	}
	for _, s := range tx.scopes {
		uid := s["uid"].(string)
		c := m.cases[uid]
		scope := m.scopeTokens(c, s["agencies"].([]string))
		if !c.hasScope || !slices.Equal(c.scope, scope) {
			c.scope, c.hasScope = scope, true
			out.setCase(uid, "scope", scope)
		}
	}
	fresh := map[string]bool{}
	for _, d := range tx.deadlines {
		fresh[d["uid"].(string)] = true
	}
	for _, uid := range cases {
		c := m.cases[uid]
		for d := range c.deadlines {
			delete(c.deadlines, d)
			if !fresh[d] {
				delete(out.deadlines, d)
				out.deadlineDel[d] = true
			}
		}
	}
	for _, d := range tx.deadlines {
		uid := d["uid"].(string)
		m.cases[d["caseUid"].(string)].deadlines[uid] = d
		out.deadlines[uid] = d
		delete(out.deadlineDel, uid)
	}
	m.syncRollups(cases)
	m.syncAlerts(cases)
}

// scopeTokens are a case's scope tokens as casegraph writes them: the
// lineage's agencies, then KIND@ each prefix (2, 4, 6 characters and the
// whole) of the region of the case's own agency.
func (m *model) scopeTokens(c *caseM, agencies []string) []string {
	out := append([]string{}, agencies...)
	region := ""
	if a := m.agencies[c.agency]; a != nil && c.handledBy {
		region = a.region
	}
	rs := []rune(region)
	var sup []string
	for _, n := range []int{2, 4, 6, len(rs)} {
		if n > 0 && n <= len(rs) {
			t := c.kind + "@" + string(rs[:n])
			if !slices.Contains(sup, t) {
				sup = append(sup, t)
			}
		}
	}
	return append(out, sup...)
}

type derivedStmt struct {
	name string
	q    string
	rows []map[string]any
}

// derive runs, after a batch's records are in the model, what casegraph
// runs after the batch: entity resolution for its persons without identity
// number and the procedure sync of the cases it touched; it returns the
// statements that write the result.
func (m *model) derive(ctx context.Context, touched, people []string) ([]derivedStmt, error) {
	m.out = newDerived()
	m.resolve(people)
	if len(touched) > 0 {
		if err := m.wf.Sync(ctx, touched); err != nil {
			return nil, err
		}
	}
	out := m.out
	var sameAs []map[string]any
	for pair := range out.sameAs {
		r := m.sameAs[pair]
		sameAs = append(sameAs, map[string]any{"a": pair[0], "b": pair[1], "score": r.score, "reasons": r.reasons})
	}
	uids := func(set map[string]bool) []map[string]any {
		rows := make([]map[string]any, 0, len(set))
		for k := range set {
			rows = append(rows, map[string]any{"uid": k})
		}
		return rows
	}
	values := func(set map[string]map[string]any) []map[string]any {
		rows := make([]map[string]any, 0, len(set))
		for _, v := range set {
			rows = append(rows, v)
		}
		return rows
	}
	cells := func(set map[string]bool, of map[string]*cell) []map[string]any {
		rows := make([]map[string]any, 0, len(set))
		for k := range set {
			rows = append(rows, of[k].row())
		}
		return rows
	}
	scopes := func(set map[string]bool, of map[string][]string) []map[string]any {
		rows := make([]map[string]any, 0, len(set))
		for k := range set {
			rows = append(rows, map[string]any{"key": k, "tokens": of[k]})
		}
		return rows
	}
	for _, p := range out.caseProps {
		p["updatedAt"] = m.now
	}
	return []derivedStmt{
		{"POSSIBLY_SAME_AS", `UNWIND $rows AS r MATCH (a:Person {uid: r.a}), (b:Person {uid: r.b})
MERGE (a)-[x:POSSIBLY_SAME_AS]->(b) SET x.score = r.score, x.reasons = r.reasons`, sameAs},
		{"events deleted", `UNWIND $rows AS r MATCH (n:Event {uid: r.uid}) DETACH DELETE n`, uids(out.eventDel)},
		{"events", `UNWIND $rows AS r MATCH (c:Case {uid: r.case}) MERGE (n:Event {uid: r.uid}) SET n = r MERGE (n)-[:IN_CASE]->(c)`, values(out.events)},
		{"deadlines deleted", `UNWIND $rows AS r MATCH (n:Deadline {uid: r.uid}) DETACH DELETE n`, uids(out.deadlineDel)},
		{"deadlines", `UNWIND $rows AS r MATCH (c:Case {uid: r.caseUid}) MERGE (n:Deadline {uid: r.uid}) SET n = r MERGE (n)-[:IN_CASE]->(c)`, values(out.deadlines)},
		{"case properties", `UNWIND $rows AS r MATCH (c:Case {uid: r.uid}) SET c += r`, values(out.caseProps)},
		{"roll-ups", `UNWIND $rows AS r MERGE (n:Rollup {key: r.key}) SET n = r`, cells(out.rollups, m.rollups)},
		{"roll-up scopes", `UNWIND $rows AS r MERGE (n:RollupScope {key: r.key}) ON CREATE SET n.tokens = r.tokens`, scopes(out.rollupScopes, m.rollupScopes)},
		{"alert counters", `UNWIND $rows AS r MERGE (n:AlertCount {key: r.key}) SET n = r`, cells(out.alerts, m.alerts)},
		{"alert scopes", `UNWIND $rows AS r MERGE (n:AlertScope {key: r.key}) ON CREATE SET n.tokens = r.tokens`, scopes(out.alertScopes, m.alertScopes)},
	}, nil
}
