package neo4jdb

import (
	"context"
	"fmt"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph"
)

// The search index is derived from the graph: these queries read what it
// holds of cases and persons, by uid or changed since a high-water mark.

// SearchCase is a case as the search index holds it.
type SearchCase struct {
	UID       string
	CaseNo    string
	Agency    string
	Kind      casegraph.CaseKind
	Stage     casegraph.Stage
	Title     string
	Summary   string
	District  string
	FiledAt   *time.Time
	Sealed    bool
	Charges   []string
	Persons   []string
	IDNumbers []string
	// Agencies are the case's own and those of the cases it was handed to
	// or from: the agencies it passed through.
	Agencies []string
	// Scope are the case's scope tokens (see scope.go); a case not yet
	// synced has none and is found by no one.
	Scope     []string
	UpdatedAt time.Time
}

// SearchPerson is a person as the search index holds it.
type SearchPerson struct {
	UID       string
	Name      string
	IDNumber  string
	Agencies  []string // agencies of the cases the person appears in
	Scope     []string // scope tokens of the person's cases that are not sealed
	Sealed    bool     // every case of the person is sealed
	UpdatedAt time.Time
}

const searchCaseProjection = `
RETURN c.uid AS uid, c.caseNo AS caseNo, c.agencyCode AS agency, c.kind AS kind, c.stage AS stage,
       c.title AS title, c.summary AS summary, c.district AS district, c.filedAt AS filedAt,
       coalesce(c.sealed, false) AS sealed, c.updatedAt AS updatedAt,
       [(ch:Charge)-[:IN_CASE]->(c) | head([(ch)-[:OF_OFFENSE]->(o:Offense) | o.name])] AS charges,
       [(p:Person)-[:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]->(c) | [p.name, p.idNumber]] AS persons,
       [(c)-[:TRANSFERRED_TO]-(x:Case) | x.agencyCode] AS linked, coalesce(c.scope, []) AS scope`

const searchPersonProjection = `
RETURN p.uid AS uid, p.name AS name, p.idNumber AS idNumber, p.updatedAt AS updatedAt,
       [(p)-[:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]->(c:Case) | [c.agencyCode, coalesce(c.sealed, false), coalesce(c.scope, [])]] AS cases`

func searchCaseFrom(r *neo4j.Record) SearchCase {
	p := map[string]any{}
	for _, k := range r.Keys {
		p[k] = get(r, k)
	}
	c := SearchCase{UID: str(p, "uid"), CaseNo: str(p, "caseNo"), Agency: str(p, "agency"), Kind: casegraph.CaseKind(str(p, "kind")),
		Stage: casegraph.Stage(str(p, "stage")), Title: str(p, "title"), Summary: str(p, "summary"), District: str(p, "district"),
		FiledAt: date(p, "filedAt"), Sealed: boolean(p, "sealed"), UpdatedAt: datetime(p, "updatedAt")}
	seen := map[string]bool{}
	for _, ch := range stringList(p["charges"]) {
		if ch != "" && !seen["c:"+ch] {
			seen["c:"+ch] = true
			c.Charges = append(c.Charges, ch)
		}
	}
	for _, v := range p["persons"].([]any) {
		pair := v.([]any)
		if name, _ := pair[0].(string); name != "" && !seen["n:"+name] {
			seen["n:"+name] = true
			c.Persons = append(c.Persons, name)
		}
		if id, _ := pair[1].(string); id != "" && !seen["i:"+id] {
			seen["i:"+id] = true
			c.IDNumbers = append(c.IDNumbers, id)
		}
	}
	c.Scope = stringList(p["scope"])
	c.Agencies = append(c.Agencies, c.Agency)
	seen["a:"+c.Agency] = true
	for _, a := range stringList(p["linked"]) {
		if a != "" && !seen["a:"+a] {
			seen["a:"+a] = true
			c.Agencies = append(c.Agencies, a)
		}
	}
	return c
}

func searchPersonFrom(r *neo4j.Record) SearchPerson {
	p := map[string]any{}
	for _, k := range r.Keys {
		p[k] = get(r, k)
	}
	out := SearchPerson{UID: str(p, "uid"), Name: str(p, "name"), IDNumber: str(p, "idNumber"), UpdatedAt: datetime(p, "updatedAt")}
	cases := p["cases"].([]any)
	seen := map[string]bool{}
	sealed := len(cases) > 0
	for _, v := range cases {
		pair := v.([]any)
		if a, _ := pair[0].(string); a != "" && !seen[a] {
			seen[a] = true
			out.Agencies = append(out.Agencies, a)
		}
		if s, _ := pair[1].(bool); !s {
			sealed = false
			for _, t := range stringList(pair[2]) {
				if !seen["t:"+t] {
					seen["t:"+t] = true
					out.Scope = append(out.Scope, t)
				}
			}
		}
	}
	out.Sealed = sealed
	return out
}

// SearchCasesByUID reads the search documents of cases; absent ones are
// left out (the caller deletes them from the index).
func (db *DB) SearchCasesByUID(ctx context.Context, uids []string) ([]SearchCase, error) {
	recs, err := db.read(ctx, `UNWIND $uids AS u MATCH (c:Case {uid: u})`+searchCaseProjection, map[string]any{"uids": uids})
	if err != nil {
		return nil, fmt.Errorf("SearchCasesByUID: %w", err)
	}
	out := make([]SearchCase, 0, len(recs))
	for _, r := range recs {
		out = append(out, searchCaseFrom(r))
	}
	return out, nil
}

// SearchPersonsOfCases reads the search documents of the persons in cases.
func (db *DB) SearchPersonsOfCases(ctx context.Context, caseUIDs []string) ([]SearchPerson, error) {
	recs, err := db.read(ctx, `
UNWIND $uids AS u
MATCH (p:Person)-[:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]->(:Case {uid: u})
WITH DISTINCT p`+searchPersonProjection, map[string]any{"uids": caseUIDs})
	if err != nil {
		return nil, fmt.Errorf("SearchPersonsOfCases: %w", err)
	}
	out := make([]SearchPerson, 0, len(recs))
	for _, r := range recs {
		out = append(out, searchPersonFrom(r))
	}
	return out, nil
}

// ChangeKey is a position in the order of changes: updatedAt, then uid.
type ChangeKey struct {
	At  time.Time
	UID string
}

// changeParams are the parameters of a keyset page on (updatedAt, uid).
func changeParams(since time.Time, after *ChangeKey, limit int) map[string]any {
	p := map[string]any{"since": offsetTime(since), "limit": limit, "afterAt": nil, "afterUID": ""}
	if after != nil {
		p["afterAt"], p["afterUID"] = offsetTime(after.At), after.UID
	}
	return p
}

// CasesChangedSince reads the cases changed at or after since, in
// (updatedAt, uid) order after a key, at most limit (index case_updated_at).
func (db *DB) CasesChangedSince(ctx context.Context, since time.Time, after *ChangeKey, limit int) ([]SearchCase, error) {
	p := changeParams(since, after, limit)
	recs, err := db.read(ctx, `
MATCH (c:Case) WHERE c.updatedAt >= $since
  AND ($afterAt IS NULL OR c.updatedAt > $afterAt OR (c.updatedAt = $afterAt AND c.uid > $afterUID))
WITH c ORDER BY c.updatedAt, c.uid LIMIT $limit`+searchCaseProjection, p)
	if err != nil {
		return nil, fmt.Errorf("CasesChangedSince: %w", err)
	}
	out := make([]SearchCase, 0, len(recs))
	for _, r := range recs {
		out = append(out, searchCaseFrom(r))
	}
	return out, nil
}

// PersonsChangedSince is CasesChangedSince for persons (index person_updated_at).
func (db *DB) PersonsChangedSince(ctx context.Context, since time.Time, after *ChangeKey, limit int) ([]SearchPerson, error) {
	p := changeParams(since, after, limit)
	recs, err := db.read(ctx, `
MATCH (p:Person) WHERE p.updatedAt >= $since
  AND ($afterAt IS NULL OR p.updatedAt > $afterAt OR (p.updatedAt = $afterAt AND p.uid > $afterUID))
WITH p ORDER BY p.updatedAt, p.uid LIMIT $limit`+searchPersonProjection, p)
	if err != nil {
		return nil, fmt.Errorf("PersonsChangedSince: %w", err)
	}
	out := make([]SearchPerson, 0, len(recs))
	for _, r := range recs {
		out = append(out, searchPersonFrom(r))
	}
	return out, nil
}

// CaseUIDs lists every case uid (tests compare the index with the graph).
func (db *DB) CaseUIDs(ctx context.Context) ([]string, error) {
	recs, err := db.read(ctx, `MATCH (c:Case) RETURN c.uid AS uid ORDER BY uid`, nil)
	if err != nil {
		return nil, fmt.Errorf("CaseUIDs: %w", err)
	}
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, asString(get(r, "uid")))
	}
	return out, nil
}

// offsetZone is how the driver marks a datetime with a UTC offset rather
// than a named zone. updatedAt comes from Cypher's datetime(), an offset
// datetime, and Cypher's = between an offset datetime and a named-zone one
// (which time.UTC produces) is false even at the same instant; a keyset on
// updatedAt must send the offset form.
var offsetZone = time.FixedZone("Offset", 0)

func offsetTime(t time.Time) time.Time { return t.In(offsetZone) }
