package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"sort"
	"strings"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/search"
)

// searchScope is the caller's visibility scope as a search filter: the
// same tokens the Cypher matches, in the bleve query.
func searchScope(ctx context.Context) search.Scope {
	s := casegraph.ScopeFrom(ctx)
	return search.Scope{All: s.All, Agencies: s.Tokens, Unseal: s.Unseal}
}

// bleve keeps dates as int64 nanoseconds since 1970, so a range bound
// outside 1678–2262 made the search fail with an internal error (found by
// schemathesis). No case is filed out there: moving such a bound to the edge
// of that span answers the same.
var (
	searchDateMin = time.Date(1678, 1, 1, 0, 0, 0, 0, time.UTC)
	searchDateMax = time.Date(2262, 1, 1, 0, 0, 0, 0, time.UTC)
)

func searchDate(t *time.Time) *time.Time {
	switch {
	case t == nil:
		return nil
	case t.Before(searchDateMin):
		m := searchDateMin
		return &m
	case t.After(searchDateMax):
		m := searchDateMax
		return &m
	}
	return t
}

func (r *queryResolver) search(ctx context.Context, query string, filter *model.SearchFilter, order *model.SearchSort, first *int, after *string) (*model.SearchResult, error) {
	if r.Index == nil {
		return nil, casegraph.Errorf(casegraph.EUNAVAILABLE, "search is not available on this server")
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	req := search.Request{Query: query, First: n, Scope: searchScope(ctx), Sort: search.SortRelevance}
	req.Facets, req.Highlight = selected(ctx)
	if order != nil {
		req.Sort = search.Sort(*order)
	}
	if after != nil {
		req.After = *after
	}
	if f := filter; f != nil {
		req.Filter = search.Filter{Agencies: f.Agencies, Kinds: f.Kinds, Stages: f.Stages, Charges: f.Charges,
			Districts: f.Districts, FiledFrom: searchDate(f.FiledFrom), FiledTo: searchDate(f.FiledTo)}
		for _, t := range f.Types {
			req.Filter.Types = append(req.Filter.Types, strings.ToLower(string(t)))
		}
	}
	res, err := r.Index.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	out := &model.SearchResult{TotalCount: int(res.Total), Hits: res.Hits, PageInfo: &model.PageInfo{HasNextPage: res.HasNext}}
	if res.EndCursor != "" {
		out.PageInfo.EndCursor = &res.EndCursor
	}
	fields := make([]string, 0, len(res.Facets))
	for f := range res.Facets {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		facet := model.Facet{Field: f, Values: []model.FacetValue{}}
		for _, v := range res.Facets[f] {
			facet.Values = append(facet.Values, model.FacetValue{Value: v.Value, Count: v.Count})
		}
		out.Facets = append(out.Facets, facet)
	}
	if out.Facets == nil {
		out.Facets = []model.Facet{}
	}
	return out, nil
}

// highlights are the hit's fragments by field, with identity and phone
// numbers masked for a caller without the PII permission (the index holds
// them unmasked, so that a number can be found).
func highlights(ctx context.Context, h *search.Hit) []model.Highlight {
	fields := make([]string, 0, len(h.Fragments))
	for f := range h.Fragments {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	out := make([]model.Highlight, 0, len(fields))
	for _, f := range fields {
		frags := make([]string, len(h.Fragments[f]))
		for i, fr := range h.Fragments[f] {
			frags[i] = maskedFragment(ctx, fr)
		}
		out = append(out, model.Highlight{Field: f, Fragments: frags})
	}
	return out
}

// maskedFragment masks a highlighted fragment: the <mark> tags may split a
// number, so they are taken out, the text is masked, and a fragment that
// changed is returned without marks.
func maskedFragment(ctx context.Context, fr string) string {
	if casegraph.ScopeFrom(ctx).PII {
		return fr
	}
	plain := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(fr)
	if m := masked(ctx, plain); m != plain {
		return m
	}
	return fr
}

// selected says whether the query selects facets and hits' highlights:
// search computes only what is asked for.
func selected(ctx context.Context) (facets, highlight bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil {
		return true, true
	}
	oc := graphql.GetOperationContext(ctx)
	for _, f := range graphql.CollectFields(oc, fc.Field.Selections, nil) {
		switch f.Name {
		case "facets":
			facets = true
		case "hits":
			for _, h := range graphql.CollectFields(oc, f.Selections, nil) {
				if h.Name == "highlights" {
					highlight = true
				}
			}
		}
	}
	return facets, highlight
}
