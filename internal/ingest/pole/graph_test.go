package pole

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"testing"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// distinctRels reads the relationship CSVs by themselves and counts the
// distinct (type, start, end) triples per graph relationship type, after
// the documented mapping of POLE types.
func distinctRels(t *testing.T, dir string) map[string]int {
	t.Helper()
	mapped := map[string]string{
		"KNOWS": "KNOWS", "KNOWS_LW": "KNOWS", "KNOWS_SN": "KNOWS", "KNOWS_PHONE": "KNOWS",
		"FAMILY_REL": "FAMILY", "HAS_PHONE": "USES", "HAS_EMAIL": "USES", "CURRENT_ADDRESS": "LIVES_AT",
		"PARTY_TO": "SUSPECT_IN", "INVESTIGATED_BY": "INVESTIGATED_BY", "OCCURRED_AT": "OCCURRED_AT", "INVOLVED_IN": "INVOLVES",
	}
	seen := map[[3]string]bool{}
	out := map[string]int{}
	paths, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		s, e, ty := -1, -1, -1
		for i, h := range rows[0] {
			switch h {
			case ":START_ID":
				s = i
			case ":END_ID":
				e = i
			case ":TYPE":
				ty = i
			}
		}
		if s < 0 || e < 0 || ty < 0 {
			continue
		}
		for _, r := range rows[1:] {
			m, ok := mapped[r[ty]]
			if !ok {
				continue
			}
			k := [3]string{m, r[s], r[e]}
			if !seen[k] {
				seen[k] = true
				out[m]++
			}
		}
	}
	return out
}

// TestGraphHoldsTheFiles loads the POLE CSVs into the real Neo4j and checks
// the graph against counts the test computes from the files.
func TestGraphHoldsTheFiles(t *testing.T) {
	dir := dataDir(t)
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	c := readCensus(t, dir)
	rels := distinctRels(t, dir)
	dec, err := NewDecoder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.(*Decoder).Close()
	rep, err := ingest.Run(context.Background(), db, dec, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Refused != 0 {
		t.Fatalf("%d records refused: %+v", rep.Refused, rep.Rejects)
	}
	got, err := db.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"persons and officers", got.Labels["Person"], c.labels["Person"] + c.labels["Officer"]},
		{"crimes as cases", got.Labels["Case"], c.labels["Crime"]},
		{"locations", got.Labels["Location"], c.labels["Location"]},
		{"phones, emails, vehicles and objects", got.Labels["Object"], c.labels["Phone"] + c.labels["Email"] + c.labels["Vehicle"] + c.labels["Object"]},
		{"the police agency", got.AgencyKinds["POLICE"], 1},
	}
	for _, rel := range []string{"KNOWS", "FAMILY", "USES", "LIVES_AT", "SUSPECT_IN", "INVESTIGATED_BY", "OCCURRED_AT", "INVOLVES"} {
		checks = append(checks, struct {
			what      string
			got, want int
		}{rel, got.Rels[rel], rels[rel]})
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: graph has %d, the files say %d", ch.what, ch.got, ch.want)
		}
	}
}
