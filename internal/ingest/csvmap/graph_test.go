package csvmap

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// TestPoliceUKGraph loads the 12 police.uk files through the mapping into
// the real Neo4j and compares the graph with counts the test computes from
// the CSVs: one case per distinct Crime ID, one location per distinct snap
// point, one OCCURRED_AT per distinct (crime, snap point); a second load
// changes nothing.
func TestPoliceUKGraph(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(policeData, "*-city-of-london-street.csv"))
	if len(files) != 12 {
		if testing.Short() {
			t.Skip("-short: police.uk data missing")
		}
		t.Fatalf("%s has %d of the 12 police.uk files", policeData, len(files))
	}
	sort.Strings(files)
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)

	crimes, points, pairs := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		idx := map[string]int{}
		for i, h := range rows[0] {
			idx[h] = i
		}
		for _, r := range rows[1:] {
			id := strings.TrimSpace(r[idx["Crime ID"]])
			if id == "" {
				continue
			}
			crimes[id] = true
			if r[idx["Latitude"]] != "" && r[idx["Longitude"]] != "" {
				p := r[idx["Latitude"]] + "," + r[idx["Longitude"]]
				points[p] = true
				pairs[id+"@"+p] = true
			}
		}
	}

	m := loadPolice(t)
	load := func() ingest.Report {
		var rep ingest.Report
		for _, path := range files {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			dec, err := m.NewDecoder(f, filepath.Base(path))
			if err != nil {
				t.Fatal(err)
			}
			r, err := ingest.Run(context.Background(), db, dec, ingest.Options{})
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			rep.Refused += r.Refused
			rep.Written += r.Written
		}
		return rep
	}
	if rep := load(); rep.Refused != 0 {
		t.Fatalf("%d records refused", rep.Refused)
	}
	c, err := db.Count(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, ch := range []struct {
		what      string
		got, want int
	}{
		{"cases (distinct Crime IDs)", c.Labels["Case"], len(crimes)},
		{"locations (distinct snap points)", c.Labels["Location"], len(points)},
		{"OCCURRED_AT (distinct crime, point)", c.Rels["OCCURRED_AT"], len(pairs)},
		{"HANDLED_BY", c.Rels["HANDLED_BY"], len(crimes)},
		{"agencies", c.AgencyKinds["POLICE"], 1},
	} {
		if ch.got != ch.want {
			t.Errorf("%s: graph has %d, the files say %d", ch.what, ch.got, ch.want)
		}
	}
	before, _ := db.Snapshot(context.Background())
	load()
	after, _ := db.Snapshot(context.Background())
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("second load changed the graph:\n%.2000s", d)
	}
}
