package neo4jdb

import (
	"context"
	"fmt"
	"sort"

	"github.com/casegraph/casegraph"
)

// NetworkLink is one link of a person's network.
type NetworkLink struct {
	From, To string // person uids
	Kind     string // CO_OFFENDER, KNOWS, FAMILY, SHARED_<object kind>, SHARED_ADDRESS
	// Via is what links them: a case uid (CO_OFFENDER), an object's value or
	// an address; "" for KNOWS and FAMILY.
	Via string
	// ViaKind is the object kind (PHONE …) or ADDRESS, for masking.
	ViaKind string
}

// Network is a person's network as the caller may see it.
type Network struct {
	Center  casegraph.Person
	Persons []casegraph.Person
	Depth   map[string]int
	Links   []NetworkLink
	// Capped lists the caps hit: PER_PERSON, LIMIT.
	Capped []string
}

// neighboursQuery expands a frontier one hop. Every neighbour must be
// visible to the caller (visiblePerson), and a co-offender link runs only
// through a visible case; neighbours are returned in a stable order and at
// most $cap+1 per person, so that a hub costs a bounded read and the caller
// learns the cap was hit.
var neighboursQuery = `
UNWIND $uids AS u
MATCH (p:Person {uid: u})
CALL (p) {
  MATCH (p)-[:SUSPECT_IN|DEFENDANT_IN]->(c:Case)<-[:SUSPECT_IN|DEFENDANT_IN]-(q:Person)
  WHERE q <> p AND ` + visibleCase("c") + `
  RETURN q, 'CO_OFFENDER' AS kind, c.uid AS via, 'CASE' AS viaKind
  UNION
  MATCH (p)-[r:KNOWS|FAMILY]-(q:Person)
  WHERE q <> p
  RETURN q, type(r) AS kind, '' AS via, '' AS viaKind
  UNION
  MATCH (p)-[:USES|OWNS]->(o:Object)<-[:USES|OWNS]-(q:Person)
  WHERE q <> p
  RETURN q, 'SHARED_' + o.kind AS kind, o.value AS via, o.kind AS viaKind
  UNION
  MATCH (p)-[:LIVES_AT]->(l:Location)<-[:LIVES_AT]-(q:Person)
  WHERE q <> p
  RETURN q, 'SHARED_ADDRESS' AS kind, coalesce(l.address, '') AS via, 'ADDRESS' AS viaKind
}
WITH p, q, kind, via, viaKind
WHERE ` + visiblePerson("q") + `
WITH p, q, kind, via, viaKind ORDER BY q.uid, kind, via
WITH p, collect({q: q, kind: kind, via: via, viaKind: viaKind})[..$cap1] AS ns
RETURN p.uid AS from, ns`

// MaxNetworkDepth is the deepest expansion personNetwork allows.
const MaxNetworkDepth = 3

// PersonNetwork expands a person's network breadth first, depth hops, in
// the caller's scope: one query per hop. At most perPerson links of each
// person and limit persons in all are kept. nil when the person is not
// visible.
func (db *DB) PersonNetwork(ctx context.Context, uid string, depth, limit, perPerson int) (*Network, error) {
	ps, err := db.PersonsByUID(ctx, []string{uid})
	if err != nil {
		return nil, fmt.Errorf("PersonNetwork: %w", err)
	}
	center, ok := ps[uid]
	if !ok {
		return nil, nil
	}
	n := &Network{Center: center, Depth: map[string]int{uid: 0}}
	capped := map[string]bool{}
	seenLink := map[[4]string]bool{}
	frontier := []string{uid}
	for d := 1; d <= depth && len(frontier) > 0 && !capped["LIMIT"]; d++ {
		recs, err := db.read(ctx, neighboursQuery, scoped(ctx, map[string]any{"uids": frontier, "cap1": perPerson + 1}))
		if err != nil {
			return nil, fmt.Errorf("PersonNetwork: %w", err)
		}
		sort.Slice(recs, func(i, j int) bool { return asString(get(recs[i], "from")) < asString(get(recs[j], "from")) })
		var next []string
		for _, r := range recs {
			from := asString(get(r, "from"))
			ns, _ := get(r, "ns").([]any)
			if len(ns) > perPerson {
				capped["PER_PERSON"] = true
				ns = ns[:perPerson]
			}
			for _, v := range ns {
				m := props(v)
				q := personFromProps(props(m["q"]))
				if _, known := n.Depth[q.UID]; !known {
					if len(n.Depth) >= limit {
						capped["LIMIT"] = true
						continue
					}
					n.Depth[q.UID] = d
					n.Persons = append(n.Persons, q)
					next = append(next, q.UID)
				}
				l := NetworkLink{From: from, To: q.UID, Kind: str(m, "kind"), Via: str(m, "via"), ViaKind: str(m, "viaKind")}
				a, b := l.From, l.To
				if a > b {
					a, b = b, a
				}
				key := [4]string{a, b, l.Kind, l.Via}
				if !seenLink[key] {
					seenLink[key] = true
					n.Links = append(n.Links, l)
				}
			}
		}
		frontier = next
	}
	for _, c := range []string{"PER_PERSON", "LIMIT"} {
		if capped[c] {
			n.Capped = append(n.Capped, c)
		}
	}
	if n.Capped == nil {
		n.Capped = []string{}
	}
	uids := []string{uid}
	for _, p := range n.Persons {
		uids = append(uids, p.UID)
	}
	casegraph.TouchPersons(ctx, uids...)
	return n, nil
}
