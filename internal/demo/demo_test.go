package demo

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/ident"
)

func TestGraphIsDeterministicAndConsistent(t *testing.T) {
	g := Graph()
	if d := cmp.Diff(g, Graph()); d != "" {
		t.Fatalf("two calls differ:\n%s", d)
	}
	cases := map[string]casegraph.Case{}
	kinds := map[casegraph.CaseKind]int{}
	for _, c := range g.Cases {
		if _, dup := cases[c.UID]; dup {
			t.Errorf("case %s twice", c.UID)
		}
		cases[c.UID] = c
		kinds[c.Kind]++
	}
	if kinds[casegraph.CasePolice] != PoliceCases || kinds[casegraph.CaseProsecution] == 0 || kinds[casegraph.CaseCourt] == 0 {
		t.Errorf("case kinds %v", kinds)
	}
	if n := len(g.Cases); n < 36 || n > 80 {
		t.Errorf("%d cases; the demo should have a few dozen", n)
	}
	for _, p := range g.Persons {
		if _, err := ident.ParseIDNumber(p.IDNumber); err != nil {
			t.Errorf("person %s: %v", p.UID, err)
		}
	}
	for _, tr := range g.Transfers {
		from, to := cases[tr.FromCaseUID], cases[tr.ToCaseUID]
		if from.UID == "" || to.UID == "" {
			t.Errorf("transfer %s refers to a missing case", tr.HandoverUID)
			continue
		}
		if to.FiledAt.Before(*from.FiledAt) {
			t.Errorf("transfer %s: received %s before the sender filed %s", tr.HandoverUID, to.FiledAt, from.FiledAt)
		}
	}
	for _, c := range g.Cases {
		if c.Kind == casegraph.CaseCourt {
			if _, err := ident.ParseCourtCaseNo(c.CaseNo); err != nil {
				t.Errorf("court case %s: %v", c.UID, err)
			}
		}
	}
}
