package search

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestTopByScoreMatchesBleveSort walks every page of relevance searches
// collected by topByScore and by bleve's own collector sorted by
// [-_score, _id], and checks that both give the same hits (uid, type,
// score), in the same order, with the same totals: with many equal scores
// (25 documents of one text, and short queries), with put-aside ties
// settled early and late, under scopes and the sealed filter.
func TestTopByScoreMatchesBleveSort(t *testing.T) {
	ix, _ := cailIndex(t)
	ctx := context.Background()
	walk := func(t *testing.T, req Request) ([]Hit, []uint64) {
		t.Helper()
		var hits []Hit
		var totals []uint64
		for page := 0; ; page++ {
			if page > 1000 {
				t.Fatal("no end")
			}
			res, err := ix.Search(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			hits = append(hits, res.Hits...)
			totals = append(totals, res.Total)
			if !res.HasNext {
				return hits, totals
			}
			req.After = res.EndCursor
		}
	}
	defer func(n int) { maxTies = n }(maxTies)
	queries := []string{"被告人", "驾驶", `"驾驶车辆"`, "被害人 -驾驶", "盗窃", "某某", `"人民币"`, "charge:盗窃"}
	scopes := []Scope{{All: true}, {All: true, Unseal: true}, {Agencies: []string{agPolice}}, {Agencies: []string{agCourt, agOther}, Unseal: true}}
	for _, q := range queries {
		for si, scope := range scopes {
			for _, first := range []int{1, 6, 20} {
				for _, ties := range []int{1, 3, 64} {
					name := fmt.Sprintf("%s/scope%d/first%d/ties%d", q, si, first, ties)
					req := Request{Query: q, First: first, Scope: scope}
					maxTies = ties
					collectByScore = false
					want, wantTotals := walk(t, req)
					collectByScore = true
					got, gotTotals := walk(t, req)
					if len(want) == 0 {
						t.Fatalf("%s: no hits; the test needs some", name)
					}
					if d := cmp.Diff(want, got); d != "" {
						t.Errorf("%s: hits differ (-bleve +topByScore):\n%s", name, d)
					}
					if d := cmp.Diff(wantTotals, gotTotals); d != "" {
						t.Errorf("%s: totals differ (-bleve +topByScore):\n%s", name, d)
					}
				}
			}
		}
	}
}
