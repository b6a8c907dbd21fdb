package procedure

import (
	"fmt"
	"strings"
	"testing"

	"github.com/casegraph/casegraph"
)

func loadRules(tb testing.TB) *Rules {
	tb.Helper()
	r, err := LoadRules(ruleFiles, "rules")
	if err != nil {
		tb.Fatalf("LoadRules: %v", err)
	}
	return r
}

// TestEmbeddedRules loads the embedded data and checks its invariants one by
// one, so a failure names what is wrong (Validate checks the same and more).
func TestEmbeddedRules(t *testing.T) {
	r := loadRules(t)
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}

	t.Run("unique IDs", func(t *testing.T) {
		seen := map[string]bool{}
		for _, ref := range r.All() {
			if seen[ref.ID] {
				t.Errorf("%s twice", ref.ID)
			}
			seen[ref.ID] = true
		}
	})
	t.Run("every rule has an article and a Chinese citation", func(t *testing.T) {
		for _, ref := range r.All() {
			if ref.Article == "" || ref.Citation == "" {
				t.Errorf("%s: article %q citation %q", ref.ID, ref.Article, ref.Citation)
			}
			if !strings.Contains(ref.Citation, "第") && !strings.Contains(ref.Citation, "《") {
				t.Errorf("%s: %q does not read as a citation", ref.ID, ref.Citation)
			}
		}
	})
	t.Run("machine A is complete", func(t *testing.T) {
		for i := 1; i <= 45; i++ {
			if r.Transition(fmt.Sprintf("A%02d", i)) == nil {
				t.Errorf("A%02d missing", i)
			}
		}
		for _, s := range casegraph.Stages {
			if r.Stage(s) == nil {
				t.Errorf("stage %s not described", s)
			}
		}
	})
	t.Run("every transition's stages exist", func(t *testing.T) {
		for _, tr := range r.Transitions {
			for _, s := range append(append([]casegraph.Stage{}, tr.From...), tr.To...) {
				if r.Stage(s) == nil {
					t.Errorf("%s: stage %s", tr.ID, s)
				}
			}
		}
		for _, tr := range r.CustodyTransitions {
			for _, s := range append(append([]CustodyState{}, tr.From...), tr.To...) {
				if r.CustodyState(s) == nil {
					t.Errorf("%s: custody state %s", tr.ID, s)
				}
			}
		}
	})
	t.Run("every clock ID referenced exists", func(t *testing.T) {
		check := func(where, id string) {
			if r.Limit(id) == nil {
				t.Errorf("%s refers to %s", where, id)
			}
		}
		for _, tr := range r.Transitions {
			for _, c := range tr.Clocks {
				check(tr.ID, c)
			}
			for _, s := range tr.Starts {
				check(tr.ID, s.Rule)
			}
			for _, s := range tr.Stops {
				check(tr.ID, s.Rule)
			}
		}
		for _, tr := range r.CustodyTransitions {
			for _, c := range tr.Clocks {
				check(tr.ID, c)
			}
			for _, s := range tr.Starts {
				check(tr.ID, s.Rule)
			}
		}
		for _, e := range r.Events {
			for _, s := range e.Starts {
				check(e.Kind, s.Rule)
			}
		}
		for _, l := range r.Limits {
			for _, id := range append(append([]string{}, l.Pauses...), l.Restarts...) {
				check(l.ID, id)
			}
		}
		for _, f := range r.RedFlags {
			for _, c := range f.Clocks {
				check(f.ID, c)
			}
		}
	})
	t.Run("the limits of the brief carry numbers", func(t *testing.T) {
		for _, id := range strings.Fields("T02 T12 T13 T14 T15 T16 T16b T18 T23 T24 T26 T27 T28 T29 T30 T32 T33 T35 T36 T37 T38 " +
			"T41 T42 T43 T44 T45 T46 T47 T49 T50 T51 T52 T53 T54 T55 T56 T57 T58 T59 T60 T62 T64 T67 T68 T69 T74") {
			l := r.Limit(id)
			if l == nil {
				t.Errorf("%s missing", id)
				continue
			}
			// T33, T37, T50, T52 and T62 are pauses and restarts: no number of their own.
			if l.Limit == nil && len(l.Pauses) == 0 && len(l.Restarts) == 0 {
				t.Errorf("%s has no limit and is neither a pause nor a restart", id)
			}
		}
		if n := len(r.Limits); n != 78 {
			t.Errorf("%d time limits, want all 78 rows of §1.1 (T01–T76, T02E, T16b)", n)
		}
	})
	t.Run("custody periods", func(t *testing.T) {
		for id, want := range map[string]CustodyRule{
			"T15": CustodyAlways, "T16": CustodyAlways, "T28": CustodyAlways, "T16b": CustodyNever,
			"T23": CustodyNever, "T57": CustodyNever, "T35": CustodyIfDetained, "T49": CustodyIfDetained, "T60": CustodyIfDetained,
		} {
			if got := r.Limit(id).Custody; got != want {
				t.Errorf("%s custody = %s, want %s", id, got, want)
			}
		}
	})
	t.Run("red flags", func(t *testing.T) {
		for i := 1; i <= 22; i++ {
			if r.RedFlag(fmt.Sprintf("R%02d", i)) == nil {
				t.Errorf("R%02d missing", i)
			}
		}
	})
	t.Run("citations of the brief", func(t *testing.T) {
		for id, want := range map[string]string{
			"A14":   "刑事诉讼法第一百七十五条第二款",
			"T35":   "刑事诉讼法第一百七十二条第一款；《人民检察院刑事诉讼规则》第三百五十一条",
			"T53":   "刑事诉讼法第二百二十条；最高人民法院《关于适用〈中华人民共和国刑事诉讼法〉的解释》第三百六十八条",
			"T15.1": "刑事诉讼法第九十一条第一款；《公安机关办理刑事案件程序规定》第一百二十九条第一款",
		} {
			var got string
			switch {
			case r.Transition(id) != nil:
				got = r.Transition(id).AuthorityCitation
			case r.Limit(id) != nil:
				got = r.Limit(id).Citation
			default:
				got = r.ExtensionOwner(id).Extension(id).Citation
			}
			if got != want {
				t.Errorf("%s: %s, want %s", id, got, want)
			}
		}
	})
}

// TestValidateCatchesBrokenRules breaks the data one way at a time and
// expects Validate to say so.
func TestValidateCatchesBrokenRules(t *testing.T) {
	for _, tc := range []struct {
		name   string
		break_ func(*Rules)
		want   string
	}{
		{"duplicate ID", func(r *Rules) { r.Transitions[1].ID = "A01" }, "ID A01 used twice"},
		{"unknown from stage", func(r *Rules) { r.Transitions[0].From = []casegraph.Stage{"LIMBO"} }, `unknown stage "LIMBO"`},
		{"unknown to stage", func(r *Rules) { r.Transitions[0].To = []casegraph.Stage{"LIMBO"} }, `unknown stage "LIMBO"`},
		{"unknown clock", func(r *Rules) { r.Transitions[0].Clocks = []string{"T99"} }, `unknown time limit "T99"`},
		{"unknown started clock", func(r *Rules) { r.Transitions[3].Starts[0].Rule = "T98" }, `starts unknown time limit "T98"`},
		{"no article", func(r *Rules) { r.Limits[5].Article = ""; r.Limits[5].Citation = "" }, "no article"},
		{"no citation", func(r *Rules) { r.RedFlags[0].Citation = "" }, "has no Chinese citation"},
		{"bad unit", func(r *Rules) { r.Limits[2].Limit = &Limit{Amount: 3, Unit: "weeks"} }, "unit must be hours, days or months"},
		{"half a day", func(r *Rules) { r.Limits[2].Limit = &Limit{Amount: 2.5, Unit: Days} }, "whole numbers"},
		{"unknown custody state", func(r *Rules) { r.CustodyTransitions[0].To = []CustodyState{"EXILE"} }, `unknown custody state "EXILE"`},
		{"bad custody rule", func(r *Rules) { r.Limits[0].Custody = "SOMETIMES" }, "custody must be"},
		{"extension numbering", func(r *Rules) { r.Limit("T15").Extensions[0].ID = "X1" }, "must be numbered T15.N"},
		{"extension requires", func(r *Rules) { r.Limit("T28").Extensions[1].Requires = "T28.9" }, "requires T28.9"},
		{"no approver", func(r *Rules) { r.Limit("T28").Extensions[0].Approver = "" }, "approver"},
		{"unknown stop event", func(r *Rules) { r.Limit("T74").StoppedBy = []string{"NOPE"} }, "stoppedBy unknown event NOPE"},
		{"bad cap", func(r *Rules) { r.Transition("A14").Caps[0].Max = 0 }, "cap"},
		{"stage missing", func(r *Rules) { r.Stages = r.Stages[1:] }, "stage RECEIVED of casegraph.Stages is not described"},
		{"no text", func(r *Rules) { r.Limits[3].Texts = nil }, "no original text"},
		{"unparseable quote", func(r *Rules) { r.Limits[3].Texts[0].Article = "XYZ 1" }, "unknown instrument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := loadRules(t)
			tc.break_(r)
			err := r.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestPrepareComputesCitations(t *testing.T) {
	r := loadRules(t)
	r.Limits[0].Citation = ""
	r.Limits[0].Article = "CPL 112"
	if err := r.Prepare(); err != nil {
		t.Fatal(err)
	}
	if got := r.Limits[0].Citation; got != "刑事诉讼法第一百一十二条" {
		t.Errorf("citation = %q", got)
	}
	r.Limits[0].Citation, r.Limits[0].Article = "", "公通字〔2015〕32号"
	if err := r.Prepare(); err == nil || !strings.Contains(err.Error(), "give a citation in the data") {
		t.Errorf("Prepare with an unparseable article and no citation = %v", err)
	}
}
