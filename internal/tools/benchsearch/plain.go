package main

import (
	"context"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/casegraph/casegraph/internal/search"
)

const enginePlain = "diagnostic: bleve's match-phrase query alone (same index)"

// measurePlain times, on our index reopened with bleve directly, only the
// text part of each query as bleve's own match-phrase query: every word on
// title or summary with our query analyzer, every bigram of the word checked
// at its position, top 20 by score, and none of what search.Search adds
// (scope and sealed filter, the other fields a plain word searches, a stored
// field per hit) or saves (a one-bigram word as a term query, the middle
// bigrams a phrase's neighbours cover left out). It is run after the
// comparison, on its own, to show what the query shapes of internal/search
// change.
func measurePlain(ctx context.Context, dir string, qs []benchQuery, runs int) (latency, error) {
	l := latency{Engine: enginePlain}
	idx, err := bleve.Open(dir)
	if err != nil {
		return l, err
	}
	defer idx.Close()
	once := func(q benchQuery) (time.Duration, int, error) {
		var words []query.Query
		for _, w := range strings.Fields(q.Text) {
			var fields []query.Query
			for _, f := range []string{"title", "summary"} {
				m := bleve.NewMatchPhraseQuery(w)
				m.SetField(f)
				m.Analyzer = search.AnalyzerTextQuery
				fields = append(fields, m)
			}
			words = append(words, bleve.NewDisjunctionQuery(fields...))
		}
		req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(words...), 20, 0, false)
		t := time.Now()
		res, err := idx.SearchInContext(ctx, req)
		if err != nil {
			return time.Since(t), 0, err
		}
		return time.Since(t), len(res.Hits), nil
	}
	for _, q := range qs {
		if _, n, err := once(q); err != nil {
			l.Errors++
		} else if n > 0 {
			l.WithResults++
		}
	}
	var s []time.Duration
	for r := 0; r < runs; r++ {
		for _, q := range qs {
			if el, _, err := once(q); err == nil {
				s = append(s, el)
			}
		}
	}
	fill(&l, s)
	return l, nil
}
