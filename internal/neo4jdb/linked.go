package neo4jdb

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/casegraph/casegraph"
)

// LinkEvidence is one reason two cases may belong together.
type LinkEvidence struct {
	Kind     string // SHARED_PERSON, SHARED_OBJECT, SAME_CHARGE_PLACE_TIME
	Detail   string // name; object kind and value; charge and district
	Person   string // person uid of SHARED_PERSON
	ObjKind  string // PHONE … of SHARED_OBJECT, for masking
	ObjValue string
	Days     int // days between filings, for SAME_CHARGE_PLACE_TIME
}

// LinkedCase is a 串并案 candidate with its score and evidence.
type LinkedCase struct {
	Case     casegraph.Case
	Score    int
	Evidence []LinkEvidence
}

// Scores of the evidence kinds.
const (
	scoreSharedPerson = 3
	scoreSharedObject = 2
	scoreSameCharge   = 1
	linkWindowDays    = 30
)

// linkedCasesQuery finds the candidates of one case in the caller's scope:
// both the case and every candidate pass visibleCase, and the lineage of
// the case (the same matter at other agencies) is left out. The same-charge
// arm reads the cases filed within the window through index case_filed_at.
var linkedCasesQuery = `
MATCH (c:Case {uid: $uid})
WHERE ` + visibleCase("c") + `
CALL (c) {
  MATCH (c)<-[:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]-(p:Person)-[:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]->(x:Case)
  WHERE x <> c
  RETURN x, 'SHARED_PERSON' AS kind, p.uid AS ref, coalesce(p.name, '') AS label, '' AS objKind, 0 AS days
  UNION
  MATCH (c)-[:INVOLVES]->(o:Object)<-[:INVOLVES]-(x:Case)
  WHERE x <> c
  RETURN x, 'SHARED_OBJECT' AS kind, o.uid AS ref, coalesce(o.value, '') AS label, coalesce(o.kind, '') AS objKind, 0 AS days
  UNION
  MATCH (c)<-[:SUSPECT_IN|DEFENDANT_IN]-(:Person)-[:USES|OWNS]->(o:Object)<-[:USES|OWNS]-(:Person)-[:SUSPECT_IN|DEFENDANT_IN]->(x:Case)
  WHERE x <> c
  RETURN x, 'SHARED_OBJECT' AS kind, o.uid AS ref, coalesce(o.value, '') AS label, coalesce(o.kind, '') AS objKind, 0 AS days
  UNION
  MATCH (x:Case)
  WHERE c.filedAt IS NOT NULL AND c.district IS NOT NULL
    AND x.filedAt >= c.filedAt - duration({days: $window}) AND x.filedAt <= c.filedAt + duration({days: $window})
    AND x.district = c.district AND x <> c
  MATCH (c)<-[:IN_CASE]-(:Charge)-[:OF_OFFENSE]->(off:Offense)<-[:OF_OFFENSE]-(:Charge)-[:IN_CASE]->(x)
  RETURN DISTINCT x, 'SAME_CHARGE_PLACE_TIME' AS kind, off.code AS ref, off.name + '，' + c.district AS label, '' AS objKind,
         abs(duration.inDays(c.filedAt, x.filedAt).days) AS days
}
WITH c, x, kind, ref, label, objKind, days
WHERE ` + visibleCase("x") + ` AND NOT EXISTS { MATCH (c)-[:TRANSFERRED_TO*1..8]-(x) }
RETURN x, kind, ref, label, objKind, days`

// LinkedCases lists the 串并案 candidates of a case, highest score first
// (then newest filed, then uid); nil when the case is not visible.
func (db *DB) LinkedCases(ctx context.Context, uid string, first int) ([]LinkedCase, error) {
	recs, err := db.read(ctx, linkedCasesQuery, scoped(ctx, map[string]any{"uid": uid, "window": linkWindowDays}))
	if err != nil {
		return nil, fmt.Errorf("LinkedCases(%s): %w", uid, err)
	}
	by := map[string]*LinkedCase{}
	seen := map[[3]string]bool{}
	var order []string
	for _, r := range recs {
		x := caseFromProps(props(get(r, "x")))
		kind, ref := asString(get(r, "kind")), asString(get(r, "ref"))
		k := [3]string{x.UID, kind, ref}
		if seen[k] {
			continue
		}
		seen[k] = true
		lc := by[x.UID]
		if lc == nil {
			lc = &LinkedCase{Case: x}
			by[x.UID] = lc
			order = append(order, x.UID)
		}
		e := LinkEvidence{Kind: kind, Detail: asString(get(r, "label"))}
		switch kind {
		case "SHARED_PERSON":
			e.Person = ref
			lc.Score += scoreSharedPerson
		case "SHARED_OBJECT":
			e.ObjKind, e.ObjValue = asString(get(r, "objKind")), e.Detail
			lc.Score += scoreSharedObject
		default:
			d, _ := get(r, "days").(int64)
			e.Days = int(d)
			lc.Score += scoreSameCharge
		}
		lc.Evidence = append(lc.Evidence, e)
	}
	out := make([]LinkedCase, 0, len(order))
	for _, u := range order {
		out = append(out, *by[u])
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		af, bf := filedOrZero(a.Case), filedOrZero(b.Case)
		if !af.Equal(bf) {
			return af.After(bf)
		}
		return a.Case.UID < b.Case.UID
	})
	if len(out) > first {
		out = out[:first]
	}
	for _, lc := range out {
		casegraph.TouchCases(ctx, lc.Case.UID)
	}
	return out, nil
}

func filedOrZero(c casegraph.Case) time.Time {
	if c.FiledAt == nil {
		return time.Time{}
	}
	return *c.FiledAt
}
