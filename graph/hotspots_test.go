package graph_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// TestHotspotsPoliceUK loads the City of London Police's 2020 crimes and
// checks hotspots against counts computed from the files: per LSOA (the
// district of the mapping; a crime's last version wins) and per grid cell
// (each crime once in each cell it has a position in), then suppression
// for a supervisor and the scope of another force.
func TestHotspotsPoliceUK(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	files := loadPoliceUK(t, db)
	const cell = 0.002
	district := map[string]string{}       // crime → LSOA name of its last row
	cells := map[string]map[string]bool{} // crime → cells
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		h := rows[0]
		id, lsoa, lat, lon := slices.Index(h, "Crime ID"), slices.Index(h, "LSOA name"), slices.Index(h, "Latitude"), slices.Index(h, "Longitude")
		for _, r := range rows[1:] {
			if r[id] == "" {
				continue
			}
			district[r[id]] = r[lsoa]
			if r[lat] == "" || r[lon] == "" {
				continue
			}
			la, err1 := strconv.ParseFloat(r[lat], 64)
			lo, err2 := strconv.ParseFloat(r[lon], 64)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %q %q", f, r[lat], r[lon])
			}
			if cells[r[id]] == nil {
				cells[r[id]] = map[string]bool{}
			}
			cells[r[id]][fmt.Sprintf("%d,%d", int(math.Floor(la/cell)), int(math.Floor(lo/cell)))] = true
		}
	}
	wantDistricts, unplacedD := map[string]int{}, 0
	for _, d := range district {
		if d == "" {
			unplacedD++
			continue
		}
		wantDistricts[d]++
	}
	wantCells, unplacedG := map[string]int{}, 0
	for crime := range district {
		if len(cells[crime]) == 0 {
			unplacedG++
		}
		for c := range cells[crime] {
			wantCells[c]++
		}
	}

	base := newHandler(t, db, graph.Options{})
	legal := as(t, base, officer("UK-COLP", authz.RolePoliceLegal))
	const q = `query($level: HotspotLevel, $cell: Float) { hotspots(level: $level, cellDegrees: $cell) {
	  level cellDegrees unplaced truncated cells { district south west north east count suppressed } } }`
	type answer struct {
		Hotspots struct {
			Unplaced  *int
			Truncated bool
			Cells     []struct {
				District                 *string
				South, West, North, East *float64
				Count                    *int
				Suppressed               bool
			}
		}
	}
	run := func(c casegraph.Caller, vars map[string]any) answer {
		t.Helper()
		resp := post(t, as(t, base, c), q, vars)
		if len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", c.Subject, resp.Errors)
		}
		var a answer
		if err := json.Unmarshal(resp.Data, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	legalC := officer("UK-COLP", authz.RolePoliceLegal)

	d := run(legalC, map[string]any{"level": "DISTRICT"})
	gotDistricts := map[string]int{}
	for _, c := range d.Hotspots.Cells {
		gotDistricts[*c.District] = *c.Count
	}
	if fmt.Sprint(gotDistricts) != fmt.Sprint(wantDistricts) || d.Hotspots.Unplaced == nil || *d.Hotspots.Unplaced != unplacedD {
		t.Errorf("districts:\n got %v (unplaced %v)\nwant %v (unplaced %d)", gotDistricts, d.Hotspots.Unplaced, wantDistricts, unplacedD)
	}
	g := run(legalC, map[string]any{"level": "GRID", "cell": cell})
	gotCells := map[string]int{}
	for _, c := range g.Hotspots.Cells {
		row, col := int(math.Round(*c.South/cell)), int(math.Round(*c.West/cell))
		if math.Abs(*c.North-*c.South-cell) > 1e-9 || math.Abs(*c.East-*c.West-cell) > 1e-9 {
			t.Errorf("cell bounds %v %v %v %v", *c.South, *c.West, *c.North, *c.East)
		}
		gotCells[fmt.Sprintf("%d,%d", row, col)] = *c.Count
	}
	if fmt.Sprint(gotCells) != fmt.Sprint(wantCells) || g.Hotspots.Unplaced == nil || *g.Hotspots.Unplaced != unplacedG {
		t.Errorf("grid: %d cells (unplaced %v), want %d cells (unplaced %d)", len(gotCells), g.Hotspots.Unplaced, len(wantCells), unplacedG)
	}
	// The supervisor of the region: the same cells, counts of 1-4 withheld.
	sup := casegraph.Caller{Subject: "sup", Roles: []string{authz.RoleSupervisor}, Region: "City of London"}
	s := run(sup, map[string]any{"level": "DISTRICT"})
	small := 0
	for _, c := range s.Hotspots.Cells {
		want := wantDistricts[*c.District]
		switch {
		case want < 5 && (!c.Suppressed || c.Count != nil):
			t.Errorf("%s: %d cases shown to the supervisor", *c.District, want)
		case want >= 5 && (c.Suppressed || c.Count == nil || *c.Count != want):
			t.Errorf("%s: %v, want %d", *c.District, c.Count, want)
		}
		if want < 5 {
			small++
		}
	}
	if len(s.Hotspots.Cells) != len(wantDistricts) {
		t.Errorf("supervisor: %d districts, want %d", len(s.Hotspots.Cells), len(wantDistricts))
	}
	t.Logf("%d districts, %d of them under 5; %d grid cells", len(wantDistricts), small, len(wantCells))
	// Another force's officer sees nothing of these.
	if err := db.WriteGraph(context.Background(), neo4jdb.Graph{Agencies: []casegraph.Agency{
		{Code: "UK-MET", Name: "Metropolitan Police", Kind: casegraph.AgencyPolice, Region: "London"}}}); err != nil {
		t.Fatal(err)
	}
	o := run(officer("UK-MET", authz.RolePoliceLegal), map[string]any{"level": "GRID", "cell": cell})
	if len(o.Hotspots.Cells) != 0 || *o.Hotspots.Unplaced != 0 {
		t.Errorf("another force: %+v", o.Hotspots)
	}
	resp := post(t, legal, q, map[string]any{"level": "GRID", "cell": 0})
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != casegraph.EINVALID {
		t.Errorf("cellDegrees 0: %+v", resp.Errors)
	}
}
