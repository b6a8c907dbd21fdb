package ingest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
	"github.com/casegraph/casegraph/internal/synth"
)

func load(t *testing.T, db *neo4jdb.DB, name string, data []byte, opts ingest.Options) ingest.Report {
	t.Helper()
	rep, err := ingest.Run(context.Background(), db, ingest.NewNDJSONDecoder(bytes.NewReader(data), name), opts)
	if err != nil {
		t.Fatalf("ingest %s: %v", name, err)
	}
	return rep
}

func snapshot(t *testing.T, db *neo4jdb.DB) []string {
	t.Helper()
	s, err := db.Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// agenciesFirst reverses the records of an NDJSON file but keeps agency
// records first: agencies are reference data that must be known before
// anything refers to them; every other record may come in any order.
func agenciesFirst(data []byte) []byte {
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var agencies, rest []string
	for _, l := range lines {
		var env struct{ Type string }
		json.Unmarshal([]byte(l), &env)
		if env.Type == "agency" {
			agencies = append(agencies, l)
		} else {
			rest = append(rest, l)
		}
	}
	for i, j := 0, len(rest)-1; i < j; i, j = i+1, j-1 {
		rest[i], rest[j] = rest[j], rest[i]
	}
	return []byte(strings.Join(append(agencies, rest...), "\n") + "\n")
}

func TestIdempotentAndOrderIndependent(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	data, err := os.ReadFile("testdata/lineage.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	var touched []string
	rep := load(t, db, "lineage.ndjson", data, ingest.Options{BatchSize: 5,
		OnCommit: func(_ context.Context, uids []string) { touched = append(touched, uids...) }})
	if rep.Refused != 0 || rep.Written != 27 {
		t.Fatalf("first load: %+v", rep)
	}
	if !contains(touched, "c/T-FY/（2024）浙0203刑初1号") || !contains(touched, "c/T-GA/A3302032024010001") {
		t.Errorf("OnCommit did not see the touched cases: %v", touched)
	}
	inOrder := snapshot(t, db)

	// A second run changes nothing and reports no conflict.
	rep = load(t, db, "lineage.ndjson", data, ingest.Options{BatchSize: 7})
	if rep.Written != 27 || rep.Replaced != 0 || rep.Stale != 0 {
		t.Errorf("second load: %+v", rep)
	}
	if d := cmp.Diff(inOrder, snapshot(t, db)); d != "" {
		t.Errorf("second run changed the graph (-first +second):\n%s", d)
	}

	// Reverse order: the judgment, parties and handovers arrive before their
	// cases and persons, and create placeholders that those fill.
	neo4jtest.Clean(t, db)
	rep = load(t, db, "reversed.ndjson", agenciesFirst(data), ingest.Options{BatchSize: 4})
	if rep.Refused != 0 {
		t.Fatalf("reversed load refused: %+v", rep.Rejects)
	}
	if d := cmp.Diff(inOrder, snapshot(t, db)); d != "" {
		t.Errorf("reversed load differs (-in order +reversed):\n%s", d)
	}

	// What the model promises: one person across sources by identity number,
	// local persons with a candidate instead of a merge, court number in
	// canonical form, lineage edges.
	for _, want := range []string{
		"(Person:p/h/4328d5d5e4dfe07de8d400b3)-[DEFENDANT_IN {}]->(Case:c/T-FY/（2024）浙0203刑初1号)",
		"(Person:p/h/4328d5d5e4dfe07de8d400b3)-[SUSPECT_IN {}]->(Case:c/T-GA/A3302032024010001)",
		"(Person:p/h/4328d5d5e4dfe07de8d400b3)-[SUSPECT_IN {}]->(Case:c/T-JC/甬测检刑诉受〔2024〕1号)",
		"(Case:c/T-GA/A3302032024010001)-[TRANSFERRED_TO {at: 2024-03-01 01:00:00 +0000 UTC, handover: h/T-GA/YS2024-001, type: PROSECUTION}]->(Case:c/T-JC/甬测检刑诉受〔2024〕1号)",
	} {
		if !contains(inOrder, want) {
			t.Errorf("graph lacks %s", want)
		}
	}
	var sameAs []string
	for _, l := range inOrder {
		if strings.Contains(l, "POSSIBLY_SAME_AS") {
			sameAs = append(sameAs, l)
		}
	}
	if len(sameAs) != 1 || !strings.Contains(sameAs[0], "p/T-FY/court-trial/F-2") || !strings.Contains(sameAs[0], "p/T-GA/police-cms/P002") {
		t.Errorf("POSSIBLY_SAME_AS candidates: %v; want one between the two local 李四 born 1985-03-02", sameAs)
	}
	for _, l := range inOrder {
		if strings.Contains(l, "placeholder") {
			t.Errorf("a placeholder was never filled: %s", l)
		}
	}
}

func TestRefusedRecordsAndTheirNeighbours(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	good, _ := os.ReadFile("testdata/lineage.ndjson")
	bad := strings.Join([]string{
		`{"type":"case","source":{"agency":"T-GA","system":"s","recordId":"bad-1","at":"2024-01-01T00:00:00Z"},"caseNo":"X1","stage":"SOMEWHERE"}`,
		`{"type":"person","source":{"agency":"T-GA","system":"s","recordId":"bad-2","at":"2024-01-01T00:00:00Z"},"ref":"Q","idNumber":"33020319900101123X","name":"赵六"}`,
		`{"type":"judgment","source":{"agency":"T-FY","system":"s","recordId":"bad-3","at":"2024-07-01T00:00:00Z"},"judgmentId":"PJ9","case":{"caseNo":"(2024)浙0203刑初1号"},"person":{"ref":"F-1","idNumber":"330203199001011236"},"verdict":"GUILTY","decidedAt":"2023-01-01"}`,
		`{"type":"case","source":{"agency":"NOPE","system":"s","recordId":"bad-4","at":"2024-01-01T00:00:00Z"},"caseNo":"X2"}`,
		`{"type":"party","source":{"agency":"T-GA","system":"s","recordId":"bad-5","at":"2024-01-01T00:00:00Z"},"case":{"caseNo":"A3302032024010001"},"person":{"ref":"P001"},"role":"BYSTANDER"}`,
		`{"type":"case","source":{"agency":"T-FY","system":"s","recordId":"bad-6","at":"2024-01-01T00:00:00Z"},"caseNo":"2024-123"}`,
		`{not json`,
		`{"type":"case","source":{"agency":"T-GA","system":"s","recordId":"ok-1","at":"2024-01-01T00:00:00Z"},"caseNo":"A2","filedAt":"2024-02-30"}`,
		`{"type":"case","source":{"agency":"T-GA","system":"s","recordId":"ok-2","at":"2024-01-01T00:00:00Z"},"caseNo":"A3","title":"valid neighbour"}`,
	}, "\n")
	data := append(good, []byte(bad+"\n")...)
	var streamed []ingest.Reject
	counted := &recordCounter{refused: map[string]int{}}
	rep := load(t, db, "mixed.ndjson", data, ingest.Options{BatchSize: 10, Counter: counted,
		OnReject: func(r ingest.Reject) error { streamed = append(streamed, r); return nil }})
	want := []struct {
		line  int
		field string
		has   string
	}{
		{28, "stage", `"SOMEWHERE" is not a stage`},
		{29, "idNumber", "fails its check digit"},
		{30, "decidedAt", "2023-01-01 is before the case was filed (2024-04-10)"},
		{31, "source.agency", `unknown agency "NOPE"`},
		{32, "role", `"BYSTANDER" is not a role`},
		{33, "caseNo", ""},
		{34, "", "malformed JSON"},
		{35, "filedAt", `"2024-02-30" is not a date`},
	}
	if len(streamed) != len(want) {
		t.Fatalf("%d rejects, want %d: %+v", len(streamed), len(want), streamed)
	}
	byLine := map[int]ingest.Reject{}
	for _, r := range streamed {
		byLine[r.Line] = r
		if r.File != "mixed.ndjson" {
			t.Errorf("reject names file %q", r.File)
		}
	}
	for _, w := range want {
		r, ok := byLine[w.line]
		if !ok || r.Field != w.field || !strings.Contains(r.Reason, w.has) {
			t.Errorf("line %d: got %+v, want field %q reason containing %q", w.line, r, w.field, w.has)
		}
	}
	if rep.Written != 28 || rep.Refused != 8 || len(rep.Rejects) != 8 {
		t.Errorf("report: written %d refused %d kept %d; want 28, 8, 8", rep.Written, rep.Refused, len(rep.Rejects))
	}
	// The metrics count what the report says, refusals by reason.
	if counted.accepted != 28 {
		t.Errorf("counted %d accepted, want 28", counted.accepted)
	}
	if diff := cmp.Diff(map[string]int{ingest.RefusedDecode: 1, ingest.RefusedInvalid: 7}, counted.refused); diff != "" {
		t.Errorf("refusals counted (-want +got):\n%s", diff)
	}
	snap := snapshot(t, db)
	if !containsPrefix(snap, "Case {agencyCode: T-GA, caseNo: A3,") {
		t.Error("the valid neighbour of the refused records was not written")
	}
}

func TestNewestVersionWins(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	agency := `{"type":"agency","source":{"agency":"T-GA","system":"s","recordId":"a","at":"2024-01-01T00:00:00Z"},"code":"T-GA","name":"分局","kind":"POLICE"}` + "\n"
	older := `{"type":"case","source":{"agency":"T-GA","system":"s","recordId":"c1","at":"2024-01-01T00:00:00Z"},"caseNo":"A1","title":"old title"}` + "\n"
	newer := `{"type":"case","source":{"agency":"T-GA","system":"s","recordId":"c1","at":"2024-02-01T00:00:00Z"},"caseNo":"A1","title":"new title"}` + "\n"
	for _, order := range [][]string{{older, newer}, {newer, older}} {
		neo4jtest.Clean(t, db)
		load(t, db, "a.ndjson", []byte(agency), ingest.Options{})
		load(t, db, "1.ndjson", []byte(order[0]), ingest.Options{})
		rep := load(t, db, "2.ndjson", []byte(order[1]), ingest.Options{})
		if len(rep.Conflicts) != 1 || rep.Conflicts[0].RecordID != "c1" {
			t.Errorf("conflict not reported: %+v", rep)
		}
		if !containsSub(snapshot(t, db), "title: new title") {
			t.Errorf("the newer title did not win:\n%s", strings.Join(snapshot(t, db), "\n"))
		}
		if containsSub(snapshot(t, db), "title: old title") {
			t.Error("the older title survived")
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsPrefix(list []string, p string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, p) {
			return true
		}
	}
	return false
}

func containsSub(list []string, p string) bool {
	for _, x := range list {
		if strings.Contains(x, p) {
			return true
		}
	}
	return false
}

// TestGeneratedDataInBothOrders loads 300 generated lineages (with 3%
// invalid records) in order and reversed: the graphs are equal and the
// refused records are exactly the ones the generator broke.
func TestGeneratedDataInBothOrders(t *testing.T) {
	db := neo4jtest.Open(t)
	o := synth.Defaults()
	o.Cases, o.Seed, o.InvalidRate = 300, 5, 0.03
	var buf bytes.Buffer
	enc := ingest.NewEncoder(&buf)
	m, err := synth.Generate(o, enc)
	if err != nil {
		t.Fatal(err)
	}
	enc.Flush()
	invalid := 0
	for _, n := range m.Invalid {
		invalid += n
	}

	neo4jtest.Clean(t, db)
	rep := load(t, db, "gen.ndjson", buf.Bytes(), ingest.Options{BatchSize: 250})
	if rep.Refused != invalid {
		t.Errorf("in order: refused %d, the generator broke %d (%v)", rep.Refused, invalid, m.InvalidByReason)
	}
	inOrder := snapshot(t, db)

	neo4jtest.Clean(t, db)
	rep = load(t, db, "reversed.ndjson", agenciesFirst(buf.Bytes()), ingest.Options{BatchSize: 250})
	if rep.Refused != invalid {
		t.Errorf("reversed: refused %d, the generator broke %d", rep.Refused, invalid)
	}
	if d := cmp.Diff(inOrder, snapshot(t, db)); d != "" {
		t.Errorf("reversed load differs (-in order +reversed):\n%.3000s", d)
	}
}

// recordCounter is an ingest.RecordCounter for tests.
type recordCounter struct {
	accepted int
	refused  map[string]int
}

func (c *recordCounter) RecordsAccepted(n int)       { c.accepted += n }
func (c *recordCounter) RecordRefused(reason string) { c.refused[reason]++ }
