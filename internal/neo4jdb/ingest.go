package neo4jdb

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// IngestBatch is one batch of validated ingest rows, ready to write in one
// transaction. Each row is a map of Cypher parameters whose keys the
// statement of its kind reads (see ingestStatements); the ingest package
// builds them. Every node is merged on its uid, which is derived from the
// record's natural key, so writing a batch twice changes nothing and rows
// may arrive in any order: a row that refers to a node not yet written
// creates a placeholder that the node's own record fills later.
type IngestBatch struct {
	Rows map[IngestKind][]map[string]any
}

// IngestKind names one write statement.
type IngestKind string

// Ingest kinds in the order they are written within a batch.
const (
	IngestAgency   IngestKind = "agency"
	IngestCase     IngestKind = "case"
	IngestPerson   IngestKind = "person"
	IngestObject   IngestKind = "object"
	IngestLocation IngestKind = "location"
	IngestIncident IngestKind = "incident"
	IngestParty    IngestKind = "party"
	IngestCharge   IngestKind = "charge"
	IngestHandover IngestKind = "handover"
	IngestDecision IngestKind = "decision"
	IngestMeasure  IngestKind = "measure"
	IngestJudgment IngestKind = "judgment"
	IngestLink     IngestKind = "link"
)

var ingestOrder = []IngestKind{IngestAgency, IngestCase, IngestPerson, IngestObject, IngestLocation,
	IngestIncident, IngestParty, IngestCharge, IngestHandover, IngestDecision, IngestMeasure, IngestJudgment, IngestLink}

// Add appends a row of a kind.
func (b *IngestBatch) Add(kind IngestKind, row map[string]any) {
	if b.Rows == nil {
		b.Rows = map[IngestKind][]map[string]any{}
	}
	b.Rows[kind] = append(b.Rows[kind], row)
}

// Len is the number of rows in the batch.
func (b *IngestBatch) Len() int {
	n := 0
	for _, rows := range b.Rows {
		n += len(rows)
	}
	return n
}

// IngestResult says what writing a batch did.
type IngestResult struct {
	// Stale lists the row ids ("i") of records that were older than the
	// version the graph holds (their source.at is earlier) and so changed
	// nothing; Replaced lists those that replaced a different, older version.
	// Both are conflicts between duplicates of one record.
	Stale    []int
	Replaced []int
}

// Versioned nodes (agency, case, person, incident, location, object) carry
// sourceAt and sourceHash: the newest version of a record wins, and a
// different hash at an older or equal time is a conflict. versionedSet is the
// shared tail of their statements: it applies row.props only when the row is
// not older than what the node has, and reports what happened.
const versionedSet = `
WITH row, n, n.sourceAt AS prevAt, n.sourceHash AS prevHash
FOREACH (_ IN CASE WHEN prevAt IS NULL OR row.at >= prevAt THEN [1] ELSE [] END |
  SET n += row.props, n.sourceAt = row.at, n.sourceHash = row.hash, n.updatedAt = datetime()
  REMOVE n.placeholder)
WITH row, prevAt IS NOT NULL AND row.at < prevAt AND prevHash <> row.hash AS stale,
          prevAt IS NOT NULL AND row.at >= prevAt AND prevHash <> row.hash AS replaced
WHERE stale OR replaced
RETURN row.i AS i, stale, replaced`

// casePlaceholder merges the case a row refers to (row.case); a case not
// yet known is created as a placeholder that its own record fills later
// (and links to its agency: a placeholder carries agencyCode only).
const casePlaceholder = `
MERGE (c:Case {uid: row.case.uid})
  ON CREATE SET c.agencyCode = row.case.agency, c.caseNo = row.case.caseNo, c.kind = row.case.kind,
                c.placeholder = true, c.updatedAt = datetime()`

// personPlaceholder merges the person row.<field> refers to, as v.
func personPlaceholder(v, field string) string {
	return `
MERGE (` + v + `:Person {uid: row.` + field + `.uid})
  ON CREATE SET ` + v + `.name = row.` + field + `.name, ` + v + `.idNumber = row.` + field + `.idNumber,
                ` + v + `.placeholder = true, ` + v + `.updatedAt = datetime()`
}

// optionalCase merges an optional case reference held in var ref inside a
// FOREACH: a list of zero or one.
func optionalCase(ref, v string) string {
	return `MERGE (` + v + `:Case {uid: ` + ref + `.uid})
    ON CREATE SET ` + v + `.agencyCode = ` + ref + `.agency, ` + v + `.caseNo = ` + ref + `.caseNo, ` + v + `.kind = ` + ref + `.kind,
                  ` + v + `.placeholder = true, ` + v + `.updatedAt = datetime()`
}

var ingestStatements = map[IngestKind]string{
	IngestAgency: `
UNWIND $rows AS row
MERGE (n:Agency {code: row.key})` + versionedSet,

	IngestCase: `
UNWIND $rows AS row
MERGE (n:Case {uid: row.key})
WITH row, n
OPTIONAL MATCH (a:Agency {code: row.props.agencyCode})
FOREACH (_ IN CASE WHEN a IS NULL THEN [] ELSE [1] END | MERGE (n)-[:HANDLED_BY]->(a))` + versionedSet,

	IngestPerson: `
UNWIND $rows AS row
MERGE (n:Person {uid: row.key})` + versionedSet,

	IngestObject: `
UNWIND $rows AS row
MERGE (n:Object {uid: row.key})` + versionedSet,

	IngestLocation: `
UNWIND $rows AS row
MERGE (n:Location {uid: row.key})` + versionedSet,

	IngestIncident: `
UNWIND $rows AS row
MERGE (n:Incident {uid: row.key})
FOREACH (ref IN CASE WHEN row.case IS NULL THEN [] ELSE [row.case] END |
  ` + optionalCase("ref", "c") + `
  MERGE (n)-[:LED_TO]->(c))` + versionedSet,

	IngestParty: `
UNWIND $rows AS row` + casePlaceholder + personPlaceholder("p", "person") + `
FOREACH (_ IN CASE WHEN row.role = 'SUSPECT_IN' THEN [1] ELSE [] END | MERGE (p)-[:SUSPECT_IN]->(c))
FOREACH (_ IN CASE WHEN row.role = 'DEFENDANT_IN' THEN [1] ELSE [] END | MERGE (p)-[:DEFENDANT_IN]->(c))
FOREACH (_ IN CASE WHEN row.role = 'VICTIM_IN' THEN [1] ELSE [] END | MERGE (p)-[:VICTIM_IN]->(c))
FOREACH (_ IN CASE WHEN row.role = 'WITNESS_IN' THEN [1] ELSE [] END | MERGE (p)-[:WITNESS_IN]->(c))
SET c.updatedAt = datetime(), p.updatedAt = datetime()`,

	IngestCharge: `
UNWIND $rows AS row` + casePlaceholder + personPlaceholder("p", "person") + `
MERGE (o:Offense {code: row.offense})
  ON CREATE SET o.name = row.offense
FOREACH (_ IN CASE WHEN row.article IS NULL THEN [] ELSE [1] END | SET o.article = row.article)
MERGE (ch:Charge {uid: row.key})
MERGE (p)-[:CHARGED_WITH]->(ch)
MERGE (ch)-[:IN_CASE]->(c)
MERGE (ch)-[:OF_OFFENSE]->(o)
SET c.updatedAt = datetime()`,

	IngestHandover: `
UNWIND $rows AS row
MERGE (f:Case {uid: row.from.uid})
  ON CREATE SET f.agencyCode = row.from.agency, f.caseNo = row.from.caseNo, f.kind = row.from.kind,
                f.placeholder = true, f.updatedAt = datetime()
MERGE (n:Handover {uid: row.key})
MERGE (f)-[:SENT]->(n)
FOREACH (ref IN CASE WHEN row.to IS NULL THEN [] ELSE [row.to] END |
  ` + optionalCase("ref", "t") + `
  MERGE (n)-[:RECEIVED_BY]->(t)
  FOREACH (_ IN CASE WHEN row.props.status = 'ACCEPTED' THEN [1] ELSE [] END |
    MERGE (f)-[r:TRANSFERRED_TO {handover: row.key}]->(t)
    SET r.type = row.props.type, r.at = row.props.sentAt, f.updatedAt = datetime(), t.updatedAt = datetime()))
WITH row, n` + versionedSet,

	IngestDecision: `
UNWIND $rows AS row` + casePlaceholder + `
MERGE (n:Decision {uid: row.key})
MERGE (n)-[:IN_CASE]->(c)
FOREACH (pr IN CASE WHEN row.person IS NULL THEN [] ELSE [row.person] END |
  MERGE (p:Person {uid: pr.uid})
    ON CREATE SET p.name = pr.name, p.idNumber = pr.idNumber, p.placeholder = true, p.updatedAt = datetime()
  MERGE (n)-[:ON_PERSON]->(p))
WITH row, n` + versionedSet,

	IngestMeasure: `
UNWIND $rows AS row` + casePlaceholder + personPlaceholder("p", "person") + `
MERGE (n:Measure {uid: row.key})
MERGE (n)-[:IN_CASE]->(c)
MERGE (n)-[:ON_PERSON]->(p)
WITH row, n` + versionedSet,

	IngestJudgment: `
UNWIND $rows AS row` + casePlaceholder + personPlaceholder("p", "person") + `
MERGE (n:Judgment {uid: row.key})
MERGE (n)-[:IN_CASE]->(c)
MERGE (n)-[:ON_PERSON]->(p)
WITH row, n` + versionedSet,
}

// Link statements: one per (relationship type, from label, to label), since
// neither labels nor types can be parameters. The ingest package picks the
// key with LinkKey; only combinations listed here exist.
var linkStatements = func() map[string]string {
	m := map[string]string{}
	for _, l := range LinkShapes {
		m[LinkKey(l.Rel, l.From, l.To)] = `
UNWIND $rows AS row
` + endpointMerge("a", l.From, "from") + `
` + endpointMerge("b", l.To, "to") + `
MERGE (a)-[r:` + l.Rel + `]->(b)
SET r.since = coalesce(row.since, r.since), r.source = row.source`
	}
	return m
}()

// LinkShape is one allowed link: a relationship type between two labels.
type LinkShape struct{ Rel, From, To string }

// LinkShapes are the links ingest may write.
var LinkShapes = []LinkShape{
	{"KNOWS", "Person", "Person"},
	{"FAMILY", "Person", "Person"},
	{"USES", "Person", "Object"},
	{"OWNS", "Person", "Object"},
	{"INVOLVES", "Case", "Object"},
	{"LIVES_AT", "Person", "Location"},
	{"OCCURRED_AT", "Case", "Location"},
	{"OCCURRED_AT", "Incident", "Location"},
	{"INVESTIGATED_BY", "Case", "Person"},
}

// LinkKey names the statement of a link shape.
func LinkKey(rel, from, to string) string { return rel + ":" + from + ":" + to }

func endpointMerge(v, label, field string) string {
	switch label {
	case "Case":
		return `MERGE (` + v + `:Case {uid: row.` + field + `.uid})
  ON CREATE SET ` + v + `.agencyCode = row.` + field + `.agency, ` + v + `.caseNo = row.` + field + `.caseNo, ` + v + `.kind = row.` + field + `.kind, ` + v + `.placeholder = true, ` + v + `.updatedAt = datetime()
WITH row, ` + other(v) + v
	case "Person":
		return strings.TrimPrefix(personPlaceholder(v, field), "\n") + `
WITH row, ` + other(v) + v
	case "Object":
		return `MERGE (` + v + `:Object {uid: row.` + field + `.uid})
  ON CREATE SET ` + v + `.kind = row.` + field + `.kind, ` + v + `.value = row.` + field + `.value, ` + v + `.placeholder = true
WITH row, ` + other(v) + v
	default: // Location, Incident: by uid
		return `MERGE (` + v + `:` + label + ` {uid: row.` + field + `.uid})
  ON CREATE SET ` + v + `.placeholder = true
WITH row, ` + other(v) + v
	}
}

// other carries the first endpoint through the second's WITH.
func other(v string) string {
	if v == "b" {
		return "a, "
	}
	return ""
}

// LinkRows groups link rows by statement key.
type LinkRows map[string][]map[string]any

const queryResolveCandidates = `
UNWIND $uids AS uid
MATCH (p:Person {uid: uid})
WHERE p.idNumber IS NULL AND p.name IS NOT NULL
CALL (p) {
  MATCH (q:Person {name: p.name})
  WHERE q <> p AND p.birthDate IS NOT NULL AND q.birthDate = p.birthDate
  RETURN q, 0.9 AS score, ['same name', 'same birth date'] AS reasons
  UNION
  MATCH (p)-[:USES]->(:Object)<-[:USES]-(q:Person {name: p.name})
  WHERE q <> p
  RETURN q, 0.7 AS score, ['same name', 'shared phone or object'] AS reasons
}
WITH p, q, max(score) AS score, collect(reasons) AS rs
WITH CASE WHEN p.uid < q.uid THEN p ELSE q END AS a, CASE WHEN p.uid < q.uid THEN q ELSE p END AS b, score, rs
MERGE (a)-[r:POSSIBLY_SAME_AS]->(b)
SET r.score = CASE WHEN r.score IS NULL OR score > r.score THEN score ELSE r.score END,
    r.reasons = reduce(acc = coalesce(r.reasons, []), x IN reduce(f = [], l IN rs | f + l) | CASE WHEN x IN acc THEN acc ELSE acc + x END)`

// WriteIngestBatch writes b in one managed transaction, then proposes
// POSSIBLY_SAME_AS candidates for the batch's persons without identity
// number. links holds the link rows by statement key.
func (db *DB) WriteIngestBatch(ctx context.Context, b *IngestBatch, links LinkRows, persons []string) (IngestResult, error) {
	type stmt struct {
		cypher string
		rows   []map[string]any
	}
	var stmts []stmt
	for _, k := range ingestOrder {
		if k == IngestLink {
			continue
		}
		if rows := b.Rows[k]; len(rows) > 0 {
			stmts = append(stmts, stmt{ingestStatements[k], rows})
		}
	}
	for _, shape := range LinkShapes {
		key := LinkKey(shape.Rel, shape.From, shape.To)
		if rows := links[key]; len(rows) > 0 {
			stmts = append(stmts, stmt{linkStatements[key], rows})
		}
	}
	for key := range links {
		if _, ok := linkStatements[key]; !ok {
			return IngestResult{}, fmt.Errorf("WriteIngestBatch: no statement for link %s", key)
		}
	}
	if len(persons) > 0 {
		// Entity-resolution candidates in the same transaction: they see
		// the batch's persons and commit with them.
		stmts = append(stmts, stmt{queryResolveCandidates, nil})
	}
	db.queries.Add(int64(len(stmts)))
	sess := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	out, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		var res IngestResult
		for _, s := range stmts {
			params := map[string]any{"rows": s.rows}
			if s.rows == nil {
				params = map[string]any{"uids": persons}
			}
			r, err := tx.Run(ctx, s.cypher, params)
			if err != nil {
				return nil, err
			}
			recs, err := r.Collect(ctx)
			if err != nil {
				return nil, err
			}
			for _, rec := range recs {
				i := int(rec.Values[0].(int64))
				if stale, _ := rec.Values[1].(bool); stale {
					res.Stale = append(res.Stale, i)
				}
				if replaced, _ := rec.Values[2].(bool); replaced {
					res.Replaced = append(res.Replaced, i)
				}
			}
		}
		return res, nil
	})
	if err != nil {
		return IngestResult{}, fmt.Errorf("WriteIngestBatch(%d rows): %w", b.Len(), translate(err))
	}
	return out.(IngestResult), nil
}

// IsDataError reports whether err is Neo4j refusing the data of a batch (a
// constraint, a type) rather than the database being away: such a batch is
// split to find the record at fault.
func IsDataError(err error) bool {
	var ne *neo4j.Neo4jError
	return errors.As(err, &ne) && strings.HasPrefix(ne.Code, "Neo.ClientError.") &&
		!strings.HasPrefix(ne.Code, "Neo.ClientError.Security.") &&
		!strings.HasPrefix(ne.Code, "Neo.ClientError.Database.")
}

const queryAgencyKinds = `MATCH (a:Agency) RETURN a.code AS code, a.kind AS kind`

// AgencyKinds maps every agency code to its kind; ingest validates
// references against it.
func (db *DB) AgencyKinds(ctx context.Context) (map[string]string, error) {
	recs, err := db.read(ctx, queryAgencyKinds, nil)
	if err != nil {
		return nil, fmt.Errorf("AgencyKinds: %w", err)
	}
	out := make(map[string]string, len(recs))
	for _, r := range recs {
		code, _ := r.Values[0].(string)
		kind, _ := r.Values[1].(string)
		out[code] = kind
	}
	return out, nil
}

const queryCaseFiledDates = `
UNWIND $uids AS uid
MATCH (c:Case {uid: uid}) WHERE c.filedAt IS NOT NULL
RETURN c.uid, c.filedAt`

// CaseFiledDates returns the filed dates the graph knows for the cases.
func (db *DB) CaseFiledDates(ctx context.Context, uids []string) (map[string]time.Time, error) {
	recs, err := db.read(ctx, queryCaseFiledDates, map[string]any{"uids": uids})
	if err != nil {
		return nil, fmt.Errorf("CaseFiledDates(%d): %w", len(uids), err)
	}
	out := make(map[string]time.Time, len(recs))
	for _, r := range recs {
		if d := date(map[string]any{"d": r.Values[1]}, "d"); d != nil {
			out[r.Values[0].(string)] = *d
		}
	}
	return out, nil
}
