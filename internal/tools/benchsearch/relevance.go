package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/casegraph/casegraph/internal/search"
	"github.com/casegraph/casegraph/internal/search/eval"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

const (
	engineOurs  = "casegraph search (bleve)"
	engineNeo4j = "Neo4j full-text (cjk)"
)

// relevance is the labelled-set part of the benchmark.
type relevance struct {
	Docs    int                `json:"docs"`
	Queries int                `json:"queries"`
	Build   []eval.IndexStats  `json:"build"`
	Overall []relevanceSummary `json:"overall"`
	Errors  map[string]int     `json:"errors,omitempty"`
	Report  string             `json:"report"`
	Summary string             `json:"querySet"`
}

type relevanceSummary struct {
	Engine  string  `json:"engine"`
	Mode    string  `json:"mode"`
	Queries int     `json:"queries"`
	P10     float64 `json:"precisionAt10"`
	Recall  float64 `json:"recall"`
	MRR10   float64 `json:"mrrAt10"`
	RPrec   float64 `json:"rPrecision"`
}

// runRelevance indexes the cail2018 and cail2022 documents of the eval
// package in a separate bleve index of casegraph's mapping (a CaseDoc each:
// summary = the text, agency = the source, so that a query is restricted to
// its source with a filter) and as (:EvalDoc) nodes in Neo4j with the same
// full-text index as the cases, runs the labelled queries on both and
// scores them with eval.Score.
func runRelevance(ctx context.Context, d neo4j.DriverWithContext, dir, neoHome string) (*relevance, error) {
	dataDir, err := eval.DataDir()
	if err != nil {
		return nil, err
	}
	docs, err := eval.LoadAll(dataDir)
	if err != nil {
		return nil, err
	}
	qs := eval.BuildQueries(docs, eval.DefaultLimits)
	var textBytes int64
	perSource := map[string]int{}
	for _, doc := range docs {
		textBytes += int64(len(doc.Text))
		perSource[doc.Source]++
	}
	limit := 0
	for _, n := range perSource {
		limit = max(limit, n)
	}

	// Ours.
	bdir := filepath.Join(dir, "eval")
	if err := os.RemoveAll(bdir); err != nil {
		return nil, err
	}
	start := time.Now()
	ix, err := search.Create(bdir)
	if err != nil {
		return nil, err
	}
	all := make([]search.Doc, len(docs))
	for i, doc := range docs {
		all[i] = &search.CaseDoc{UID: doc.ID, AgencyCode: doc.Source, Summary: doc.Text, ScopeAgencies: []string{doc.Source}}
	}
	if err := ix.Index(ctx, all); err != nil {
		return nil, err
	}
	if err := ix.Close(); err != nil {
		return nil, err
	}
	ours := eval.IndexStats{Analyzer: engineOurs, Docs: len(docs), TextBytes: textBytes, Elapsed: time.Since(start)}
	if ours.Bytes, err = eval.DirSize(bdir); err != nil {
		return nil, err
	}
	if ix, err = search.Open(bdir); err != nil {
		return nil, err
	}
	defer ix.Close()

	// Neo4j.
	row := func(i int) map[string]any {
		return map[string]any{"uid": docs[i].ID, "source": docs[i].Source, "summary": docs[i].Text}
	}
	if err := loadRows(ctx, d, loadEval, len(docs), 5000, row); err != nil {
		return nil, err
	}
	start = time.Now()
	id, err := buildIndex(ctx, d, createEvalIndex, evalIndex)
	if err != nil {
		return nil, err
	}
	theirs := eval.IndexStats{Analyzer: engineNeo4j, Docs: len(docs), TextBytes: textBytes, Elapsed: time.Since(start)}
	if theirs.Bytes, err = indexBytes(neoHome, id); err != nil {
		return nil, err
	}

	rel := &relevance{Docs: len(docs), Queries: len(qs), Build: []eval.IndexStats{ours, theirs}, Errors: map[string]int{}}
	var rs []eval.Result
	for _, q := range qs {
		for _, mode := range eval.Modes {
			oq, nq := oursText(q.Text, mode), neo4jText(q.Text, mode)
			ranked, err := oursAll(ctx, ix, oq, q.Source)
			if err != nil {
				rel.Errors[engineOurs+" "+mode]++
			}
			t := time.Now()
			oursTop(ctx, ix, oq, q.Source)
			rs = append(rs, eval.Result{Analyzer: engineOurs, Mode: mode, Query: q, Latency: time.Since(t), Metrics: eval.Score(ranked, q.Relevant)})

			ranked, err = neoEval(ctx, d, nq, q.Source, limit)
			if err != nil {
				rel.Errors[engineNeo4j+" "+mode]++
			}
			t = time.Now()
			neoEval(ctx, d, nq, q.Source, 10)
			rs = append(rs, eval.Result{Analyzer: engineNeo4j, Mode: mode, Query: q, Latency: time.Since(t), Metrics: eval.Score(ranked, q.Relevant)})
		}
	}
	for _, e := range []string{engineOurs, engineNeo4j} {
		for _, mode := range eval.Modes {
			m, n := eval.Mean(rs, func(r eval.Result) bool {
				return r.Analyzer == e && r.Mode == mode && eval.InOverall(r.Query.Class)
			})
			rel.Overall = append(rel.Overall, relevanceSummary{Engine: e, Mode: mode, Queries: n, P10: m.P10, Recall: m.Recall, MRR10: m.MRR10, RPrec: m.RPrec})
		}
	}
	rel.Report = eval.Report(rel.Build, rs)
	rel.Summary = eval.QuerySetSummary(qs)
	return rel, nil
}

// oursText is a labelled query in casegraph's syntax: mode phrase quotes it
// (quote characters inside become spaces); mode match passes it as typed,
// with only the characters the syntax rejects (quotes, *, colons, a leading
// minus) replaced by spaces.
func oursText(text, mode string) string {
	clean := strings.NewReplacer(`"`, " ", "“", " ", "”", " ", "＂", " ").Replace(text)
	if mode == eval.ModePhrase {
		return `"` + strings.TrimSpace(clean) + `"`
	}
	clean = strings.NewReplacer("*", " ", ":", " ", "：", " ").Replace(clean)
	words := strings.Fields(clean)
	for i, w := range words {
		words[i] = strings.TrimLeft(w, "-")
	}
	return strings.Join(words, " ")
}

// neo4jText is the same query in Lucene's syntax: a phrase, or the text with
// Lucene's operators escaped (Lucene then ORs its bigrams, its default).
func neo4jText(text, mode string) string {
	if mode == eval.ModePhrase {
		return lucenePhrase(text)
	}
	return luceneEscape(text)
}

// oursAll returns every match of q among the documents of source, best first.
func oursAll(ctx context.Context, ix *search.Index, q, source string) ([]string, error) {
	var ids []string
	after := ""
	for {
		res, err := ix.Search(ctx, search.Request{Query: q, First: search.MaxPageSize, After: after,
			Filter: search.Filter{Agencies: []string{source}}, Scope: search.Scope{All: true}})
		if err != nil {
			return ids, fmt.Errorf("search %q: %w", q, err)
		}
		for _, h := range res.Hits {
			ids = append(ids, h.UID)
		}
		if !res.HasNext {
			return ids, nil
		}
		after = res.EndCursor
	}
}

func oursTop(ctx context.Context, ix *search.Index, q, source string) {
	ix.Search(ctx, search.Request{Query: q, First: 10, Filter: search.Filter{Agencies: []string{source}}, Scope: search.Scope{All: true}})
}
