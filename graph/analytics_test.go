package graph_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/ingest/csvmap"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
	"github.com/casegraph/casegraph/internal/workflow"
)

const (
	policeUKMapping = "../mappings/policeuk-street.yaml"
	policeUKData    = "../../shared/data/policeuk-city-of-london-2020"
)

type trendAnswer struct {
	CrimeTrend struct {
		From, To string
		Periods  []struct {
			Start, End string
			Groups     []struct {
				Key              *string
				Count            *int
				Suppressed       bool
				PreviousCount    *int
				ChangeVsPrevious *int
				YearAgoCount     *int
			}
		}
	}
}

const trendQuery = `query($filter: TrendFilter, $interval: Interval, $groupBy: TrendGroup) {
  crimeTrend(filter: $filter, interval: $interval, groupBy: $groupBy) {
    from to
    periods { start end groups { key count suppressed previousCount changeVsPrevious yearAgoCount } }
  }
}`

func trend(t *testing.T, h http.Handler, vars map[string]any) trendAnswer {
	t.Helper()
	resp := post(t, h, trendQuery, vars)
	if len(resp.Errors) > 0 {
		t.Fatalf("crimeTrend %v: %+v", vars, resp.Errors)
	}
	var a trendAnswer
	if err := json.Unmarshal(resp.Data, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// expectedPoliceUKMonths counts, per month of each police.uk street file,
// the crimes the mapping makes cases of: rows with a Crime ID, counted once
// per Crime ID. Rows without one are anti-social behaviour, which the
// mapping skips; a Crime ID that repeats in a file (the data holds 105, with
// different outcomes) is one case, whose later row wins. No Crime ID
// repeats across months in these files (the test checks), so no case moves
// to a later month. Rows the ingest refuses would not be cases either; the
// test requires that there are none rather than subtracting them.
func expectedPoliceUKMonths(t *testing.T, files []string) map[string]int {
	t.Helper()
	want := map[string]int{}
	monthOf := map[string]string{}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(fh).ReadAll()
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		id, month := slices.Index(rows[0], "Crime ID"), slices.Index(rows[0], "Month")
		if id < 0 || month < 0 {
			t.Fatalf("%s: header %q", f, rows[0])
		}
		for _, r := range rows[1:] {
			if r[id] == "" {
				continue
			}
			if m, ok := monthOf[r[id]]; ok {
				if m != r[month] {
					t.Fatalf("crime %s is in months %s and %s: the expected counts must move it to the later one", r[id], m, r[month])
				}
				continue
			}
			monthOf[r[id]] = r[month]
			want[r[month]+"-01"]++
		}
	}
	return want
}

// TestCrimeTrendPoliceUK ingests every monthly street file of the City of
// London Police for 2020 through its mapping and checks the monthly trend
// against the counts computed from the files; then the same through the
// eyes of a supervisor (small cells suppressed) and of another agency
// (scope inside the query: zeros).
func TestCrimeTrendPoliceUK(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	ctx := context.Background()
	files := loadPoliceUK(t, db)
	want := expectedPoliceUKMonths(t, files)
	// An agency of another force, whose officers must see none of these.
	if err := db.WriteGraph(ctx, neo4jdb.Graph{Agencies: []casegraph.Agency{
		{Code: "UK-MET", Name: "Metropolitan Police", Kind: casegraph.AgencyPolice, Region: "London"}}}); err != nil {
		t.Fatal(err)
	}

	base := newHandler(t, db, graph.Options{})
	legal := as(t, base, officer("UK-COLP", authz.RolePoliceLegal))
	year := map[string]any{"from": "2020-01-01", "to": "2020-12-31"}

	// Monthly, with and without the range: without one, the 12 months up to
	// the latest filed date visible, which are the same.
	for _, vars := range []map[string]any{{"filter": year, "interval": "MONTH"}, {}} {
		got := trend(t, legal, vars).CrimeTrend
		if got.From != "2020-01-01" || got.To != "2020-12-31" || len(got.Periods) != 12 {
			t.Fatalf("%v: %s to %s, %d periods", vars, got.From, got.To, len(got.Periods))
		}
		prev := 0
		for _, p := range got.Periods {
			if len(p.Groups) != 1 || p.Groups[0].Count == nil || p.Groups[0].Key != nil {
				t.Fatalf("%s: groups %+v", p.Start, p.Groups)
			}
			g := p.Groups[0]
			if *g.Count != want[p.Start] {
				t.Errorf("%s: %d cases, the file has %d crimes", p.Start, *g.Count, want[p.Start])
			}
			// December 2019 and 2019 as a whole hold no case.
			if g.PreviousCount == nil || *g.PreviousCount != prev || *g.ChangeVsPrevious != *g.Count-prev || *g.YearAgoCount != 0 {
				t.Errorf("%s: previous %v change %v yearAgo %v", p.Start, g.PreviousCount, g.ChangeVsPrevious, g.YearAgoCount)
			}
			prev = *g.Count
		}
	}
	if want["2020-01-01"] != 700 || want["2020-05-01"] != 169 {
		t.Errorf("the files changed: January %d, May %d crimes", want["2020-01-01"], want["2020-05-01"])
	}

	// A supervisor of the same force: the same cells, those from 1 to 4
	// withheld.
	super := as(t, base, officer("UK-COLP", authz.RoleSupervisor))
	byStage := map[string]any{"filter": year, "interval": "QUARTER", "groupBy": "DISTRICT"}
	full, masked := trend(t, legal, byStage).CrimeTrend, trend(t, super, byStage).CrimeTrend
	suppressed := 0
	for i, p := range full.Periods {
		for j, g := range p.Groups {
			s := masked.Periods[i].Groups[j]
			if *g.Key != *s.Key {
				t.Fatalf("%s: group %d is %s for the supervisor, %s for the legal officer", p.Start, j, *s.Key, *g.Key)
			}
			small := *g.Count > 0 && *g.Count < 5
			if s.Suppressed != small || (small && s.Count != nil) || (!small && *s.Count != *g.Count) {
				t.Errorf("%s %s: %d for the legal officer, %v (suppressed %v) for the supervisor", p.Start, *g.Key, *g.Count, s.Count, s.Suppressed)
			}
			if small {
				suppressed++
				if s.ChangeVsPrevious != nil {
					t.Errorf("%s %s: a change %d next to a suppressed count", p.Start, *g.Key, *s.ChangeVsPrevious)
				}
			}
		}
	}
	if suppressed == 0 {
		t.Error("no cell was small enough to be suppressed; the test proves nothing")
	}

	// An officer of another force: the same months, all zeros.
	other := as(t, base, officer("UK-MET", authz.RolePoliceLegal))
	got := trend(t, other, map[string]any{"filter": year}).CrimeTrend
	if len(got.Periods) != 12 {
		t.Fatalf("other force: %d periods", len(got.Periods))
	}
	for _, p := range got.Periods {
		if len(p.Groups) != 1 || *p.Groups[0].Count != 0 {
			t.Errorf("other force, %s: %+v", p.Start, p.Groups)
		}
	}
	// Grouped, it has no group at all.
	if got := trend(t, other, byStage).CrimeTrend; len(got.Periods[0].Groups) != 0 {
		t.Errorf("other force by district: %d groups", len(got.Periods[0].Groups))
	}

	// From after the latest case, without to: that month alone, a zero.
	if got := trend(t, legal, map[string]any{"filter": map[string]any{"from": "2021-03-05"}}).CrimeTrend; len(got.Periods) != 1 ||
		got.From != "2021-03-01" || *got.Periods[0].Groups[0].Count != 0 {
		t.Errorf("from 2021-03-05: %+v", got)
	}

	// Too many periods, and a role without stats/read.
	resp := post(t, legal, trendQuery, map[string]any{"filter": map[string]any{"from": "1990-01-01", "to": "2020-12-31"}, "interval": "DAY"})
	if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != casegraph.EINVALID {
		t.Errorf("11,000 days: %+v", resp.Errors)
	}
	resp = post(t, as(t, base, officer("UK-COLP", authz.RolePoliceInvestigator)), trendQuery, nil)
	if len(resp.Errors) == 0 || resp.Errors[0].Extensions["code"] != casegraph.EFORBIDDEN {
		t.Errorf("investigator: %+v", resp.Errors)
	}
}

// TestCrimeTrendGroupsAndFilters checks the groupings and filters on a few
// cases: a case charged with two offenses counts in both CHARGE groups (and
// once in each, however many persons are charged), cases without a charge
// form the null group, and ISO weeks start on Monday.
func TestCrimeTrendGroupsAndFilters(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	src := func(a, id string) map[string]any {
		return map[string]any{"agency": a, "system": "t", "recordId": id, "at": "2024-03-01T00:00:00+08:00"}
	}
	kase := func(a, no, filed, district string) map[string]any {
		return map[string]any{"type": "case", "source": src(a, "c"+no), "caseNo": no, "title": "案" + no, "filedAt": filed, "district": district}
	}
	charge := func(no, person, offense string) map[string]any {
		return map[string]any{"type": "charge", "source": src("TA", "k"+no+person+offense), "case": map[string]any{"caseNo": no},
			"person": map[string]any{"ref": person}, "offense": offense}
	}
	var buf bytes.Buffer
	for _, r := range []map[string]any{
		{"type": "agency", "source": src("TA", "a"), "code": "TA", "name": "甲公安分局", "kind": "POLICE"},
		{"type": "agency", "source": src("TB", "b"), "code": "TB", "name": "乙公安分局", "kind": "POLICE"},
		{"type": "person", "source": src("TA", "p1"), "ref": "p1", "name": "张三"},
		{"type": "person", "source": src("TA", "p2"), "ref": "p2", "name": "李四"},
		kase("TA", "A1", "2024-01-05", "D1"), // a Friday
		kase("TA", "A2", "2024-02-10", "D2"),
		kase("TA", "A0", "2023-01-15", "D1"),
		kase("TB", "B1", "2024-01-20", "D1"), // a Saturday, no charge
		charge("A1", "p1", "盗窃罪"),
		charge("A1", "p2", "盗窃罪"),
		charge("A1", "p2", "抢劫罪"),
		charge("A2", "p1", "盗窃罪"),
		charge("A0", "p1", "盗窃罪"),
	} {
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
	}
	wf := workflow.New(db, nil, workflow.Options{})
	var syncErr error
	if rep, err := ingest.Run(context.Background(), db, ingest.NewNDJSONDecoder(&buf, "t"), ingest.Options{
		OnCommit: func(ctx context.Context, uids []string) { syncErr = wf.Sync(ctx, uids) }}); err != nil || rep.Refused > 0 || syncErr != nil {
		t.Fatalf("load: %v %v %+v", err, syncErr, rep)
	}
	h := as(t, newHandler(t, db, graph.Options{}), admin)

	type cell struct {
		Key     string
		Count   int
		YearAgo int
	}
	// cells flattens an answer to period start → cells.
	cells := func(vars map[string]any) map[string][]cell {
		out := map[string][]cell{}
		for _, p := range trend(t, h, vars).CrimeTrend.Periods {
			out[p.Start] = []cell{}
			for _, g := range p.Groups {
				c := cell{Key: "<nil>", Count: *g.Count, YearAgo: *g.YearAgoCount}
				if g.Key != nil {
					c.Key = *g.Key
				}
				out[p.Start] = append(out[p.Start], c)
			}
		}
		return out
	}
	jan := map[string]any{"from": "2024-01-01", "to": "2024-02-29"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{"from": "2024-01-01", "to": "2024-02-29"}
		m[k] = v
		return m
	}
	for _, c := range []struct {
		name string
		vars map[string]any
		want map[string][]cell
	}{
		{"by charge", map[string]any{"filter": jan, "groupBy": "CHARGE"}, map[string][]cell{
			"2024-01-01": {{"盗窃罪", 1, 1}, {"抢劫罪", 1, 0}, {"<nil>", 1, 0}},
			"2024-02-01": {{"盗窃罪", 1, 0}, {"抢劫罪", 0, 0}, {"<nil>", 0, 0}},
		}},
		{"one charge", map[string]any{"filter": with("charges", []string{"抢劫罪"}), "groupBy": "CHARGE"}, map[string][]cell{
			"2024-01-01": {{"抢劫罪", 1, 0}},
			"2024-02-01": {{"抢劫罪", 0, 0}},
		}},
		{"by agency", map[string]any{"filter": jan, "groupBy": "AGENCY"}, map[string][]cell{
			"2024-01-01": {{"TA", 1, 1}, {"TB", 1, 0}},
			"2024-02-01": {{"TA", 1, 0}, {"TB", 0, 0}},
		}},
		{"one agency", map[string]any{"filter": with("agencies", []string{"TB"})}, map[string][]cell{
			"2024-01-01": {{"<nil>", 1, 0}},
			"2024-02-01": {{"<nil>", 0, 0}},
		}},
		{"one district", map[string]any{"filter": with("districts", []string{"D2"}), "groupBy": "DISTRICT"}, map[string][]cell{
			"2024-01-01": {{"D2", 0, 0}},
			"2024-02-01": {{"D2", 1, 0}},
		}},
		{"weeks", map[string]any{"filter": map[string]any{"from": "2024-01-03", "to": "2024-01-16"}, "interval": "WEEK"}, map[string][]cell{
			"2024-01-01": {{"<nil>", 1, 0}},
			// 52 weeks before the week of 8 January 2024 is the week of
			// 9 January 2023, with A0 on its Sunday.
			"2024-01-08": {{"<nil>", 0, 1}},
			"2024-01-15": {{"<nil>", 1, 0}},
		}},
		{"years", map[string]any{"filter": map[string]any{"from": "2023-06-01", "to": "2024-06-01"}, "interval": "YEAR"}, map[string][]cell{
			"2023-01-01": {{"<nil>", 1, 0}},
			"2024-01-01": {{"<nil>", 3, 1}},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d := cmp.Diff(c.want, cells(c.vars)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// loadPoliceUK ingests every monthly street file of the City of London
// Police for 2020 through its mapping, with the procedure sync (scope
// tokens), and returns the files in month order.
func loadPoliceUK(t *testing.T, db *neo4jdb.DB) []string {
	t.Helper()
	ctx := context.Background()
	files, err := filepath.Glob(filepath.Join(policeUKData, "*-street.csv"))
	if err != nil || len(files) != 12 {
		t.Fatalf("police.uk data: %d files in %s (%v); the test needs the shared data beside the checkout", len(files), policeUKData, err)
	}
	m, err := csvmap.Load(policeUKMapping)
	if err != nil {
		t.Fatal(err)
	}
	wf := workflow.New(db, nil, workflow.Options{})
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		dec, err := m.NewDecoder(fh, filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		var syncErr error
		rep, err := ingest.Run(ctx, db, dec, ingest.Options{OnCommit: func(ctx context.Context, uids []string) {
			if err := wf.Sync(ctx, uids); err != nil && syncErr == nil {
				syncErr = err
			}
		}})
		fh.Close()
		if err != nil || syncErr != nil || rep.Refused > 0 {
			t.Fatalf("%s: %v %v refused %d %+v", f, err, syncErr, rep.Refused, rep.Rejects)
		}
	}
	return files
}
