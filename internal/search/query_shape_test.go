package search

import (
	"context"
	"sort"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/google/go-cmp/cmp"
)

// TestPhraseShapesMatchBlevePhrase checks that the phrase queries Search
// builds (a term query for one bigram, the covered middle bigrams left out
// of longer phrases) find exactly the documents bleve's own match-phrase
// query finds, for pieces of every length cut from the cail facts at every
// kind of place: inside words, across punctuation, digits and masks; and
// that adjacentQuery scores them as bleve's phrase of the same slots does.
func TestPhraseShapesMatchBlevePhrase(t *testing.T) {
	ix, docs := cailIndex(t)
	ctx := context.Background()
	ids := func(q query.Query) []string {
		t.Helper()
		req := bleve.NewSearchRequestOptions(q, len(docs)+1, 0, false)
		res, err := ix.bi.SearchInContext(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range res.Hits {
			out = append(out, h.ID)
		}
		sort.Strings(out)
		return out
	}
	scored := func(q query.Query) map[string]float64 {
		t.Helper()
		req := bleve.NewSearchRequestOptions(q, len(docs)+1, 0, false)
		res, err := ix.bi.SearchInContext(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, h := range res.Hits {
			out[h.ID] = h.Score
		}
		return out
	}
	pieces := []string{"危险，驾驶", "被告人某某驾驶", "驾驶车辆将被害人撞伤"}
	for i, d := range docs {
		rs := []rune(d.(*CaseDoc).Summary)
		if i%11 != 0 || len(rs) < 40 {
			continue
		}
		for n := 2; n <= 9; n++ {
			for _, at := range []int{3, 17, 31} {
				pieces = append(pieces, string(rs[at:at+n]))
			}
		}
	}
	covered, matched := 0, 0
	for _, p := range pieces {
		toks, err := analyze(AnalyzerTextQuery, p)
		if err != nil {
			t.Fatal(err)
		}
		if len(toks) == 0 {
			continue
		}
		slots, dropped := coverPhrase(toks)
		if dropped {
			covered++
		}
		if slots != nil {
			// the same slots as bleve's phrase: same documents, same scores
			multi := make([][]string, len(slots))
			for i, t := range slots {
				multi[i] = []string{t}
			}
			if diff := cmp.Diff(scored(query.NewMultiPhraseQuery(multi, fSummary)), scored(&adjacentQuery{Terms: slots, field: fSummary, boost: 1})); diff != "" {
				t.Errorf("slots %q (-bleve +ours):\n%s", slots, diff)
			}
		}
		want := query.NewMatchPhraseQuery(p)
		want.SetField(fSummary)
		want.Analyzer = AnalyzerTextQuery
		w := ids(want)
		if len(w) > 0 {
			matched++
		}
		for _, hl := range []bool{false, true} {
			if diff := cmp.Diff(w, ids(phraseQuery(fSummary, AnalyzerTextQuery, p, 1, hl))); diff != "" {
				t.Errorf("phrase %q, highlight %v (-bleve +ours):\n%s", p, hl, diff)
			}
		}
	}
	t.Logf("%d pieces, %d with bigrams left out, %d found", len(pieces), covered, matched)
	if covered < 50 || matched < len(pieces)/2 {
		t.Errorf("only %d of %d pieces had bigrams left out and %d matched: the test checks too little", covered, len(pieces), matched)
	}
}

// TestPhraseWithinOneValue checks that a phrase in a field of several values
// (the persons of a case) matches inside one value only.
func TestPhraseWithinOneValue(t *testing.T) {
	ix := newTestIndex(t, []Doc{
		&CaseDoc{UID: "c/x/apart", AgencyCode: agPolice, Persons: []string{"甲乙", "某乙丙"}, ScopeAgencies: []string{agPolice}},
		&CaseDoc{UID: "c/x/together", AgencyCode: agPolice, Persons: []string{"甲乙丙"}, ScopeAgencies: []string{agPolice}},
	})
	// positions start again in each value: 甲乙 is at 1 in the first and
	// 乙丙 at 2 in the second, so only the value each location belongs to
	// tells them from 甲乙丙
	for _, q := range []string{`persons:"甲乙丙"`, `"甲乙丙"`} {
		res, err := ix.Search(context.Background(), Request{Query: q, Scope: Scope{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"c/x/together"}, uids(res)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", q, diff)
		}
	}
}
