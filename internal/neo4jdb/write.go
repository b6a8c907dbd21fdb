package neo4jdb

import (
	"context"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph"
)

// Graph is a set of nodes and relationships to write in one transaction.
// Writing it is idempotent: every node is merged on its natural key.
type Graph struct {
	Agencies  []casegraph.Agency
	Offenses  []casegraph.Offense
	Cases     []casegraph.Case
	Persons   []casegraph.Person
	Parties   []PartyRef
	Charges   []ChargeRef
	Transfers []TransferRef
}

// PartyRef puts a person in a role on a case.
type PartyRef struct {
	CaseUID   string
	PersonUID string
	Role      casegraph.Role
}

// ChargeRef charges a person in a case with an offense.
type ChargeRef struct {
	UID         string
	CaseUID     string
	PersonUID   string
	OffenseCode string
}

// TransferRef is a completed handover from one agency's case to another's.
type TransferRef struct {
	HandoverUID string
	Type        casegraph.HandoverType
	FromCaseUID string
	ToCaseUID   string
	At          time.Time
}

const (
	queryMergeAgencies = `
UNWIND $rows AS row
MERGE (a:Agency {code: row.code})
SET a.name = row.name, a.kind = row.kind, a.region = row.region`

	queryMergeOffenses = `
UNWIND $rows AS row
MERGE (o:Offense {code: row.code})
SET o.name = row.name, o.article = row.article`

	queryMergeCases = `
UNWIND $rows AS row
MERGE (c:Case {uid: row.uid})
SET c.agencyCode = row.agencyCode, c.caseNo = row.caseNo, c.kind = row.kind,
    c.title = row.title, c.summary = row.summary, c.stage = row.stage,
    c.filedAt = row.filedAt, c.closedAt = row.closedAt, c.district = row.district,
    c.sealed = row.sealed, c.updatedAt = datetime()
WITH c, row
MATCH (a:Agency {code: row.agencyCode})
MERGE (c)-[:HANDLED_BY]->(a)`

	queryMergePersons = `
UNWIND $rows AS row
MERGE (p:Person {uid: row.uid})
SET p.name = row.name, p.idNumber = row.idNumber, p.birthDate = row.birthDate,
    p.gender = row.gender, p.updatedAt = datetime()`

	queryMergeCharges = `
UNWIND $rows AS row
MATCH (c:Case {uid: row.caseUID}), (p:Person {uid: row.personUID}), (o:Offense {code: row.offense})
MERGE (ch:Charge {uid: row.uid})
MERGE (p)-[:CHARGED_WITH]->(ch)
MERGE (ch)-[:IN_CASE]->(c)
MERGE (ch)-[:OF_OFFENSE]->(o)`

	queryMergeTransfers = `
UNWIND $rows AS row
MATCH (f:Case {uid: row.from}), (t:Case {uid: row.to})
MERGE (h:Handover {uid: row.uid})
SET h.type = row.type, h.fromAgency = f.agencyCode, h.toAgency = t.agencyCode,
    h.sentAt = row.at, h.receivedAt = row.at, h.status = 'ACCEPTED'
MERGE (f)-[:SENT]->(h)
MERGE (h)-[:RECEIVED_BY]->(t)
MERGE (f)-[r:TRANSFERRED_TO {handover: row.uid}]->(t)
SET r.type = row.type, r.at = row.at`
)

// partyQueries holds one statement per role: relationship types cannot be
// parameters, so each comes from the relRoles whitelist.
var partyQueries = func() map[casegraph.Role]string {
	m := map[casegraph.Role]string{}
	for rel, role := range relRoles {
		m[role] = `
UNWIND $rows AS row
MATCH (c:Case {uid: row.caseUID}), (p:Person {uid: row.personUID})
MERGE (p)-[:` + rel + `]->(c)`
	}
	return m
}()

// WriteGraph merges g in one managed transaction.
func (db *DB) WriteGraph(ctx context.Context, g Graph) error {
	type stmt struct {
		cypher string
		rows   []map[string]any
	}
	var stmts []stmt
	add := func(cypher string, rows []map[string]any) {
		if len(rows) > 0 {
			stmts = append(stmts, stmt{cypher, rows})
		}
	}
	var rows []map[string]any
	for _, a := range g.Agencies {
		rows = append(rows, map[string]any{"code": a.Code, "name": a.Name, "kind": string(a.Kind), "region": a.Region})
	}
	add(queryMergeAgencies, rows)
	rows = nil
	for _, o := range g.Offenses {
		rows = append(rows, map[string]any{"code": o.Code, "name": o.Name, "article": o.Article})
	}
	add(queryMergeOffenses, rows)
	rows = nil
	for _, c := range g.Cases {
		rows = append(rows, map[string]any{
			"uid": c.UID, "agencyCode": c.AgencyCode, "caseNo": c.CaseNo, "kind": string(c.Kind),
			"title": c.Title, "summary": c.Summary, "stage": string(c.Stage),
			"filedAt": dateParam(c.FiledAt), "closedAt": dateParam(c.ClosedAt),
			"district": c.District, "sealed": c.Sealed,
		})
	}
	add(queryMergeCases, rows)
	rows = nil
	for _, p := range g.Persons {
		var id any
		if p.IDNumber != "" {
			id = p.IDNumber
		}
		rows = append(rows, map[string]any{
			"uid": p.UID, "name": p.Name, "idNumber": id, "birthDate": dateParam(p.BirthDate), "gender": p.Gender,
		})
	}
	add(queryMergePersons, rows)
	byRole := map[casegraph.Role][]map[string]any{}
	for _, pr := range g.Parties {
		if _, ok := partyQueries[pr.Role]; !ok {
			return fmt.Errorf("WriteGraph: party %s in %s: unknown role %q", pr.PersonUID, pr.CaseUID, pr.Role)
		}
		byRole[pr.Role] = append(byRole[pr.Role], map[string]any{"caseUID": pr.CaseUID, "personUID": pr.PersonUID})
	}
	for _, role := range casegraph.Roles {
		add(partyQueries[role], byRole[role])
	}
	rows = nil
	for _, c := range g.Charges {
		rows = append(rows, map[string]any{"uid": c.UID, "caseUID": c.CaseUID, "personUID": c.PersonUID, "offense": c.OffenseCode})
	}
	add(queryMergeCharges, rows)
	rows = nil
	for _, t := range g.Transfers {
		rows = append(rows, map[string]any{"uid": t.HandoverUID, "type": string(t.Type), "from": t.FromCaseUID, "to": t.ToCaseUID, "at": t.At})
	}
	add(queryMergeTransfers, rows)

	db.queries.Add(int64(len(stmts)))
	sess := db.driver.NewSession(ctx, neo4j.SessionConfig{DatabaseName: db.database, AccessMode: neo4j.AccessModeWrite})
	defer sess.Close(ctx)
	_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		for _, s := range stmts {
			res, err := tx.Run(ctx, s.cypher, map[string]any{"rows": s.rows})
			if err != nil {
				return nil, err
			}
			if _, err := res.Consume(ctx); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("WriteGraph: %w", translate(err))
	}
	return nil
}

const queryCaseCount = `MATCH (c:Case) RETURN count(c)`

// CaseCount counts every case node; serve loads the demo graph when it is 0.
func (db *DB) CaseCount(ctx context.Context) (int, error) {
	recs, err := db.read(ctx, queryCaseCount, nil)
	if err != nil {
		return 0, fmt.Errorf("CaseCount: %w", err)
	}
	return int(recs[0].Values[0].(int64)), nil
}

const queryDeleteByPrefix = `
MATCH (n)
WHERE (n:Case OR n:Person OR n:Handover OR n:Charge) AND n.uid STARTS WITH $prefix
   OR n:Agency AND n.code STARTS WITH $prefix
   OR n:Offense AND n.code STARTS WITH $prefix
DETACH DELETE n`

// DeleteByPrefix removes the cases, persons, handovers, charges, agencies
// and offenses whose uid or code starts with prefix, and takes the cases'
// deadlines out of the alert counters in the same transaction. Tests that
// share one database give their data a prefix of their own and clean up
// with it.
func (db *DB) DeleteByPrefix(ctx context.Context, prefix string) error {
	if len(prefix) < 3 {
		return fmt.Errorf("DeleteByPrefix(%q): prefix too short to be safe", prefix)
	}
	db.queries.Add(1)
	sess := db.driver.NewSession(ctx, neo4jSessionConfig(db.database))
	defer sess.Close(ctx)
	_, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		for _, q := range []string{dropAlertCellsQuery, queryDeleteByPrefix} {
			res, err := tx.Run(ctx, q, map[string]any{"prefix": prefix})
			if err != nil {
				return nil, err
			}
			if _, err := res.Consume(ctx); err != nil {
				return nil, err
			}
		}
		return nil, nil
	})
	if err != nil {
		return fmt.Errorf("DeleteByPrefix(%q): %w", prefix, translate(err))
	}
	return nil
}
