package search

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/blevesearch/bleve/v2"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/casegraph/casegraph"
)

// Page sizes.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// Sort is the order of search results.
type Sort string

// Sort orders. Ties are broken by uid, so the order is total and cursors
// never skip or repeat a hit.
const (
	SortRelevance Sort = "RELEVANCE"  // score, best first
	SortFiledDesc Sort = "FILED_DESC" // filed date, newest first; no date last
	SortFiledAsc  Sort = "FILED_ASC"  // filed date, oldest first; no date last
)

// Filter narrows a search. Empty fields do not filter; values within one
// field are alternatives, fields are all required.
type Filter struct {
	Agencies  []string // the case's agency, or an agency that has the person
	Kinds     []casegraph.CaseKind
	Stages    []casegraph.Stage
	Charges   []string // 罪名 as stored, e.g. 盗窃罪
	Districts []string
	// FiledFrom and FiledTo bound the filed date, both inclusive.
	FiledFrom, FiledTo *time.Time
	Types              []string // TypeCase, TypePerson
}

func (f Filter) empty() bool {
	return len(f.Agencies) == 0 && len(f.Kinds) == 0 && len(f.Stages) == 0 && len(f.Charges) == 0 &&
		len(f.Districts) == 0 && f.FiledFrom == nil && f.FiledTo == nil && len(f.Types) == 0
}

// Scope is what the caller may see: every document (All) or those whose
// scopeAgencies include one of Agencies (the caller's scope tokens:
// agency codes and KIND@region supervision tokens). The zero Scope sees
// nothing. Sealed documents are found only with Unseal (a caller with the
// unseal permission who gave a reason).
type Scope struct {
	All      bool
	Agencies []string
	Unseal   bool
}

// Request is a search.
type Request struct {
	Query  string // query syntax: docs/search.md
	Filter Filter
	Sort   Sort // SortRelevance when empty
	First  int  // page size: DefaultPageSize when 0, at most MaxPageSize
	After  string
	Scope  Scope
	// Facets asks for Result.Facets. Counting them reads the facet fields
	// of every match, which costs more than finding the matches, so a
	// caller that shows no facets should leave it false.
	Facets bool
	// Highlight asks for Hit.Fragments, made from the stored text and term
	// vectors of the page's hits only. A highlighted search checks every
	// bigram of a phrase (so that the highlighter marks it whole), which
	// scores matches slightly differently: use the same Highlight on every
	// page of a cursor walk.
	Highlight bool
}

// Hit is one document found.
type Hit struct {
	Type  string // TypeCase or TypePerson
	UID   string
	Score float64
	// Fragments are highlighted excerpts by field (title, summary, charges,
	// persons, name), HTML-escaped, matches in <mark>…</mark>; nil unless
	// the request asked for highlights.
	Fragments map[string][]string
}

// FacetCount is one value of a facet and how many matching documents have it.
type FacetCount struct {
	Value string
	Count int
}

// Result is a page of hits. Total and Facets count every match the caller
// may see, not only this page. Facets is empty unless the request asked for
// facets.
type Result struct {
	Total     uint64
	Hits      []Hit
	Facets    map[string][]FacetCount
	EndCursor string
	HasNext   bool
}

// Facet names in Result.Facets.
const (
	FacetType     = "type"
	FacetAgency   = "agency"
	FacetKind     = "kind"
	FacetStage    = "stage"
	FacetCharge   = "charge"
	FacetDistrict = "district"
	FacetYear     = "year"
)

var facetFields = map[string]string{
	FacetType: fType, FacetAgency: fAgency, FacetKind: fKind, FacetStage: fStage,
	FacetCharge: fCharge, FacetDistrict: fDistrict, FacetYear: fYear,
}

// FacetSize is how many values each facet returns at most.
const FacetSize = 20

var highlightFields = []string{fTitle, fSummary, fCharges, fPersons, fName}

// cursor is the decoded form of Request.After: the sort keys of the last
// hit of the previous page. Keys are kept as bytes because a missing filed
// date sorts by a non-UTF-8 sentinel.
type cursor struct {
	Sort Sort     `json:"s"`
	Keys [][]byte `json:"k"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

func badCursor() error {
	return invalid("翻页游标无效，请原样传回上一页的 endCursor", "after: not a cursor this search issued; pass endCursor back unchanged")
}

func decodeCursor(s string, want Sort) ([]string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, badCursor()
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || len(c.Keys) != 2 {
		return nil, badCursor()
	}
	if c.Sort != want {
		return nil, invalid("翻页游标属于另一种排序", fmt.Sprintf("after: the cursor is for sort %s, not %s", c.Sort, want))
	}
	keys := []string{string(c.Keys[0]), string(c.Keys[1])}
	if want == SortRelevance {
		if _, err := strconv.ParseFloat(keys[0], 64); err != nil {
			return nil, badCursor()
		}
	}
	return keys, nil
}

func sortOrder(s Sort) bsearch.SortOrder {
	id := &bsearch.SortDocID{}
	switch s {
	case SortFiledDesc, SortFiledAsc:
		return bsearch.SortOrder{
			&bsearch.SortField{Field: fFiledDay, Desc: s == SortFiledDesc, Type: bsearch.SortFieldAsString, Missing: bsearch.SortFieldMissingLast},
			id,
		}
	}
	return bsearch.SortOrder{&bsearch.SortScore{Desc: true}, id}
}

// check validates a request and fills in defaults.
func (r *Request) check() error {
	switch r.Sort {
	case "":
		r.Sort = SortRelevance
	case SortRelevance, SortFiledDesc, SortFiledAsc:
	default:
		return invalid(fmt.Sprintf("排序方式 %s 无效", r.Sort),
			fmt.Sprintf("sort %q is not one of RELEVANCE, FILED_DESC, FILED_ASC", r.Sort))
	}
	switch {
	case r.First == 0:
		r.First = DefaultPageSize
	case r.First < 0 || r.First > MaxPageSize:
		return invalid(fmt.Sprintf("每页条数 %d 超出范围，应为1到%d", r.First, MaxPageSize),
			fmt.Sprintf("first: %d is out of range; ask for 1 to %d hits a page", r.First, MaxPageSize))
	}
	f := r.Filter
	if f.FiledFrom != nil && f.FiledTo != nil && f.FiledFrom.After(*f.FiledTo) {
		return invalid("立案日期起点晚于终点", fmt.Sprintf("filter: filedFrom %s is after filedTo %s",
			f.FiledFrom.Format(time.DateOnly), f.FiledTo.Format(time.DateOnly)))
	}
	for _, k := range f.Kinds {
		if !slices.Contains(casegraph.CaseKinds, k) {
			return invalid(fmt.Sprintf("案件类型 %s 无效", k), fmt.Sprintf("filter: %q is not a case kind", k))
		}
	}
	for _, s := range f.Stages {
		if !s.Valid() {
			return invalid(fmt.Sprintf("诉讼阶段 %s 无效", s), fmt.Sprintf("filter: %q is not a stage", s))
		}
	}
	for _, t := range f.Types {
		if t != TypeCase && t != TypePerson {
			return invalid(fmt.Sprintf("文档类型 %s 无效", t), fmt.Sprintf("filter: type %q is not case or person", t))
		}
	}
	return nil
}

func termsOf(field string, values []string) query.Query {
	var qs []query.Query
	for _, v := range values {
		qs = append(qs, termQuery(field, v))
	}
	return anyOf(qs...)
}

func stringsOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func sealedQuery(v bool) query.Query {
	q := query.NewBoolFieldQuery(v)
	q.SetField(fSealed)
	return q
}

// filterQuery is what a document must satisfy besides the query string: not
// sealed when notSealed is set, in scope, and the request's filters; nil
// when that is nothing. It is a bleve boolean filter: it decides what
// matches (and so the total and the facets) but adds nothing to scores.
func filterQuery(f Filter, s Scope, notSealed bool) query.Query {
	var qs []query.Query
	if notSealed {
		qs = append(qs, sealedQuery(false))
	}
	if !s.All {
		qs = append(qs, termsOf(fScopeAgencies, s.Agencies))
	}
	if len(f.Agencies) > 0 {
		qs = append(qs, anyOf(termsOf(fAgency, f.Agencies), termsOf(fAgencies, f.Agencies)))
	}
	if len(f.Kinds) > 0 {
		qs = append(qs, termsOf(fKind, stringsOf(f.Kinds)))
	}
	if len(f.Stages) > 0 {
		qs = append(qs, termsOf(fStage, stringsOf(f.Stages)))
	}
	if len(f.Charges) > 0 {
		qs = append(qs, termsOf(fCharge, f.Charges))
	}
	if len(f.Districts) > 0 {
		qs = append(qs, termsOf(fDistrict, f.Districts))
	}
	if len(f.Types) > 0 {
		qs = append(qs, termsOf(fType, f.Types))
	}
	if f.FiledFrom != nil || f.FiledTo != nil {
		var from, to time.Time
		if f.FiledFrom != nil {
			from = *f.FiledFrom
		}
		if f.FiledTo != nil {
			to = *f.FiledTo
		}
		yes := true
		dq := query.NewDateRangeInclusiveQuery(from, to, &yes, &yes)
		dq.SetField(fFiledAt)
		qs = append(qs, dq)
	}
	switch len(qs) {
	case 0:
		return nil
	case 1:
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

// Search runs a request against the index. Bad input is a *casegraph.Error
// with code EINVALID. The search stops at ctx's deadline.
func (ix *Index) Search(ctx context.Context, r Request) (*Result, error) {
	if err := r.check(); err != nil {
		return nil, err
	}
	pq, err := parseQuery(r.Query, r.Highlight)
	if err != nil {
		return nil, err
	}
	if pq.empty() && r.Filter.empty() {
		return nil, invalid("请输入查询词或筛选条件", "the query is empty; give words to search for or a filter")
	}
	if !r.Scope.All && len(r.Scope.Agencies) == 0 {
		// Nothing is visible; say so without asking bleve.
		return &Result{Facets: map[string][]FacetCount{}}, nil
	}
	// Every document has a sealed field, true or false. Sealed documents
	// are few, so "not sealed:true" costs a look at a short postings list
	// where "sealed:false" as a filter walks one as long as the index;
	// without a must clause bleve would start from every document, so
	// there the filter keeps the check. must_not adds nothing to scores,
	// as a filter does.
	mustNot := pq.mustNot
	sealedApart := !r.Scope.Unseal && len(pq.must) > 0
	if sealedApart {
		mustNot = append(slices.Clip(mustNot), sealedQuery(true))
	}
	bq := query.NewBooleanQuery(nil, nil, nil)
	// One clause is used as it is rather than as a conjunction or
	// disjunction of one: the same matches and scores (a conjunction of one
	// adds its clause's score to 0, and the boolean query gives its must
	// clause the same query norm either way) without a layer that visits
	// every match.
	switch len(pq.must) {
	case 0:
	case 1:
		bq.Must = pq.must[0]
	default:
		bq.AddMust(pq.must...)
	}
	switch len(mustNot) {
	case 0:
	case 1:
		bq.MustNot = mustNot[0]
	default:
		bq.AddMustNot(mustNot...)
	}
	if fq := filterQuery(r.Filter, r.Scope, !r.Scope.Unseal && !sealedApart); fq != nil {
		bq.AddFilter(fq)
	}

	req := bleve.NewSearchRequestOptions(bq, r.First+1, 0, false)
	var keys []string
	if r.After != "" {
		if keys, err = decodeCursor(r.After, r.Sort); err != nil {
			return nil, err
		}
	}
	// A relevance page without highlights is collected by topByScore,
	// which reads a match's uid only where it decides the order; bleve's
	// highlighter works on the hits of its own collector.
	var top *topByScore
	if r.Sort == SortRelevance && !r.Highlight && collectByScore {
		top = &topByScore{n: r.First + 1}
		if keys != nil {
			score, _ := strconv.ParseFloat(keys[0], 64) // checked by decodeCursor
			top.after = &scoreKey{score: score, uid: keys[1]}
		}
		req.SortByCustom(bsearch.SortOrder{&bsearch.SortScore{Desc: true}})
		ctx = top.install(ctx)
	} else {
		req.SortByCustom(sortOrder(r.Sort))
		if keys != nil {
			req.SetSearchAfter(keys)
		}
		req.Fields = []string{fType}
	}
	if r.Highlight {
		req.Highlight = bleve.NewHighlightWithStyle("html")
		for _, f := range highlightFields {
			req.Highlight.AddField(f)
		}
	}
	if r.Facets {
		for name, field := range facetFields {
			req.AddFacet(name, bleve.NewFacetRequest(field, FacetSize))
		}
	}
	res, err := ix.searchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &Result{Total: res.Total, Facets: map[string][]FacetCount{}}
	var hits []Hit
	var lastSort string // the first sort key of the last hit of the page
	if top != nil {
		for _, m := range top.page {
			hits = append(hits, Hit{Type: m.typ, UID: m.uid, Score: m.score})
		}
	} else {
		for _, h := range res.Hits {
			typ, _ := h.Fields[fType].(string)
			hits = append(hits, Hit{Type: typ, UID: h.ID, Score: h.Score, Fragments: h.Fragments})
		}
		if n := min(len(res.Hits), r.First); n > 0 {
			lastSort = res.Hits[n-1].Sort[0]
		}
	}
	if len(hits) > r.First {
		hits, out.HasNext = hits[:r.First], true
	}
	out.Hits = hits
	if n := len(hits); n > 0 {
		last := hits[n-1]
		c := cursor{Sort: r.Sort}
		if r.Sort == SortRelevance {
			c.Keys = [][]byte{[]byte(strconv.FormatFloat(last.Score, 'g', -1, 64)), []byte(last.UID)}
		} else {
			c.Keys = [][]byte{[]byte(lastSort), []byte(last.UID)}
		}
		out.EndCursor = encodeCursor(c)
	}
	for name, fr := range res.Facets {
		var counts []FacetCount
		if fr.Terms != nil {
			for _, t := range fr.Terms.Terms() {
				counts = append(counts, FacetCount{Value: t.Term, Count: t.Count})
			}
		}
		sort.SliceStable(counts, func(i, j int) bool {
			if counts[i].Count != counts[j].Count {
				return counts[i].Count > counts[j].Count
			}
			return counts[i].Value < counts[j].Value
		})
		out.Facets[name] = counts
	}
	return out, nil
}

// errIndexUnusable is what a search answers while the index is damaged:
// bleve panics on reads after a segment failed to persist (a full disk).
// internal/searchsync rebuilds the index from the graph, so the client may
// try again later.
var errIndexUnusable = &casegraph.Error{Code: casegraph.EUNAVAILABLE,
	Message: "搜索索引暂时不可用，正在根据案件图重建，请稍后重试 (the search index is unusable and is being rebuilt from the case graph; try again later)"}

// searchInContext runs req, turning a deadline into an error a user can act
// on and a panic inside bleve (a damaged index) into UNAVAILABLE; the panic
// stays in the error for the log.
func (ix *Index) searchInContext(ctx context.Context, req *bleve.SearchRequest) (res *bleve.SearchResult, err error) {
	defer func() {
		if r := recover(); r != nil {
			res, err = nil, fmt.Errorf("search: %w [bleve panicked: %v]", errIndexUnusable, r)
		}
	}()
	res, err = ix.bi.SearchInContext(ctx, req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, casegraph.Errorf(casegraph.EUNAVAILABLE,
				"搜索超时，请缩小查询范围 (the search timed out; narrow the query or add filters)")
		}
		return nil, fmt.Errorf("search: %w", err)
	}
	return res, nil
}
