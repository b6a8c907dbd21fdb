package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jtest"
	"github.com/casegraph/casegraph/internal/synth"
	"github.com/casegraph/casegraph/internal/workflow"
)

// TestProcedureStatsMatchTheGenerator generates cases with known rates,
// loads them through ingest and the procedure sync, and checks that
// procedureStats, summed over agencies and periods, counts exactly what the
// generator's manifest says it made, and that the rates are the rates the
// generator was asked for, within four standard errors.
func TestProcedureStatsMatchTheGenerator(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	opts := synth.Defaults()
	opts.Cases, opts.Seed, opts.InvalidRate, opts.JuvenileRate = 1500, 7, 0, 0 // no sealed cases: the admin sees all
	var buf bytes.Buffer
	enc := ingest.NewEncoder(&buf)
	man, err := synth.Generate(opts, enc)
	if err != nil {
		t.Fatal(err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	wf := workflow.New(db, nil, workflow.Options{})
	var syncErr error
	rep, err := ingest.Run(context.Background(), db, ingest.NewNDJSONDecoder(&buf, "synth"), ingest.Options{
		OnCommit: func(ctx context.Context, uids []string) {
			if err := wf.Sync(ctx, uids); err != nil {
				syncErr = err
			}
		}})
	if err != nil || syncErr != nil || rep.Refused > 0 {
		t.Fatalf("load: %v %v refused %d", err, syncErr, rep.Refused)
	}
	h := newHandler(t, db, graph.Options{})
	const q = `{ procedureStats(interval: YEAR) {
	  rows { agency periodStart arrestApproved arrestDenied prosecutionCases returnedOnce returnedTwice prosecuted notProsecuted
	         notProsecutedBySubtype { subtype count } pleaShare judgments convictions arrestReviewDays { count median p90 } prosecutionReviewDays { count median } trialDays { count median } }
	  overdue { agency cases } } }`
	type row struct {
		ArrestApproved, ArrestDenied, ProsecutionCases, ReturnedOnce, ReturnedTwice *int
		Prosecuted, NotProsecuted, Judgments, Convictions                           *int
		PleaShare                                                                   *float64
		ArrestReviewDays                                                            struct {
			Count       int
			Median, P90 *float64
		}
		ProsecutionReviewDays, TrialDays struct {
			Count  int
			Median *float64
		}
	}
	resp := post(t, as(t, h, casegraph.Caller{Subject: "admin", Roles: []string{authz.RoleAdmin}}), q, nil)
	if len(resp.Errors) > 0 {
		t.Fatalf("%+v", resp.Errors)
	}
	var a struct {
		ProcedureStats struct {
			Rows    []row
			Overdue []struct {
				Agency string
				Cases  *int
			}
		}
	}
	if err := json.Unmarshal(resp.Data, &a); err != nil {
		t.Fatal(err)
	}
	v := func(p *int) int {
		if p == nil {
			t.Fatal("a count is null for the admin")
		}
		return *p
	}
	var approved, denied, cases, once, twice, pros, notPros, judg, conv, plea int
	for _, r := range a.ProcedureStats.Rows {
		approved += v(r.ArrestApproved)
		denied += v(r.ArrestDenied)
		cases += v(r.ProsecutionCases)
		once += v(r.ReturnedOnce)
		twice += v(r.ReturnedTwice)
		pros += v(r.Prosecuted)
		notPros += v(r.NotProsecuted)
		judg += v(r.Judgments)
		conv += v(r.Convictions)
		if r.PleaShare != nil {
			plea += int(math.Round(*r.PleaShare * float64(*r.Prosecuted)))
		}
		if m := r.ArrestReviewDays.Median; m != nil && (*m < 2 || *m > 6) {
			t.Errorf("%+v: arrest review median %v days; the generator decides in 2 to 6", r, *m)
		}
	}
	exact := []struct {
		name      string
		got, want int
	}{
		{"arrest requests decided", approved + denied, man.ArrestRequests},
		{"non-arrests", denied, man.NonArrests},
		{"prosecution cases", cases, man.Prosecutions},
		{"returned once", once, man.Supplementary1},
		{"returned twice", twice, man.Supplementary2},
		{"non-prosecutions", notPros, man.NonProsecutions},
		{"prosecuted", pros, man.CourtCases},
		{"plea", plea, man.PleaCases},
	}
	for _, e := range exact {
		if e.got != e.want {
			t.Errorf("%s: %d, the generator made %d", e.name, e.got, e.want)
		}
	}
	near := func(name string, num, den int, p float64) {
		t.Helper()
		if den == 0 {
			t.Fatalf("%s: no denominator", name)
		}
		got, se := float64(num)/float64(den), math.Sqrt(p*(1-p)/float64(den))
		if math.Abs(got-p) > 4*se {
			t.Errorf("%s = %.3f (%d/%d), asked %.2f ± %.3f (4 SE)", name, got, num, den, p, 4*se)
		}
	}
	near("non-arrest rate", denied, approved+denied, opts.NonArrestRate)
	near("non-prosecution rate", notPros, pros+notPros, opts.NonProsecutionRate)
	near("plea share", plea, pros, opts.PleaRate)
	near("supplementary rate", once, cases, opts.SupplementaryRate)
	near("second supplementary rate", twice, once, opts.SecondSupplementaryRate)
	if judg == 0 || float64(conv)/float64(judg) < 0.98 {
		t.Errorf("convictions %d of %d judgments; the generator convicts 99.8%%", conv, judg)
	}
	if len(a.ProcedureStats.Overdue) == 0 {
		t.Error("no agency has an overdue case; the generator makes 5% of reviews overdue")
	}
	// A supervisor gets the rows with small counts withheld.
	sup := post(t, as(t, h, casegraph.Caller{Subject: "sup", Roles: []string{authz.RoleSupervisor}, Region: "3302"}), q, nil)
	if len(sup.Errors) > 0 {
		t.Fatalf("supervisor: %+v", sup.Errors)
	}
	var s struct{ ProcedureStats struct{ Rows []row } }
	json.Unmarshal(sup.Data, &s)
	for _, r := range s.ProcedureStats.Rows {
		for _, c := range []*int{r.ArrestApproved, r.ArrestDenied, r.ProsecutionCases, r.ReturnedOnce, r.ReturnedTwice, r.Prosecuted, r.NotProsecuted, r.Judgments, r.Convictions} {
			if c != nil && *c > 0 && *c < 5 {
				t.Errorf("the supervisor sees a count of %d", *c)
			}
		}
	}
}
