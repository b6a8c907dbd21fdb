package neo4jdb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

func day(s string) *time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return &t
}

func ptr[T any](v T) *T { return &v }

func TestMigrationsTwiceChangeNothing(t *testing.T) {
	db := neo4jtest.Open(t) // migrates once
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	before, err := db.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	all, err := neo4jdb.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != len(all) {
		t.Fatalf("after migrating, %d migrations recorded, want %d", len(before), len(all))
	}
	schemaBefore, err := db.SchemaNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) != 0 {
		t.Errorf("second Migrate applied %d migrations, want 0", len(applied))
	}
	after, err := db.AppliedMigrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("migration records changed (-before +after):\n%s", d)
	}
	schemaAfter, err := db.SchemaNames(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(schemaBefore, schemaAfter); d != "" {
		t.Errorf("schema changed (-before +after):\n%s", d)
	}
	for _, want := range []string{"case_uid", "case_number", "person_id_number", "agency_code", "case_filed_at"} {
		found := false
		for _, n := range schemaAfter {
			if n == want {
				found = true
			}
		}
		if !found {
			t.Errorf("schema lacks %s; have %v", want, schemaAfter)
		}
	}
	ok, missing, err := db.SchemaCurrent(ctx)
	if err != nil || !ok {
		t.Errorf("SchemaCurrent = %v, %q, %v; want true", ok, missing, err)
	}
}

// fixture is three agencies, a police → procuratorate → court lineage and a
// second police case, with parties and charges.
func fixture(p string) neo4jdb.Graph {
	police, proc, court := p+"P", p+"J", p+"C"
	return neo4jdb.Graph{
		Agencies: []casegraph.Agency{
			{Code: police, Name: "测试公安分局", Kind: casegraph.AgencyPolice, Region: "330203"},
			{Code: proc, Name: "测试区人民检察院", Kind: casegraph.AgencyProcuratorate, Region: "330203"},
			{Code: court, Name: "测试区人民法院", Kind: casegraph.AgencyCourt, Region: "330203"},
		},
		Offenses: []casegraph.Offense{
			{Code: p + "THEFT", Name: "盗窃罪", Article: "264"},
			{Code: p + "FRAUD", Name: "诈骗罪", Article: "266"},
		},
		Cases: []casegraph.Case{
			{UID: p + "c1", AgencyCode: police, CaseNo: "A1", Kind: casegraph.CasePolice, Title: "盗窃案", Stage: casegraph.StageProsecutionReview, FiledAt: day("2024-01-05"), District: "海曙区"},
			{UID: p + "c2", AgencyCode: proc, CaseNo: "J1", Kind: casegraph.CaseProsecution, Title: "盗窃案", Stage: casegraph.StageIndicted, FiledAt: day("2024-03-01"), District: "海曙区"},
			{UID: p + "c3", AgencyCode: court, CaseNo: "(2024)浙0203刑初1号", Kind: casegraph.CaseCourt, Title: "盗窃案", Stage: casegraph.StageFirstInstance, FiledAt: day("2024-04-10"), District: "海曙区"},
			{UID: p + "c4", AgencyCode: police, CaseNo: "A2", Kind: casegraph.CasePolice, Title: "诈骗案", Stage: casegraph.StageInvestigating, FiledAt: day("2024-02-20"), District: "江北区", Sealed: true},
			{UID: p + "c5", AgencyCode: police, CaseNo: "A3", Kind: casegraph.CasePolice, Title: "未立案", Stage: casegraph.StageReceived, District: "江北区"},
		},
		Persons: []casegraph.Person{
			{UID: p + "p1", Name: "张三", Gender: "M", BirthDate: day("1990-01-01")},
			{UID: p + "p2", Name: "李四", Gender: "F"},
		},
		Parties: []neo4jdb.PartyRef{
			{CaseUID: p + "c1", PersonUID: p + "p1", Role: casegraph.RoleSuspect},
			{CaseUID: p + "c2", PersonUID: p + "p1", Role: casegraph.RoleSuspect},
			{CaseUID: p + "c3", PersonUID: p + "p1", Role: casegraph.RoleDefendant},
			{CaseUID: p + "c1", PersonUID: p + "p2", Role: casegraph.RoleVictim},
			{CaseUID: p + "c4", PersonUID: p + "p2", Role: casegraph.RoleSuspect},
		},
		Charges: []neo4jdb.ChargeRef{
			{UID: p + "ch1", CaseUID: p + "c1", PersonUID: p + "p1", OffenseCode: p + "THEFT"},
			{UID: p + "ch2", CaseUID: p + "c3", PersonUID: p + "p1", OffenseCode: p + "THEFT"},
			{UID: p + "ch3", CaseUID: p + "c4", PersonUID: p + "p2", OffenseCode: p + "FRAUD"},
		},
		Transfers: []neo4jdb.TransferRef{
			{HandoverUID: p + "h1", Type: casegraph.HandoverProsecution, FromCaseUID: p + "c1", ToCaseUID: p + "c2", At: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)},
			{HandoverUID: p + "h2", Type: casegraph.HandoverIndictment, FromCaseUID: p + "c2", ToCaseUID: p + "c3", At: time.Date(2024, 4, 10, 9, 0, 0, 0, time.UTC)},
		},
	}
}

var ignoreUpdated = cmpopts.IgnoreFields(casegraph.Case{}, "UpdatedAt")

func TestRoundTrip(t *testing.T) {
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t, db)
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	g := fixture(p)
	if err := db.WriteGraph(ctx, g); err != nil {
		t.Fatal(err)
	}
	// Writing twice is idempotent.
	if err := db.WriteGraph(ctx, g); err != nil {
		t.Fatal(err)
	}

	cases, err := db.CasesByUID(ctx, []string{p + "c1", p + "c4", p + "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 2 {
		t.Fatalf("CasesByUID returned %d cases, want 2", len(cases))
	}
	if d := cmp.Diff(g.Cases[3], cases[p+"c4"], ignoreUpdated); d != "" {
		t.Errorf("case c4 (-want +got):\n%s", d)
	}
	if cases[p+"c1"].UpdatedAt.IsZero() {
		t.Error("case has no updatedAt")
	}

	byNo, err := db.CaseByNumber(ctx, p+"C", "(2024)浙0203刑初1号")
	if err != nil || byNo == nil || byNo.UID != p+"c3" {
		t.Errorf("CaseByNumber = %+v, %v; want c3", byNo, err)
	}
	none, err := db.CaseByNumber(ctx, p+"C", "nope")
	if err != nil || none != nil {
		t.Errorf("CaseByNumber(unknown) = %+v, %v; want nil, nil", none, err)
	}

	agencies, err := db.AgenciesByCode(ctx, []string{p + "P", p + "C"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(map[string]casegraph.Agency{p + "P": g.Agencies[0], p + "C": g.Agencies[2]}, agencies); d != "" {
		t.Errorf("AgenciesByCode (-want +got):\n%s", d)
	}

	parties, err := db.PartiesByCase(ctx, []string{p + "c1", p + "c5"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, pa := range parties[p+"c1"] {
		got = append(got, string(pa.Role)+":"+pa.Person.Name)
	}
	if d := cmp.Diff([]string{"SUSPECT:张三", "VICTIM:李四"}, got); d != "" {
		t.Errorf("parties of c1 (-want +got):\n%s", d)
	}
	if len(parties[p+"c5"]) != 0 {
		t.Errorf("c5 has parties %v, want none", parties[p+"c5"])
	}

	inv, err := db.InvolvementsByPerson(ctx, []string{p + "p1"})
	if err != nil {
		t.Fatal(err)
	}
	got = nil
	for _, i := range inv[p+"p1"] {
		got = append(got, string(i.Role)+"@"+i.Case.CaseNo)
	}
	if d := cmp.Diff([]string{"SUSPECT@A1", "SUSPECT@J1", "DEFENDANT@(2024)浙0203刑初1号"}, got); d != "" {
		t.Errorf("history of p1 (-want +got):\n%s", d)
	}

	off, err := db.OffensesByCase(ctx, []string{p + "c1", p + "c2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(off[p+"c1"]) != 1 || off[p+"c1"][0].Name != "盗窃罪" || len(off[p+"c2"]) != 0 {
		t.Errorf("OffensesByCase = %+v", off)
	}

	tr, err := db.TransfersByCase(ctx, []string{p + "c2"})
	if err != nil {
		t.Fatal(err)
	}
	c2 := tr[p+"c2"]
	if len(c2.From) != 1 || c2.From[0].Other.UID != p+"c1" || c2.From[0].Type != casegraph.HandoverProsecution {
		t.Errorf("c2 from = %+v", c2.From)
	}
	if len(c2.To) != 1 || c2.To[0].Other.UID != p+"c3" || c2.To[0].HandoverUID != p+"h2" || !c2.To[0].At.Equal(g.Transfers[1].At) {
		t.Errorf("c2 to = %+v", c2.To)
	}
}

func TestListCases(t *testing.T) {
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t, db)
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	if err := db.WriteGraph(ctx, fixture(p)); err != nil {
		t.Fatal(err)
	}
	police := p + "P"
	uids := func(cs []casegraph.Case) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.UID[len(p):])
		}
		return out
	}
	// Every case of the fixture: scope the list by the fixture's agencies
	// through the three agency filters.
	tests := []struct {
		name string
		f    casegraph.CaseFilter
		want []string
	}{
		{"police agency", casegraph.CaseFilter{AgencyCode: &police}, []string{"c4", "c1", "c5"}},
		{"stage", casegraph.CaseFilter{AgencyCode: &police, Stage: ptr(casegraph.StageInvestigating)}, []string{"c4"}},
		{"kind", casegraph.CaseFilter{AgencyCode: ptr(p + "C"), Kind: ptr(casegraph.CaseCourt)}, []string{"c3"}},
		{"offense", casegraph.CaseFilter{Offense: ptr(p + "THEFT")}, []string{"c3", "c1"}},
		{"filed range", casegraph.CaseFilter{AgencyCode: &police, FiledFrom: day("2024-01-06"), FiledTo: day("2024-12-31")}, []string{"c4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, more, err := db.ListCases(ctx, tt.f, 10, nil)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, uids(got)); d != "" || more {
				t.Errorf("more=%v (-want +got):\n%s", more, d)
			}
			n, err := db.CountCases(ctx, tt.f)
			if err != nil || n != len(tt.want) {
				t.Errorf("CountCases = %d, %v; want %d", n, err, len(tt.want))
			}
		})
	}

	// Paging one at a time visits every case once, in order.
	var seen []string
	var after *casegraph.CaseKey
	for i := 0; i < 10; i++ {
		page, more, err := db.ListCases(ctx, casegraph.CaseFilter{AgencyCode: &police}, 1, after)
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, uids(page)...)
		if !more {
			break
		}
		last := page[len(page)-1]
		after = &casegraph.CaseKey{UID: last.UID}
		if last.FiledAt != nil {
			after.FiledAt = *last.FiledAt
		}
	}
	if d := cmp.Diff([]string{"c4", "c1", "c5"}, seen); d != "" {
		t.Errorf("paging (-want +got):\n%s", d)
	}
}

func TestUnavailable(t *testing.T) {
	if testing.Short() {
		t.Skip("dials a closed port")
	}
	cfg := neo4jtest.Config()
	cfg.URI = fmt.Sprintf("bolt://127.0.0.1:%d", 1) // nothing listens on port 1
	db, err := neo4jdb.Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close(casegraph.WithScope(context.Background(), casegraph.SystemScope))
	err = db.Ping(casegraph.WithScope(context.Background(), casegraph.SystemScope))
	if casegraph.ErrorCode(err) != casegraph.EUNAVAILABLE {
		t.Fatalf("Ping against a closed port: code %q (%v), want UNAVAILABLE", casegraph.ErrorCode(err), err)
	}
}

// TestFirstConnectionsAtOnce opens a fresh driver and lets several
// goroutines make its first connections together, as the readiness probe
// and the migrations do at start. Under -race this failed in CI before Open
// made the first connection itself (the driver sets its dial function
// lazily, unlocked).
func TestFirstConnectionsAtOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("needs Neo4j")
	}
	for round := 0; round < 5; round++ {
		db, err := neo4jdb.Open(neo4jtest.Config(), nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- db.Ping(ctx)
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Errorf("round %d: Ping: %v", round, err)
			}
		}
		db.Close(ctx)
	}
}
