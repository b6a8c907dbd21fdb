package search

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph"
)

// cailIndex indexes 300 cail2018 facts plus 25 copies of one text (equal
// scores and dates, so only the uid breaks ties).
func cailIndex(t *testing.T) (*Index, []Doc) {
	t.Helper()
	docs, _ := cailDocs(t, 300)
	for i := 0; i < 25; i++ {
		docs = append(docs, &CaseDoc{
			UID: fmt.Sprintf("c/twin/%02d", 24-i), AgencyCode: agPolice, Kind: casegraph.CasePolice,
			Stage: casegraph.StageInvestigating, Summary: "被告人某某驾驶车辆将被害人撞伤。",
			FiledAt: day("2018-06-01"), ScopeAgencies: []string{agPolice},
		})
	}
	return newTestIndex(t, docs), docs
}

// TestCursorWalk walks every page of a search, for each sort and two page
// sizes, and checks that the pages hold every hit once, in order.
func TestCursorWalk(t *testing.T) {
	ix, docs := cailIndex(t)
	byUID := filedDays(docs)
	ctx := context.Background()
	for _, sortBy := range []Sort{SortRelevance, SortFiledDesc, SortFiledAsc} {
		for _, first := range []int{7, MaxPageSize} {
			t.Run(fmt.Sprintf("%s/%d", sortBy, first), func(t *testing.T) {
				req := Request{Query: "被告人", Sort: sortBy, First: first, Scope: Scope{All: true}}
				var hits []Hit
				total := uint64(0)
				for page := 0; ; page++ {
					if page > 1000 {
						t.Fatal("no end")
					}
					res, err := ix.Search(ctx, req)
					if err != nil {
						t.Fatal(err)
					}
					if page == 0 {
						total = res.Total
					} else if res.Total != total {
						t.Fatalf("page %d: total %d, first page said %d", page, res.Total, total)
					}
					if len(res.Hits) > first {
						t.Fatalf("page %d: %d hits, asked for %d", page, len(res.Hits), first)
					}
					hits = append(hits, res.Hits...)
					if !res.HasNext {
						break
					}
					if len(res.Hits) != first || res.EndCursor == "" {
						t.Fatalf("page %d: HasNext with %d hits, cursor %q", page, len(res.Hits), res.EndCursor)
					}
					req.After = res.EndCursor
				}
				if total < 200 {
					t.Fatalf("only %d hits; the test wants many", total)
				}
				if uint64(len(hits)) != total {
					t.Errorf("walked %d hits, total %d", len(hits), total)
				}
				seen := map[string]bool{}
				for _, h := range hits {
					if seen[h.UID] {
						t.Errorf("%s twice", h.UID)
					}
					seen[h.UID] = true
				}
				// the order is the sort's, keys taken from the documents
				for i := 1; i < len(hits); i++ {
					a, b := hits[i-1], hits[i]
					var ok bool
					switch sortBy {
					case SortRelevance:
						ok = a.Score > b.Score || (a.Score == b.Score && a.UID < b.UID)
					case SortFiledDesc, SortFiledAsc:
						fa, fb := byUID[a.UID], byUID[b.UID]
						switch {
						case fa == fb:
							ok = a.UID < b.UID
						case fb == "": // no date: last
							ok = true
						case fa == "":
							ok = false
						case sortBy == SortFiledDesc:
							ok = fa > fb
						default:
							ok = fa < fb
						}
					}
					if !ok {
						t.Fatalf("hits %d and %d out of order: %s (%v) before %s (%v)", i-1, i, a.UID, a.Score, b.UID, b.Score)
					}
				}
			})
		}
	}
}

// filedDays returns each case's filed day ("" when none).
func filedDays(docs []Doc) map[string]string {
	out := map[string]string{}
	for _, d := range docs {
		if c, ok := d.(*CaseDoc); ok {
			out[c.UID] = ""
			if c.FiledAt != nil {
				out[c.UID] = c.FiledAt.Format(time.DateOnly)
			}
		}
	}
	return out
}

// TestCailScopeAndFacets checks totals and charge facets against counts
// made from the data itself, for one agency's scope.
func TestCailScopeAndFacets(t *testing.T) {
	ix, docs := cailIndex(t)
	want := map[string]int{}
	total := 0
	for _, d := range docs {
		c := d.(*CaseDoc)
		if c.Sealed || !slices.Contains(c.ScopeAgencies, agCourt) {
			continue
		}
		total++
		for _, ch := range c.Charges {
			want[ch]++
		}
	}
	res, err := ix.Search(context.Background(), Request{Filter: Filter{Types: []string{TypeCase}}, Scope: Scope{Agencies: []string{agCourt}}, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != uint64(total) {
		t.Errorf("total %d, want %d", res.Total, total)
	}
	got := map[string]int{}
	for _, fc := range res.Facets[FacetCharge] {
		got[fc.Value] = fc.Count
	}
	// the facet returns the FacetSize most frequent charges
	for ch, n := range got {
		if want[ch] != n {
			t.Errorf("charge %s: facet %d, data %d", ch, n, want[ch])
		}
	}
	if len(got) != min(len(want), FacetSize) {
		t.Errorf("%d charge values, want %d", len(got), min(len(want), FacetSize))
	}
	if diff := cmp.Diff([]FacetCount{{agCourt, total}}, res.Facets[FacetAgency]); diff != "" {
		t.Errorf("agency facet (-want +got):\n%s", diff)
	}
}
