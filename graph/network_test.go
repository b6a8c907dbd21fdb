package graph_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/ingest/pole"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// poleLinks reads the person-to-person KNOWS* and FAMILY_REL rows of the
// POLE CSVs as an undirected neighbourhood per person id.
func poleLinks(t *testing.T, dir string) map[string]map[string]bool {
	t.Helper()
	persons := map[string]bool{}
	f, err := os.Open(filepath.Join(dir, "crime-investigation.nodes.Person.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows[1:] {
		persons[r[0]] = true
	}
	out := map[string]map[string]bool{}
	add := func(a, b string) {
		if out[a] == nil {
			out[a] = map[string]bool{}
		}
		out[a][b] = true
	}
	for _, name := range []string{"KNOWS", "KNOWS_LW", "KNOWS_SN", "KNOWS_PHONE", "FAMILY_REL"} {
		f, err := os.Open(filepath.Join(dir, "crime-investigation.relationships."+name+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows[1:] {
			if persons[r[0]] && persons[r[1]] && r[0] != r[1] {
				add(r[0], r[1])
				add(r[1], r[0])
			}
		}
	}
	return out
}

// TestPersonNetworkPOLE loads the POLE data set and checks that a person's
// KNOWS and FAMILY links in personNetwork are exactly their KNOWS* and
// FAMILY_REL neighbourhood in the CSVs; then the caps, the depth limit and
// the scope.
func TestPersonNetworkPOLE(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "data", "neo4j-pole", "csv")
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("shared data missing: %v", err)
	}
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	dec, err := pole.NewDecoder(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer dec.(*pole.Decoder).Close()
	if _, err := ingest.Run(context.Background(), db, dec, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	other := `{"type": "agency", "source": {"agency": "X-GA", "system": "t", "recordId": "1", "at": "2024-01-01T00:00:00+08:00"}, "code": "X-GA", "name": "另一分局", "kind": "POLICE", "region": "330203"}` + "\n"
	if rep, err := ingest.Run(context.Background(), db, ingest.NewNDJSONDecoder(strings.NewReader(other), "t"), ingest.Options{}); err != nil || rep.Refused > 0 {
		t.Fatalf("agency: %v %+v", err, rep)
	}
	links := poleLinks(t, dir)
	// The person with the most such links (the smallest id among equals).
	var center string
	for id, ns := range links {
		if center == "" || len(ns) > len(links[center]) || len(ns) == len(links[center]) && id < center {
			center = id
		}
	}
	uid := func(id string) string {
		return ingest.PersonUID("", ingest.Source{Agency: pole.AgencyCode, System: pole.System}, id)
	}
	var want []string
	for id := range links[center] {
		want = append(want, uid(id))
	}
	sort.Strings(want)

	h := newHandler(t, db, graph.Options{})
	admin := as(t, h, admin)
	const q = `query($id: ID!, $d: Int, $pp: Int, $l: Int) { personNetwork(id: $id, depth: $d, perPerson: $pp, limit: $l) {
	  center { id } nodes { person { id } depth } links { from to kind via } capped } }`
	type answer struct {
		PersonNetwork *struct {
			Center struct{ ID string }
			Nodes  []struct {
				Person struct{ ID string }
				Depth  int
			}
			Links []struct {
				From, To, Kind string
				Via            *string
			}
			Capped []string
		}
	}
	ask := func(vars map[string]any) answer {
		t.Helper()
		resp := post(t, admin, q, vars)
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		var a answer
		json.Unmarshal(resp.Data, &a)
		return a
	}
	a := ask(map[string]any{"id": uid(center), "d": 1, "pp": 500, "l": 500})
	if a.PersonNetwork == nil || a.PersonNetwork.Center.ID != uid(center) {
		t.Fatalf("no network for %s", uid(center))
	}
	got := map[string]bool{}
	for _, l := range a.PersonNetwork.Links {
		if l.Kind != "KNOWS" && l.Kind != "FAMILY" {
			continue
		}
		if l.From != uid(center) && l.To != uid(center) {
			t.Errorf("a depth-1 link not at the center: %+v", l)
		}
		other := l.To
		if other == uid(center) {
			other = l.From
		}
		got[other] = true
	}
	var gotList []string
	for id := range got {
		gotList = append(gotList, id)
	}
	sort.Strings(gotList)
	if strings.Join(gotList, ",") != strings.Join(want, ",") {
		t.Errorf("KNOWS/FAMILY neighbours of %s:\n got %v\nwant %v", center, gotList, want)
	}
	if len(a.PersonNetwork.Capped) != 0 {
		t.Errorf("capped %v with generous caps", a.PersonNetwork.Capped)
	}
	// Depth 2 reaches the neighbours' neighbours, at depth 2.
	two := ask(map[string]any{"id": uid(center), "d": 2, "pp": 500, "l": 500})
	depth2 := 0
	for _, n := range two.PersonNetwork.Nodes {
		if n.Depth == 2 {
			depth2++
		}
	}
	if depth2 == 0 || len(two.PersonNetwork.Nodes) <= len(a.PersonNetwork.Nodes) {
		t.Errorf("depth 2: %d nodes, %d at depth 2; depth 1 had %d", len(two.PersonNetwork.Nodes), depth2, len(a.PersonNetwork.Nodes))
	}
	// The caps: one link per person, and at most 3 persons.
	capped := ask(map[string]any{"id": uid(center), "d": 2, "pp": 1, "l": 3})
	if c := strings.Join(capped.PersonNetwork.Capped, ","); c != "PER_PERSON" && c != "PER_PERSON,LIMIT" || len(capped.PersonNetwork.Nodes) > 3 {
		t.Errorf("caps: %v, %d nodes", capped.PersonNetwork.Capped, len(capped.PersonNetwork.Nodes))
	}
	// Bad input.
	for _, vars := range []map[string]any{{"id": uid(center), "d": 4}, {"id": uid(center), "l": 0}, {"id": uid(center), "pp": 100000}} {
		resp := post(t, admin, q, vars)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != casegraph.EINVALID {
			t.Errorf("%v: %+v", vars, resp.Errors)
		}
	}
	// Scope: a police officer of another agency sees no such person, and a
	// supervisor may not expand networks at all.
	officerX := as(t, h, officer("X-GA", authz.RolePoliceInvestigator))
	if resp := post(t, officerX, q, map[string]any{"id": uid(center)}); len(resp.Errors) > 0 || string(resp.Data) != `{"personNetwork":null}` {
		t.Errorf("another agency's officer: %s %+v", resp.Data, resp.Errors)
	}
	sup := as(t, h, casegraph.Caller{Subject: "sup", Roles: []string{authz.RoleSupervisor}, Region: "33"})
	if resp := post(t, sup, q, map[string]any{"id": uid(center)}); len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != casegraph.EFORBIDDEN {
		t.Errorf("supervisor: %+v", resp.Errors)
	}
}
