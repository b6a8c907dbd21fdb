package neo4jdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph"
)

const queryAgencies = `
MATCH (a:Agency)
RETURN a ORDER BY a.kind, a.code`

// Agencies lists every agency.
func (db *DB) Agencies(ctx context.Context) ([]casegraph.Agency, error) {
	recs, err := db.read(ctx, queryAgencies, nil)
	if err != nil {
		return nil, fmt.Errorf("Agencies: %w", err)
	}
	out := make([]casegraph.Agency, 0, len(recs))
	for _, r := range recs {
		out = append(out, agencyFromProps(props(r.Values[0])))
	}
	return out, nil
}

const queryAgenciesByCode = `
MATCH (a:Agency) WHERE a.code IN $codes
RETURN a`

// AgenciesByCode loads agencies by code (uses constraint agency_code).
// Codes with no agency are absent from the map.
func (db *DB) AgenciesByCode(ctx context.Context, codes []string) (map[string]casegraph.Agency, error) {
	recs, err := db.read(ctx, queryAgenciesByCode, map[string]any{"codes": codes})
	if err != nil {
		return nil, fmt.Errorf("AgenciesByCode(%d): %w", len(codes), err)
	}
	out := make(map[string]casegraph.Agency, len(recs))
	for _, r := range recs {
		a := agencyFromProps(props(r.Values[0]))
		out[a.Code] = a
	}
	return out, nil
}

var queryCasesByUID = `
MATCH (c:Case) WHERE c.uid IN $uids AND ` + visibleCase("c") + `
RETURN c`

// CasesByUID loads cases by uid (uses constraint case_uid). Unknown uids are
// absent from the map.
func (db *DB) CasesByUID(ctx context.Context, uids []string) (map[string]casegraph.Case, error) {
	recs, err := db.read(ctx, queryCasesByUID, scoped(ctx, map[string]any{"uids": uids}))
	if err != nil {
		return nil, fmt.Errorf("CasesByUID(%d): %w", len(uids), err)
	}
	out := make(map[string]casegraph.Case, len(recs))
	for _, r := range recs {
		c := caseFromProps(props(r.Values[0]))
		out[c.UID] = c
		casegraph.TouchCases(ctx, c.UID)
	}
	return out, nil
}

var queryCaseByNumber = `
MATCH (c:Case {agencyCode: $agency, caseNo: $number})
WHERE ` + visibleCase("c") + `
RETURN c`

// CaseByNumber finds a case by its agency and the agency's case number (uses
// constraint case_number). It returns nil when there is none.
func (db *DB) CaseByNumber(ctx context.Context, agency, number string) (*casegraph.Case, error) {
	recs, err := db.read(ctx, queryCaseByNumber, scoped(ctx, map[string]any{"agency": agency, "number": number}))
	if err != nil {
		return nil, fmt.Errorf("CaseByNumber(%q, %q): %w", agency, number, err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	c := caseFromProps(props(recs[0].Values[0]))
	casegraph.TouchCases(ctx, c.UID)
	return &c, nil
}

var queryPersonsByUID = `
MATCH (p:Person) WHERE p.uid IN $uids AND ` + visiblePerson("p") + `
RETURN p`

// PersonsByUID loads persons by uid (uses constraint person_uid).
func (db *DB) PersonsByUID(ctx context.Context, uids []string) (map[string]casegraph.Person, error) {
	recs, err := db.read(ctx, queryPersonsByUID, scoped(ctx, map[string]any{"uids": uids}))
	if err != nil {
		return nil, fmt.Errorf("PersonsByUID(%d): %w", len(uids), err)
	}
	out := make(map[string]casegraph.Person, len(recs))
	for _, r := range recs {
		p := personFromProps(props(r.Values[0]))
		out[p.UID] = p
		casegraph.TouchPersons(ctx, p.UID)
	}
	return out, nil
}

// caseFilterClauses is the whitelist of filter fragments; each uses only
// parameters. sortKey orders cases without a filed date last.
const (
	caseSortKey           = `coalesce(c.filedAt, date('0001-01-01'))`
	clauseCaseAgency      = `c.agencyCode = $agency`
	clauseCaseKind        = `c.kind = $kind`
	clauseCaseStage       = `c.stage = $stage`
	clauseCaseFiledFrom   = `c.filedAt >= $filedFrom`
	clauseCaseFiledTo     = `c.filedAt <= $filedTo`
	clauseCaseOffense     = `EXISTS { MATCH (c)<-[:IN_CASE]-(:Charge)-[:OF_OFFENSE]->(:Offense {code: $offense}) }`
	clauseCaseAfterCursor = `(` + caseSortKey + ` < $afterFiled OR (` + caseSortKey + ` = $afterFiled AND c.uid > $afterUID))`
)

func caseWhere(ctx context.Context, f casegraph.CaseFilter, after *casegraph.CaseKey) (string, map[string]any) {
	where := []string{visibleCase("c")}
	params := scoped(ctx, nil)
	if f.AgencyCode != nil {
		where = append(where, clauseCaseAgency)
		params["agency"] = *f.AgencyCode
	}
	if f.Kind != nil {
		where = append(where, clauseCaseKind)
		params["kind"] = string(*f.Kind)
	}
	if f.Stage != nil {
		where = append(where, clauseCaseStage)
		params["stage"] = string(*f.Stage)
	}
	if f.FiledFrom != nil {
		where = append(where, clauseCaseFiledFrom)
		params["filedFrom"] = dateParam(f.FiledFrom)
	}
	if f.FiledTo != nil {
		where = append(where, clauseCaseFiledTo)
		params["filedTo"] = dateParam(f.FiledTo)
	}
	if f.Offense != nil {
		where = append(where, clauseCaseOffense)
		params["offense"] = *f.Offense
	}
	if after != nil {
		where = append(where, clauseCaseAfterCursor)
		filed := after.FiledAt
		if filed.IsZero() {
			filed = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		params["afterFiled"] = neo4j.DateOf(filed)
		params["afterUID"] = after.UID
	}
	return "WHERE " + strings.Join(where, " AND "), params
}

// ListCases returns up to first cases matching f after the key, in the stable
// order (filed date descending, uid ascending), and whether more follow.
// The filed-date range and agency filters use indexes case_filed_at and
// case_agency_filed.
func (db *DB) ListCases(ctx context.Context, f casegraph.CaseFilter, first int, after *casegraph.CaseKey) ([]casegraph.Case, bool, error) {
	where, params := caseWhere(ctx, f, after)
	params["limit"] = first + 1
	cypher := "MATCH (c:Case) " + where + " RETURN c ORDER BY " + caseSortKey + " DESC, c.uid ASC LIMIT $limit"
	recs, err := db.read(ctx, cypher, params)
	if err != nil {
		return nil, false, fmt.Errorf("ListCases: %w", err)
	}
	out := make([]casegraph.Case, 0, len(recs))
	for _, r := range recs {
		out = append(out, caseFromProps(props(r.Values[0])))
		casegraph.TouchCases(ctx, out[len(out)-1].UID)
	}
	more := len(out) > first
	if more {
		out = out[:first]
	}
	return out, more, nil
}

// CountCases counts the cases matching f.
func (db *DB) CountCases(ctx context.Context, f casegraph.CaseFilter) (int, error) {
	where, params := caseWhere(ctx, f, nil)
	recs, err := db.read(ctx, "MATCH (c:Case) "+where+" RETURN count(c)", params)
	if err != nil {
		return 0, fmt.Errorf("CountCases: %w", err)
	}
	return int(recs[0].Values[0].(int64)), nil
}

var queryPartiesByCase = `
UNWIND $uids AS uid
MATCH (c:Case {uid: uid})<-[r:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]-(p:Person)
WHERE ` + visibleCase("c") + `
RETURN c.uid AS caseUID, type(r) AS rel, p
ORDER BY caseUID, rel, p.name, p.uid`

// relRoles maps relationship types to roles; the only relationship types
// spliced into Cypher come from here.
var relRoles = map[string]casegraph.Role{
	"SUSPECT_IN":   casegraph.RoleSuspect,
	"DEFENDANT_IN": casegraph.RoleDefendant,
	"VICTIM_IN":    casegraph.RoleVictim,
	"WITNESS_IN":   casegraph.RoleWitness,
}

// RoleRelationship returns the relationship type of a role.
func RoleRelationship(r casegraph.Role) (string, bool) {
	for rel, role := range relRoles {
		if role == r {
			return rel, true
		}
	}
	return "", false
}

// PartiesByCase loads the parties of many cases in one query.
func (db *DB) PartiesByCase(ctx context.Context, caseUIDs []string) (map[string][]casegraph.Party, error) {
	recs, err := db.read(ctx, queryPartiesByCase, scoped(ctx, map[string]any{"uids": caseUIDs}))
	if err != nil {
		return nil, fmt.Errorf("PartiesByCase(%d): %w", len(caseUIDs), err)
	}
	out := make(map[string][]casegraph.Party, len(caseUIDs))
	for _, r := range recs {
		uid := r.Values[0].(string)
		out[uid] = append(out[uid], casegraph.Party{
			CaseUID: uid,
			Role:    relRoles[r.Values[1].(string)],
			Person:  personFromProps(props(r.Values[2])),
		})
		casegraph.TouchPersons(ctx, out[uid][len(out[uid])-1].Person.UID)
	}
	return out, nil
}

var queryInvolvementsByPerson = `
UNWIND $uids AS uid
MATCH (p:Person {uid: uid})-[r:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]->(c:Case)
WHERE ` + visibleCase("c") + `
RETURN p.uid AS personUID, type(r) AS rel, c
ORDER BY personUID, ` + caseSortKey + `, c.uid`

// InvolvementsByPerson loads, for many persons in one query, every case each
// appears in and the role, oldest filed first: a person's history across
// agencies.
func (db *DB) InvolvementsByPerson(ctx context.Context, personUIDs []string) (map[string][]casegraph.Involvement, error) {
	recs, err := db.read(ctx, queryInvolvementsByPerson, scoped(ctx, map[string]any{"uids": personUIDs}))
	if err != nil {
		return nil, fmt.Errorf("InvolvementsByPerson(%d): %w", len(personUIDs), err)
	}
	out := make(map[string][]casegraph.Involvement, len(personUIDs))
	for _, r := range recs {
		uid := r.Values[0].(string)
		out[uid] = append(out[uid], casegraph.Involvement{
			PersonUID: uid,
			Role:      relRoles[r.Values[1].(string)],
			Case:      caseFromProps(props(r.Values[2])),
		})
		casegraph.TouchCases(ctx, out[uid][len(out[uid])-1].Case.UID)
	}
	return out, nil
}

var queryOffensesByCase = `
UNWIND $uids AS uid
MATCH (c:Case {uid: uid})<-[:IN_CASE]-(:Charge)-[:OF_OFFENSE]->(o:Offense)
WHERE ` + visibleCase("c") + `
RETURN DISTINCT c.uid AS caseUID, o
ORDER BY caseUID, o.code`

// OffensesByCase loads the distinct offenses charged in many cases in one
// query.
func (db *DB) OffensesByCase(ctx context.Context, caseUIDs []string) (map[string][]casegraph.Offense, error) {
	recs, err := db.read(ctx, queryOffensesByCase, scoped(ctx, map[string]any{"uids": caseUIDs}))
	if err != nil {
		return nil, fmt.Errorf("OffensesByCase(%d): %w", len(caseUIDs), err)
	}
	out := make(map[string][]casegraph.Offense, len(caseUIDs))
	for _, r := range recs {
		uid := r.Values[0].(string)
		out[uid] = append(out[uid], offenseFromProps(props(r.Values[1])))
	}
	return out, nil
}

var queryTransfersByCase = `
UNWIND $uids AS uid
MATCH (c:Case {uid: uid})
WHERE ` + visibleCase("c") + `
CALL (c) {
  MATCH (c)-[t:TRANSFERRED_TO]->(o:Case)
  RETURN 'to' AS dir, t, o
  UNION ALL
  MATCH (o:Case)-[t:TRANSFERRED_TO]->(c)
  RETURN 'from' AS dir, t, o
}
WITH c, dir, t, o WHERE ` + visibleCase("o") + `
RETURN c.uid AS caseUID, dir, t.handover AS handover, t.type AS type, t.at AS at, o
ORDER BY caseUID, at, o.uid`

// TransfersByCase loads, for many cases in one query, the transfers into and
// out of each, with the case at the other end.
func (db *DB) TransfersByCase(ctx context.Context, caseUIDs []string) (map[string]casegraph.Lineage, error) {
	recs, err := db.read(ctx, queryTransfersByCase, scoped(ctx, map[string]any{"uids": caseUIDs}))
	if err != nil {
		return nil, fmt.Errorf("TransfersByCase(%d): %w", len(caseUIDs), err)
	}
	out := make(map[string]casegraph.Lineage, len(caseUIDs))
	for _, r := range recs {
		uid := r.Values[0].(string)
		other := caseFromProps(props(r.Values[5]))
		casegraph.TouchCases(ctx, other.UID)
		t := casegraph.Transfer{
			HandoverUID: asString(r.Values[2]),
			Type:        casegraph.HandoverType(asString(r.Values[3])),
			Other:       other,
		}
		if at, ok := r.Values[4].(time.Time); ok {
			t.At = at
		}
		ct := out[uid]
		if r.Values[1].(string) == "to" {
			t.FromCaseUID, t.ToCaseUID = uid, other.UID
			ct.To = append(ct.To, t)
		} else {
			t.FromCaseUID, t.ToCaseUID = other.UID, uid
			ct.From = append(ct.From, t)
		}
		out[uid] = ct
	}
	return out, nil
}

func asString(v any) string {
	s, _ := v.(string)
	return s
}
