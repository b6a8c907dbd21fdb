package neo4jdb

import (
	"context"
	"fmt"
	"sort"

	"github.com/casegraph/casegraph"
)

// RepeatOffender is a person with the matters they are a suspect or
// defendant in.
type RepeatOffender struct {
	Person  casegraph.Person
	Matters int
	Cases   []casegraph.Case
}

// repeatOffendersQuery counts, per person, the distinct lineage roots of the
// visible cases they are a suspect or defendant in.
var repeatOffendersQuery = `
MATCH (p:Person)-[:SUSPECT_IN|DEFENDANT_IN]->(c:Case)
WHERE ` + visibleCase("c") + `
  AND (size($districts) = 0 OR c.district IN $districts)
  AND (size($charges) = 0 OR EXISTS { MATCH (c)<-[:IN_CASE]-(:Charge)-[:OF_OFFENSE]->(o:Offense) WHERE o.name IN $charges })
WITH DISTINCT p, c
WITH p, c, head([(c)<-[:TRANSFERRED_TO*0..8]-(r:Case) WHERE NOT EXISTS { MATCH (:Case)-[:TRANSFERRED_TO]->(r) } | r.uid]) AS root
WITH p, count(DISTINCT coalesce(root, c.uid)) AS matters, collect(c) AS cases
WHERE matters >= $min
RETURN p, matters, cases
ORDER BY matters DESC, p.uid
LIMIT $first`

// RepeatOffenders lists the persons with at least min matters in the
// caller's scope, most first.
func (db *DB) RepeatOffenders(ctx context.Context, min int, districts, charges []string, first int) ([]RepeatOffender, error) {
	recs, err := db.read(ctx, repeatOffendersQuery, scoped(ctx, map[string]any{"min": min, "districts": orEmpty(districts),
		"charges": orEmpty(charges), "first": first}))
	if err != nil {
		return nil, fmt.Errorf("RepeatOffenders: %w", err)
	}
	out := make([]RepeatOffender, 0, len(recs))
	for _, r := range recs {
		ro := RepeatOffender{Person: personFromProps(props(get(r, "p")))}
		m, _ := get(r, "matters").(int64)
		ro.Matters = int(m)
		cs, _ := get(r, "cases").([]any)
		for _, c := range cs {
			ro.Cases = append(ro.Cases, caseFromProps(props(c)))
		}
		sortCasesNewest(ro.Cases)
		casegraph.TouchPersons(ctx, ro.Person.UID)
		for _, c := range ro.Cases {
			casegraph.TouchCases(ctx, c.UID)
		}
		out = append(out, ro)
	}
	return out, nil
}

func sortCasesNewest(cs []casegraph.Case) {
	sort.Slice(cs, func(i, j int) bool {
		a, b := filedOrZero(cs[i]), filedOrZero(cs[j])
		if !a.Equal(b) {
			return a.After(b)
		}
		return cs[i].UID < cs[j].UID
	})
}
