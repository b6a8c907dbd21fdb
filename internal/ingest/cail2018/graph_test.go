package cail2018

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// TestGraphHoldsTheFile loads facts.jsonl into the real Neo4j and checks
// that the graph holds exactly what the file contains, with the expected
// numbers computed from the file by the test's own reading; a second load
// changes nothing.
func TestGraphHoldsTheFile(t *testing.T) {
	path := filepath.Join(dataDir(t), "cail2018", "facts.jsonl")
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	e := readExpected(t, path)
	load := func() ingest.Report {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		rep, err := ingest.Run(context.Background(), db, NewDecoder(f, "facts.jsonl"), ingest.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	rep := load()
	if rep.Refused != 0 {
		t.Fatalf("%d records refused: %+v", rep.Refused, rep.Rejects)
	}
	c, err := db.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	public := e.valid - e.private
	offenses := map[string]bool{}
	for _, o := range e.offenseNames {
		offenses[o] = true
	}
	checks := []struct {
		what      string
		got, want int
	}{
		{"court + prosecution cases", c.Labels["Case"], e.valid + public},
		{"defendants (persons)", c.Labels["Person"], e.criminals},
		{"judgments", c.Labels["Judgment"], e.criminals},
		{"DEFENDANT_IN", c.Rels["DEFENDANT_IN"], e.criminals},
		{"charges", c.Labels["Charge"], e.charges},
		{"offenses", c.Labels["Offense"], len(offenses)},
		{"handovers (INDICTMENT)", c.Labels["Handover"], public},
		{"TRANSFERRED_TO", c.Rels["TRANSFERRED_TO"], public},
		{"procuratorates", c.AgencyKinds["PROCURATORATE"], len(e.procuratorates) + min(e.unnamed, 1)},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s: graph has %d, the file says %d", ch.what, ch.got, ch.want)
		}
	}
	before, _ := db.Snapshot(context.Background())
	if rep := load(); rep.Replaced+rep.Stale != 0 {
		t.Errorf("second load reported conflicts: %+v", rep.Conflicts)
	}
	after, _ := db.Snapshot(context.Background())
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("second load changed the graph (-first +second):\n%.2000s", d)
	}
}
