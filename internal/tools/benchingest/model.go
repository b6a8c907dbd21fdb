package main

import (
	"time"

	"github.com/casegraph/casegraph/internal/workflow"
)

// model is what the baseline knows of the graph it has written: the facts
// the procedure derivation, the roll-ups and entity resolution read, which
// casegraph reads back from Neo4j instead.
type model struct {
	agencies  map[string]*agencyM
	versions  map[string]time.Time // "kind|key" → source.at of the version written
	cases     map[string]*caseM
	handovers map[string]*handoverM
	decisions map[string]*decisionM
	measures  map[string]*measureM
	judgments map[string]*judgmentM
	persons   map[string]*personM
	byName    map[string]map[string]bool // person name → uids
	usesP     map[string]map[string]bool // person → objects it USES
	usesO     map[string]map[string]bool // object → persons that USE it
	sameAs    map[[2]string]*sameAs

	rollups, alerts           map[string]*cell
	rollupScopes, alertScopes map[string][]string

	wf  *workflow.Workflow
	out *derived  // what the current batch's derivations write
	now time.Time // updatedAt of what the baseline derives
	// synced counts the lineage cases synced since the last batch.
	synced int
}

type agencyM struct{ kind, region string }

type caseM struct {
	uid, agency, caseNo, kind string
	placeholder, handledBy    bool
	district                  *string
	filedAt                   *time.Time
	stage                     string
	sealed                    bool
	sent, received            []string // handover uids: SENT, RECEIVED_BY
	decisions, measures       []string
	judgments                 []string
	offenses                  map[string]bool

	scope       []string
	hasScope    bool
	rollup      []string
	hasRollup   bool
	alertCells  []string // the alert counter entries of its deadlines
	alertScope  string   // the scope key and sealed flag they count under
	alertSealed bool
	hasAlerts   bool
	events      map[string]bool
	deadlines   map[string]map[string]any // uid → the deadline's properties
}

type handoverM struct {
	uid, typ, from, to, status, reason string
	fromAgency, toAgency               string
	sentAt, receivedAt                 *time.Time
}

type decisionM struct {
	uid, caseUID, person, kind, subtype, basis string
	decidedAt                                  *time.Time
}

type measureM struct {
	uid, caseUID, person, kind string
	from                       *time.Time
}

type judgmentM struct {
	uid, caseUID, person, verdict string
	decidedAt                     *time.Time
	final                         bool
}

type personM struct {
	name      string
	birthDate string
	hasID     bool
}

func newModel() *model {
	m := &model{agencies: map[string]*agencyM{}, versions: map[string]time.Time{}, cases: map[string]*caseM{},
		handovers: map[string]*handoverM{}, decisions: map[string]*decisionM{}, measures: map[string]*measureM{},
		judgments: map[string]*judgmentM{}, persons: map[string]*personM{}, byName: map[string]map[string]bool{},
		usesP: map[string]map[string]bool{}, usesO: map[string]map[string]bool{}, sameAs: map[[2]string]*sameAs{},
		rollups: map[string]*cell{}, alerts: map[string]*cell{}, rollupScopes: map[string][]string{}, alertScopes: map[string][]string{}}
	m.wf = workflow.New(&syncStore{m: m}, nil, workflow.Options{})
	return m
}

// newer records the version of a versioned node and says whether it is
// not older than the one written: the newest source.at wins.
func (m *model) newer(key string, at time.Time) bool {
	if prev, ok := m.versions[key]; ok && at.Before(prev) {
		return false
	}
	m.versions[key] = at
	return true
}

func (m *model) agencyKind(code string) string {
	if a := m.agencies[code]; a != nil {
		return a.kind
	}
	return ""
}

func (m *model) setAgency(code, kind, region string) {
	m.agencies[code] = &agencyM{kind: kind, region: region}
}

// caseRef is a case a record refers to: a placeholder until its own record.
func (m *model) caseRef(ref map[string]any) *caseM {
	uid := ref["uid"].(string)
	c := m.cases[uid]
	if c == nil {
		c = &caseM{uid: uid, agency: ref["agency"].(string), caseNo: ref["caseNo"].(string), kind: ref["kind"].(string),
			placeholder: true, offenses: map[string]bool{}, events: map[string]bool{}, deadlines: map[string]map[string]any{}}
		m.cases[uid] = c
	}
	return c
}

func (m *model) caseRecord(ref map[string]any, fresh bool, stage, district, filed string, sealed bool) {
	c := m.caseRef(ref)
	if _, ok := m.agencies[c.agency]; ok {
		c.handledBy = true
	}
	if !fresh {
		return
	}
	c.placeholder, c.stage, c.district, c.sealed = false, stage, &district, sealed
	c.kind = ref["kind"].(string)
	c.filedAt = nil
	if t, err := time.Parse(time.DateOnly, filed); err == nil {
		c.filedAt = &t
	}
}

func (m *model) personRef(ref map[string]any) *personM {
	uid := ref["uid"].(string)
	p := m.persons[uid]
	if p == nil {
		name, _ := ref["name"].(string)
		p = &personM{name: name, hasID: ref["idNumber"] != nil}
		m.persons[uid] = p
		m.indexName(uid, "", name)
	}
	return p
}

func (m *model) personRecord(uid string, fresh bool, name, birth string, hasID bool) {
	p := m.personRef(map[string]any{"uid": uid, "name": name, "idNumber": nilIfFalse(hasID)})
	if !fresh {
		return
	}
	m.indexName(uid, p.name, name)
	p.name, p.birthDate, p.hasID = name, birth, hasID
}

func nilIfFalse(b bool) any {
	if b {
		return true
	}
	return nil
}

func (m *model) indexName(uid, old, name string) {
	if old == name {
		if name != "" {
			if m.byName[name] == nil {
				m.byName[name] = map[string]bool{}
			}
			m.byName[name][uid] = true
		}
		return
	}
	if old != "" {
		delete(m.byName[old], uid)
	}
	if name != "" {
		if m.byName[name] == nil {
			m.byName[name] = map[string]bool{}
		}
		m.byName[name][uid] = true
	}
}

func (m *model) uses(person, object string) {
	if m.usesP[person] == nil {
		m.usesP[person] = map[string]bool{}
	}
	if m.usesO[object] == nil {
		m.usesO[object] = map[string]bool{}
	}
	m.usesP[person][object], m.usesO[object][person] = true, true
}

func (m *model) handover(uid string, from, to map[string]any, fresh bool, typ, status, reason string, sent, received *time.Time) {
	f := m.caseRef(from)
	h := m.handovers[uid]
	if h == nil {
		h = &handoverM{uid: uid, from: f.uid}
		m.handovers[uid] = h
		f.sent = append(f.sent, uid)
	}
	if to != nil {
		t := m.caseRef(to)
		if h.to != t.uid {
			if h.to == "" {
				h.to = t.uid
			}
			t.received = appendOnce(t.received, uid)
		}
	}
	if fresh {
		h.typ, h.status, h.reason, h.sentAt, h.receivedAt = typ, status, reason, sent, received
		h.fromAgency = from["agency"].(string)
		h.toAgency = ""
		if to != nil {
			h.toAgency = to["agency"].(string)
		}
	}
}

func appendOnce(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

func parseDate(s string) *time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil
	}
	return &t
}

func (m *model) decision(uid string, c, p map[string]any, fresh bool, kind, subtype, basis, decided string) {
	cm := m.caseRef(c)
	d := m.decisions[uid]
	if d == nil {
		d = &decisionM{uid: uid, caseUID: cm.uid}
		m.decisions[uid] = d
		cm.decisions = append(cm.decisions, uid)
	}
	if p != nil {
		m.personRef(p)
		if d.person == "" {
			d.person = p["uid"].(string)
		}
	}
	if fresh {
		d.kind, d.subtype, d.basis, d.decidedAt = kind, subtype, basis, parseDate(decided)
	}
}

func (m *model) measure(uid string, c, p map[string]any, fresh bool, kind, from string) {
	cm := m.caseRef(c)
	m.personRef(p)
	x := m.measures[uid]
	if x == nil {
		x = &measureM{uid: uid, caseUID: cm.uid, person: p["uid"].(string)}
		m.measures[uid] = x
		cm.measures = append(cm.measures, uid)
	}
	if fresh {
		x.kind, x.from = kind, parseDate(from)
	}
}

func (m *model) judgment(uid string, c, p map[string]any, fresh bool, verdict, decided string, final bool) {
	cm := m.caseRef(c)
	m.personRef(p)
	j := m.judgments[uid]
	if j == nil {
		j = &judgmentM{uid: uid, caseUID: cm.uid, person: p["uid"].(string)}
		m.judgments[uid] = j
		cm.judgments = append(cm.judgments, uid)
	}
	if fresh {
		j.verdict, j.decidedAt, j.final = verdict, parseDate(decided), final
	}
}
