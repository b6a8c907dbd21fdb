package neo4jdb

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

const (
	querySnapshotNodes = `
MATCH (n) WHERE NOT n:Migration
RETURN labels(n) AS labels, properties(n) AS props`
	querySnapshotRels = `
MATCH (a)-[r]->(b) WHERE NOT a:Migration AND NOT b:Migration
RETURN labels(a)[0] + ':' + coalesce(a.uid, a.code) AS a, type(r) AS type, properties(r) AS props,
       labels(b)[0] + ':' + coalesce(b.uid, b.code) AS b`
	queryWipe = `MATCH (n) WHERE NOT n:Migration CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS`
)

// volatile properties change with every write and are left out of
// snapshots: they say when, not what.
var volatile = map[string]bool{"updatedAt": true, "appliedAt": true}

// Snapshot returns the whole graph (but the migration records) as sorted
// lines, one per node and relationship, without write timestamps: two
// snapshots are equal when the graphs hold the same data. Tests use it to
// compare loads; it reads everything, so it is for test-sized graphs.
func (db *DB) Snapshot(ctx context.Context) ([]string, error) {
	var out []string
	nodes, err := db.read(ctx, querySnapshotNodes, nil)
	if err != nil {
		return nil, fmt.Errorf("Snapshot: %w", err)
	}
	for _, r := range nodes {
		labels := r.Values[0].([]any)
		ls := make([]string, len(labels))
		for i, l := range labels {
			ls[i] = l.(string)
		}
		sort.Strings(ls)
		out = append(out, strings.Join(ls, ":")+" "+propString(r.Values[1].(map[string]any)))
	}
	rels, err := db.read(ctx, querySnapshotRels, nil)
	if err != nil {
		return nil, fmt.Errorf("Snapshot: %w", err)
	}
	for _, r := range rels {
		out = append(out, fmt.Sprintf("(%v)-[%v %s]->(%v)", r.Values[0], r.Values[1], propString(r.Values[2].(map[string]any)), r.Values[3]))
	}
	sort.Strings(out)
	return out, nil
}

func propString(p map[string]any) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		if !volatile[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s: %v", k, p[k])
	}
	b.WriteString("}")
	return b.String()
}

// Wipe deletes every node but the migration records. Only tests call it,
// and only on the test database (see neo4jtest.Clean).
func (db *DB) Wipe(ctx context.Context) error {
	sess := db.driver.NewSession(ctx, neo4jSessionConfig(db.database))
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, queryWipe, nil) // CALL … IN TRANSACTIONS needs an implicit transaction
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		return fmt.Errorf("Wipe: %w", translate(err))
	}
	return nil
}

// Counts are how many nodes of each label and relationships of each type
// the graph holds (migration records aside), and agencies by kind.
type Counts struct {
	Labels      map[string]int
	Rels        map[string]int
	AgencyKinds map[string]int
}

const (
	queryCountLabels   = `MATCH (n) WHERE NOT n:Migration UNWIND labels(n) AS l RETURN l, count(*)`
	queryCountRels     = `MATCH ()-[r]->() RETURN type(r), count(*)`
	queryCountAgencies = `MATCH (a:Agency) RETURN a.kind, count(*)`
)

// Count counts the graph; adapter tests compare it with their files.
func (db *DB) Count(ctx context.Context) (Counts, error) {
	c := Counts{Labels: map[string]int{}, Rels: map[string]int{}, AgencyKinds: map[string]int{}}
	for q, m := range map[string]map[string]int{queryCountLabels: c.Labels, queryCountRels: c.Rels, queryCountAgencies: c.AgencyKinds} {
		recs, err := db.read(ctx, q, nil)
		if err != nil {
			return c, fmt.Errorf("Count: %w", err)
		}
		for _, r := range recs {
			k, _ := r.Values[0].(string)
			m[k] = int(r.Values[1].(int64))
		}
	}
	return c, nil
}
