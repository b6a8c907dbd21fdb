package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph/internal/ident"
	"github.com/casegraph/casegraph/internal/ingest"
)

// Baseline (a): the records decoded into the ingest types and loaded with
// plain UNWIND … MERGE statements on the same keys and with the same
// properties as casegraph, one transaction per batch, without validation,
// conflict reports or retries. It loads the same graph as `casegraph
// ingest`: besides the records, every batch writes what casegraph derives
// after it — the touched lineages' timeline events, deadlines, stages and
// scope tokens (derived by internal/workflow's own code, see derive.go),
// the analytics roll-ups and alert counters (rollup.go), and the
// POSSIBLY_SAME_AS candidates of entity resolution (resolve.go). The
// baseline reads nothing back from Neo4j: what the derivations need is kept
// in memory (model), which is what makes it the cheapest honest way to load
// that graph. Versions are kept as casegraph keeps them (the newest
// source.at wins), so that both loads derive from the same facts.

// Statements by row kind, in the order they run within a batch.
const (
	bCaseRef = `MERGE (c:Case {uid: r.case.uid})
  ON CREATE SET c.agencyCode = r.case.agency, c.caseNo = r.case.caseNo, c.kind = r.case.kind, c.placeholder = true, c.updatedAt = datetime()`
	bPersonRef = `MERGE (p:Person {uid: r.person.uid})
  ON CREATE SET p.name = r.person.name, p.idNumber = r.person.idNumber, p.placeholder = true, p.updatedAt = datetime()`
)

var baselineStatements = map[string]string{
	"agency": `UNWIND $rows AS r MERGE (n:Agency {code: r.key}) SET n += r.props`,
	"case": `UNWIND $rows AS r MERGE (n:Case {uid: r.key}) SET n += r.props REMOVE n.placeholder
WITH n, r MATCH (a:Agency {code: r.agency}) MERGE (n)-[:HANDLED_BY]->(a)`,
	"person":   `UNWIND $rows AS r MERGE (n:Person {uid: r.key}) SET n += r.props REMOVE n.placeholder`,
	"object":   `UNWIND $rows AS r MERGE (n:Object {uid: r.key}) SET n += r.props REMOVE n.placeholder`,
	"location": `UNWIND $rows AS r MERGE (n:Location {uid: r.key}) SET n += r.props REMOVE n.placeholder`,
	"incident": `UNWIND $rows AS r MERGE (n:Incident {uid: r.key}) SET n += r.props REMOVE n.placeholder
FOREACH (ref IN CASE WHEN r.case IS NULL THEN [] ELSE [r.case] END |
  MERGE (c:Case {uid: ref.uid})
    ON CREATE SET c.agencyCode = ref.agency, c.caseNo = ref.caseNo, c.kind = ref.kind, c.placeholder = true, c.updatedAt = datetime()
  MERGE (n)-[:LED_TO]->(c))`,
	"party": `UNWIND $rows AS r ` + bCaseRef + ` ` + bPersonRef + `
FOREACH (_ IN CASE WHEN r.role = 'SUSPECT_IN' THEN [1] ELSE [] END | MERGE (p)-[:SUSPECT_IN]->(c))
FOREACH (_ IN CASE WHEN r.role = 'DEFENDANT_IN' THEN [1] ELSE [] END | MERGE (p)-[:DEFENDANT_IN]->(c))
FOREACH (_ IN CASE WHEN r.role = 'VICTIM_IN' THEN [1] ELSE [] END | MERGE (p)-[:VICTIM_IN]->(c))
FOREACH (_ IN CASE WHEN r.role = 'WITNESS_IN' THEN [1] ELSE [] END | MERGE (p)-[:WITNESS_IN]->(c))`,
	"charge": `UNWIND $rows AS r ` + bCaseRef + ` ` + bPersonRef + `
MERGE (o:Offense {code: r.offense}) ON CREATE SET o.name = r.offense
FOREACH (_ IN CASE WHEN r.article IS NULL THEN [] ELSE [1] END | SET o.article = r.article)
MERGE (ch:Charge {uid: r.key}) MERGE (p)-[:CHARGED_WITH]->(ch) MERGE (ch)-[:IN_CASE]->(c) MERGE (ch)-[:OF_OFFENSE]->(o)`,
	"handover": `UNWIND $rows AS r
MERGE (f:Case {uid: r.from.uid})
  ON CREATE SET f.agencyCode = r.from.agency, f.caseNo = r.from.caseNo, f.kind = r.from.kind, f.placeholder = true, f.updatedAt = datetime()
MERGE (n:Handover {uid: r.key}) SET n += r.props
MERGE (f)-[:SENT]->(n)
FOREACH (ref IN CASE WHEN r.to IS NULL THEN [] ELSE [r.to] END |
  MERGE (t:Case {uid: ref.uid})
    ON CREATE SET t.agencyCode = ref.agency, t.caseNo = ref.caseNo, t.kind = ref.kind, t.placeholder = true, t.updatedAt = datetime()
  MERGE (n)-[:RECEIVED_BY]->(t)
  FOREACH (_ IN CASE WHEN r.accepted THEN [1] ELSE [] END |
    MERGE (f)-[x:TRANSFERRED_TO {handover: r.key}]->(t) SET x.type = r.kind, x.at = r.sentAt))`,
	"decision": `UNWIND $rows AS r ` + bCaseRef + `
MERGE (n:Decision {uid: r.key}) SET n += r.props
MERGE (n)-[:IN_CASE]->(c)
FOREACH (pr IN CASE WHEN r.person IS NULL THEN [] ELSE [r.person] END |
  MERGE (p:Person {uid: pr.uid}) ON CREATE SET p.name = pr.name, p.idNumber = pr.idNumber, p.placeholder = true, p.updatedAt = datetime()
  MERGE (n)-[:ON_PERSON]->(p))`,
	"measure": `UNWIND $rows AS r ` + bCaseRef + ` ` + bPersonRef + `
MERGE (n:Measure {uid: r.key}) SET n += r.props
MERGE (n)-[:IN_CASE]->(c) MERGE (n)-[:ON_PERSON]->(p)`,
	"judgment": `UNWIND $rows AS r ` + bCaseRef + ` ` + bPersonRef + `
MERGE (n:Judgment {uid: r.key}) SET n += r.props
MERGE (n)-[:IN_CASE]->(c) MERGE (n)-[:ON_PERSON]->(p)`,
}

var baselineOrder = []string{"agency", "case", "person", "object", "location", "incident", "party", "charge", "handover", "decision", "measure", "judgment"}

// linkShapes are the links the format allows: "KIND:FromLabel:ToLabel".
var linkShapes = []string{"KNOWS:Person:Person", "FAMILY:Person:Person", "USES:Person:Object", "OWNS:Person:Object",
	"INVOLVES:Case:Object", "LIVES_AT:Person:Location", "OCCURRED_AT:Case:Location", "OCCURRED_AT:Incident:Location",
	"INVESTIGATED_BY:Case:Person"}

// linkStatement is the statement of a link shape; its endpoints are
// merged as placeholders when they are not known yet, as casegraph does.
func linkStatement(key string) string {
	p := strings.Split(key, ":")
	return `UNWIND $rows AS r
` + endpoint("a", p[1], "from") + `
` + endpoint("b", p[2], "to") + `
MERGE (a)-[x:` + p[0] + `]->(b) SET x.since = coalesce(r.since, x.since), x.source = r.source`
}

func endpoint(v, label, field string) string {
	ref := "r." + field
	set := v + `.placeholder = true`
	switch label {
	case "Case":
		set = v + `.agencyCode = ` + ref + `.agency, ` + v + `.caseNo = ` + ref + `.caseNo, ` + v + `.kind = ` + ref + `.kind, ` + set + `, ` + v + `.updatedAt = datetime()`
	case "Person":
		set = v + `.name = ` + ref + `.name, ` + v + `.idNumber = ` + ref + `.idNumber, ` + set + `, ` + v + `.updatedAt = datetime()`
	case "Object":
		set = v + `.kind = ` + ref + `.kind, ` + v + `.value = ` + ref + `.value, ` + set
	}
	with := "WITH r, " + v
	if v == "b" {
		with = "WITH r, a, b"
	}
	return `MERGE (` + v + `:` + label + ` {uid: ` + ref + `.uid}) ON CREATE SET ` + set + "\n" + with
}

// loader turns records into rows, keeps the model of the graph the
// derivations read, and writes a batch at a time.
type loader struct {
	m      *model
	rows   map[string][]map[string]any
	n      int
	touch  map[string]bool // cases the batch wrote or referred to
	people []string        // persons without identity number the batch wrote
	court  map[string]string
	now    time.Time
	stats  *phaseStats
}

// phaseStats is where the baseline's time goes, for the report.
type phaseStats struct {
	decode, derive, write time.Duration
	records, derived      int
	batches, touched      int
	rows                  map[string]int           // derived rows written, by what they are
	took                  map[string]time.Duration // time in each statement (and the commits)
}

func (s *phaseStats) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "baseline (a): %d batches, %d records: decoding and rows %.1f s, derivations in memory %.1f s, writing %.1f s\n",
		s.batches, s.records, s.decode.Seconds(), s.derive.Seconds(), s.write.Seconds())
	fmt.Fprintf(&b, "baseline (a): %d cases touched (%.0f per batch); derived rows written: %d", s.touched, float64(s.touched)/float64(max(s.batches, 1)), s.derived)
	keys := make([]string, 0, len(s.rows))
	for k := range s.rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, ", %s %d", k, s.rows[k])
	}
	keys = keys[:0]
	for k := range s.took {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return s.took[keys[i]] > s.took[keys[j]] })
	b.WriteString("\nbaseline (a): seconds in its statements:")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s %.2f;", k, s.took[k].Seconds())
	}
	return b.String()
}

func (l *loader) caseRef(r ingest.CaseRef, src ingest.Source) map[string]any {
	agency := r.Agency
	if agency == "" {
		agency = src.Agency
	}
	kind := l.m.agencyKind(agency)
	no := strings.TrimSpace(r.CaseNo)
	if kind == "COURT" {
		// casegraph stores court case numbers in their canonical form.
		c, ok := l.court[no]
		if !ok {
			c = no
			if cn, err := ident.ParseCourtCaseNo(no); err == nil {
				c = cn.Canonical()
			}
			l.court[no] = c
		}
		no = c
	}
	return map[string]any{"uid": ingest.CaseUID(agency, no), "agency": agency, "caseNo": no, "kind": caseKind(kind)}
}

func caseKind(agencyKind string) string {
	switch agencyKind {
	case "PROCURATORATE":
		return "PROSECUTION"
	case "COURT":
		return "COURT"
	}
	return "POLICE"
}

func (l *loader) personRef(r ingest.PersonRef, src ingest.Source) map[string]any {
	var id any
	uid := ingest.PersonUID("", src, r.Ref)
	if r.IDNumber != "" {
		n := strings.ToUpper(r.IDNumber)
		uid, id = ingest.IDNumberUID(n), n
	}
	return map[string]any{"uid": uid, "idNumber": id, "name": nilIfEmpty(r.Name)}
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// orNil sends an absent reference as null (the driver sends a nil map as {}).
func orNil(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

func date(s string) any {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return nil
	}
	return neo4j.DateOf(t)
}

// timestamp reads an RFC 3339 timestamp or a date, as ingest does.
func timestamp(s string) *time.Time {
	if s == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		t = t.UTC()
		return &t
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return &t
	}
	return nil
}

func timeValue(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

// versioned gives a row of a versioned node its version, or no properties
// at all when the graph already holds a newer version of the node.
func (l *loader) versioned(kind, key string, src ingest.Source, line []byte, props map[string]any) (map[string]any, bool) {
	if !l.m.newer(kind+"|"+key, src.At) {
		return map[string]any{}, false
	}
	sum := sha256.Sum256(line)
	props["sourceAt"], props["sourceHash"], props["updatedAt"] = src.At.UTC(), hex.EncodeToString(sum[:12]), l.now
	return props, true
}

var roleRels = map[string]string{"SUSPECT": "SUSPECT_IN", "DEFENDANT": "DEFENDANT_IN", "VICTIM": "VICTIM_IN", "WITNESS": "WITNESS_IN"}

// add decodes one line and adds its row to the batch.
func (l *loader) add(line []byte) {
	typ := recordType(line)
	var body any
	switch typ {
	case "agency":
		body = &ingest.Agency{}
	case "case":
		body = &ingest.Case{}
	case "person":
		body = &ingest.Person{}
	case "party":
		body = &ingest.Party{}
	case "charge":
		body = &ingest.Charge{}
	case "incident":
		body = &ingest.Incident{}
	case "handover":
		body = &ingest.Handover{}
	case "decision":
		body = &ingest.Decision{}
	case "measure":
		body = &ingest.Measure{}
	case "judgment":
		body = &ingest.Judgment{}
	case "location":
		body = &ingest.Location{}
	case "object":
		body = &ingest.Object{}
	case "link":
		body = &ingest.Link{}
	default:
		return
	}
	if json.Unmarshal(line, body) != nil {
		return
	}
	m := l.m
	var r map[string]any
	switch b := body.(type) {
	case *ingest.Agency:
		props, fresh := l.versioned("agency", b.Code, b.Source, line, map[string]any{"code": b.Code, "name": b.Name, "kind": b.Kind, "region": nilIfEmpty(b.Region)})
		if fresh {
			m.setAgency(b.Code, b.Kind, b.Region)
		}
		r = map[string]any{"key": b.Code, "props": props}
	case *ingest.Case:
		ref := l.caseRef(b.CaseRef, b.Source)
		uid := ref["uid"].(string)
		props, fresh := l.versioned("case", uid, b.Source, line, map[string]any{
			"uid": uid, "agencyCode": ref["agency"], "caseNo": ref["caseNo"], "kind": ref["kind"],
			"title": b.Title, "summary": b.Summary, "stage": nilIfEmpty(b.Stage),
			"filedAt": date(b.FiledAt), "closedAt": date(b.ClosedAt), "district": b.District, "sealed": b.Sealed})
		m.caseRecord(ref, fresh, b.Stage, b.District, b.FiledAt, b.Sealed)
		r = map[string]any{"key": uid, "agency": ref["agency"], "props": props}
		l.touch[uid] = true
	case *ingest.Person:
		ref := l.personRef(b.PersonRef, b.Source)
		uid := ref["uid"].(string)
		birth := b.BirthDate
		if birth == "" && len(b.IDNumber) == 18 {
			birth = b.IDNumber[6:10] + "-" + b.IDNumber[10:12] + "-" + b.IDNumber[12:14]
		}
		props, fresh := l.versioned("person", uid, b.Source, line, map[string]any{
			"uid": uid, "name": b.Name, "idNumber": ref["idNumber"], "birthDate": date(birth), "gender": nilIfEmpty(b.Gender)})
		m.personRecord(uid, fresh, b.Name, birth, ref["idNumber"] != nil)
		r = map[string]any{"key": uid, "props": props}
		if b.IDNumber == "" {
			l.people = append(l.people, uid)
		}
	case *ingest.Party:
		c, p := l.caseRef(b.Case, b.Source), l.personRef(b.Person, b.Source)
		m.caseRef(c)
		m.personRef(p)
		r = map[string]any{"case": c, "person": p, "role": roleRels[b.Role]}
		l.touch[c["uid"].(string)] = true
	case *ingest.Charge:
		c, p := l.caseRef(b.Case, b.Source), l.personRef(b.Person, b.Source)
		m.caseRef(c)
		m.personRef(p)
		name := ingest.OffenseName(b.Offense)
		m.cases[c["uid"].(string)].offenses[name] = true
		r = map[string]any{"key": "ch/" + c["uid"].(string) + "/" + p["uid"].(string) + "/" + name,
			"case": c, "person": p, "offense": name, "article": nilIfEmpty(b.Article)}
		l.touch[c["uid"].(string)] = true
	case *ingest.Incident:
		var c map[string]any
		if b.Case != nil {
			c = l.caseRef(*b.Case, b.Source)
			m.caseRef(c)
			l.touch[c["uid"].(string)] = true
		}
		uid := "i/" + b.Source.Agency + "/" + b.IncidentNo
		props, _ := l.versioned("incident", uid, b.Source, line, map[string]any{"uid": uid, "incidentNo": b.IncidentNo,
			"reportedAt": timeValue(timestamp(b.ReportedAt)), "summary": b.Summary, "district": b.District})
		r = map[string]any{"key": uid, "case": orNil(c), "props": props}
	case *ingest.Handover:
		from := l.caseRef(b.From, b.Source)
		var to map[string]any
		if b.To != nil {
			to = l.caseRef(*b.To, b.Source)
			l.touch[to["uid"].(string)] = true
		}
		l.touch[from["uid"].(string)] = true
		sent, received := timestamp(b.SentAt), timestamp(b.ReceivedAt)
		status := b.Status
		switch {
		case status == "" && to != nil && received != nil:
			status = "ACCEPTED"
		case status == "":
			status = "PENDING"
		}
		uid := "h/" + from["agency"].(string) + "/" + b.HandoverID
		var toAgency any
		if to != nil {
			toAgency = to["agency"]
		}
		props, fresh := l.versioned("handover", uid, b.Source, line, map[string]any{"uid": uid, "type": b.Kind,
			"fromAgency": from["agency"], "toAgency": toAgency, "sentAt": timeValue(sent), "receivedAt": timeValue(received),
			"status": status, "reason": nilIfEmpty(b.Reason)})
		m.handover(uid, from, to, fresh, b.Kind, status, b.Reason, sent, received)
		r = map[string]any{"key": uid, "from": from, "to": orNil(to), "props": props, "accepted": status == "ACCEPTED",
			"kind": b.Kind, "sentAt": timeValue(sent)}
	case *ingest.Decision:
		c := l.caseRef(b.Case, b.Source)
		var p map[string]any
		if b.Person != nil {
			p = l.personRef(*b.Person, b.Source)
		}
		kind := b.Kind
		if code, ok := ingest.DecisionKindCode(kind); ok {
			kind = code
		}
		uid := "d/" + b.Source.Agency + "/" + b.DecisionID
		props, fresh := l.versioned("decision", uid, b.Source, line, map[string]any{"uid": uid, "kind": kind,
			"subtype": nilIfEmpty(b.Subtype), "decidedAt": date(b.DecidedAt), "basis": nilIfEmpty(b.Basis)})
		m.decision(uid, c, p, fresh, kind, b.Subtype, b.Basis, b.DecidedAt)
		r = map[string]any{"key": uid, "case": c, "person": orNil(p), "props": props}
		l.touch[c["uid"].(string)] = true
	case *ingest.Measure:
		c, p := l.caseRef(b.Case, b.Source), l.personRef(b.Person, b.Source)
		kind := b.Kind
		if name, ok := ingest.MeasureKindName(kind); ok {
			kind = name
		}
		uid := "m/" + b.Source.Agency + "/" + b.MeasureID
		props, fresh := l.versioned("measure", uid, b.Source, line, map[string]any{"uid": uid, "kind": kind,
			"from": date(b.From), "to": date(b.To)})
		m.measure(uid, c, p, fresh, kind, b.From)
		r = map[string]any{"key": uid, "case": c, "person": p, "props": props}
		l.touch[c["uid"].(string)] = true
	case *ingest.Judgment:
		c, p := l.caseRef(b.Case, b.Source), l.personRef(b.Person, b.Source)
		uid := "j/" + b.Source.Agency + "/" + b.JudgmentID
		props, fresh := l.versioned("judgment", uid, b.Source, line, map[string]any{"uid": uid, "verdict": b.Verdict,
			"termMonths": b.TermMonths, "lifeImprisonment": b.LifeImprisonment, "deathPenalty": b.DeathPenalty, "fine": b.Fine,
			"probationMonths": b.ProbationMonths, "decidedAt": date(b.DecidedAt), "final": b.Final})
		m.judgment(uid, c, p, fresh, b.Verdict, b.DecidedAt, b.Final)
		r = map[string]any{"key": uid, "case": c, "person": p, "props": props}
		l.touch[c["uid"].(string)] = true
	case *ingest.Location:
		uid := ingest.LocationUID(b.Source, b.LocationID)
		props := map[string]any{"uid": uid, "address": nilIfEmpty(b.Address), "district": nilIfEmpty(b.District)}
		if b.Lat != nil && b.Lon != nil {
			props["point"] = neo4j.Point2D{X: *b.Lon, Y: *b.Lat, SpatialRefId: 4326}
			props["lat"], props["lon"] = *b.Lat, *b.Lon
		}
		props, _ = l.versioned("location", uid, b.Source, line, props)
		r = map[string]any{"key": uid, "props": props}
	case *ingest.Object:
		value := strings.TrimSpace(b.Value)
		uid := "o/" + b.Kind + "/" + value
		props, _ := l.versioned("object", uid, b.Source, line, map[string]any{"uid": uid, "kind": b.Kind, "value": value, "label": nilIfEmpty(b.Label)})
		r = map[string]any{"key": uid, "props": props}
	case *ingest.Link:
		fl, from := l.endpoint(b.From, b.Source)
		tl, to := l.endpoint(b.To, b.Source)
		typ = b.Kind + ":" + fl + ":" + tl
		for _, e := range []map[string]any{from, to} {
			if _, isCase := e["caseNo"]; isCase {
				l.touch[e["uid"].(string)] = true
			}
		}
		if typ == "USES:Person:Object" {
			m.uses(from["uid"].(string), to["uid"].(string))
		}
		r = map[string]any{"from": from, "to": to, "since": date(b.Since),
			"source": b.Source.Agency + "/" + b.Source.System + "/" + b.Source.RecordID}
	}
	l.rows[typ] = append(l.rows[typ], r)
	l.n++
}

// recordType reads the type of a line without decoding it: the generator
// and the format put it first.
func recordType(line []byte) string {
	const prefix = `{"type":"`
	if !bytes.HasPrefix(line, []byte(prefix)) {
		var env struct {
			Type string `json:"type"`
		}
		json.Unmarshal(line, &env)
		return env.Type
	}
	rest := line[len(prefix):]
	if i := bytes.IndexByte(rest, '"'); i >= 0 {
		return string(rest[:i])
	}
	return ""
}

func (l *loader) endpoint(e ingest.Endpoint, src ingest.Source) (string, map[string]any) {
	m := l.m
	switch {
	case e.Person != nil:
		p := l.personRef(*e.Person, src)
		m.personRef(p)
		return "Person", p
	case e.Case != nil:
		c := l.caseRef(*e.Case, src)
		m.caseRef(c)
		return "Case", c
	case e.Object != nil:
		v := strings.TrimSpace(e.Object.Value)
		return "Object", map[string]any{"uid": "o/" + e.Object.Kind + "/" + v, "kind": e.Object.Kind, "value": v}
	case e.Location != "":
		return "Location", map[string]any{"uid": ingest.LocationUID(src, e.Location)}
	default:
		return "Incident", map[string]any{"uid": "i/" + src.Agency + "/" + e.Incident}
	}
}

// flush derives what casegraph derives after a batch, then writes the batch
// and the derived rows in one transaction.
func (l *loader) flush(ctx context.Context, d neo4j.DriverWithContext) error {
	if l.n == 0 {
		return nil
	}
	start := time.Now()
	touched := make([]string, 0, len(l.touch))
	for uid := range l.touch {
		touched = append(touched, uid)
	}
	sort.Strings(touched)
	derived, err := l.m.derive(ctx, touched, l.people)
	if err != nil {
		return err
	}
	l.stats.derive += time.Since(start)
	start = time.Now()
	type stmt struct {
		name, q string
		rows    []map[string]any
	}
	var stmts []stmt
	for _, t := range baselineOrder {
		if rows := l.rows[t]; len(rows) > 0 {
			stmts = append(stmts, stmt{t, baselineStatements[t], rows})
		}
	}
	for _, key := range linkShapes {
		if rows := l.rows[key]; len(rows) > 0 {
			stmts = append(stmts, stmt{"link " + key, linkStatement(key), rows})
		}
	}
	for _, ds := range derived {
		if len(ds.rows) > 0 {
			stmts = append(stmts, stmt{ds.name, ds.q, ds.rows})
			l.stats.derived += len(ds.rows)
			l.stats.rows[ds.name] += len(ds.rows)
		}
	}
	l.stats.batches++
	l.stats.touched += len(touched)
	l.stats.rows["lineage cases synced"] += l.m.synced
	l.m.synced = 0
	if d == nil {
		// -derive-only: no database
		l.stats.records += l.n
		l.rows, l.n, l.touch, l.people = map[string][]map[string]any{}, 0, map[string]bool{}, nil
		return nil
	}
	s := d.NewSession(ctx, neo4j.SessionConfig{DatabaseName: "neo4j"})
	defer s.Close(ctx)
	var commit time.Time
	took := map[string]time.Duration{}
	_, err = s.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		clear(took)
		for _, st := range stmts {
			t := time.Now()
			res, err := tx.Run(ctx, st.q, map[string]any{"rows": st.rows})
			if err == nil {
				_, err = res.Consume(ctx)
			}
			if err != nil {
				return nil, fmt.Errorf("%.60s…: %w", st.q, err)
			}
			took[st.name] += time.Since(t)
		}
		commit = time.Now()
		return nil, nil
	})
	for k, d := range took {
		l.stats.took[k] += d
	}
	l.stats.took["(commit)"] += time.Since(commit)
	l.stats.write += time.Since(start)
	l.stats.records += l.n
	l.rows, l.n, l.touch, l.people = map[string][]map[string]any{}, 0, map[string]bool{}, nil
	return err
}

func baseline(ctx context.Context, d neo4j.DriverWithContext, path string, batch int) (*phaseStats, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	stats := &phaseStats{rows: map[string]int{}, took: map[string]time.Duration{}}
	l := &loader{m: newModel(), rows: map[string][]map[string]any{}, touch: map[string]bool{}, court: map[string]string{},
		now: time.Now().UTC(), stats: stats}
	l.m.now = l.now
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<21)
	start := time.Now()
	for sc.Scan() {
		l.add(sc.Bytes())
		if l.n >= batch {
			stats.decode += time.Since(start)
			if err := l.flush(ctx, d); err != nil {
				return stats, err
			}
			start = time.Now()
		}
	}
	if err := sc.Err(); err != nil {
		return stats, err
	}
	stats.decode += time.Since(start)
	return stats, l.flush(ctx, d)
}
