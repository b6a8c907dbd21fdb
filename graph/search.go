package graph

import (
	"context"
	"sort"
	"strings"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/search"
)

// searchScope is what the caller may find: the caller's agency, or — until
// authentication lands, on the loopback-only server — everything when the
// request names no agency.
func searchScope(ctx context.Context) search.Scope {
	if c := casegraph.CallerFrom(ctx); c.Agency != "" {
		return search.Scope{Agencies: []string{c.Agency}}
	}
	return search.Scope{All: true}
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
	if order != nil {
		req.Sort = search.Sort(*order)
	}
	if after != nil {
		req.After = *after
	}
	if f := filter; f != nil {
		req.Filter = search.Filter{Agencies: f.Agencies, Kinds: f.Kinds, Stages: f.Stages, Charges: f.Charges,
			Districts: f.Districts, FiledFrom: f.FiledFrom, FiledTo: f.FiledTo}
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

func highlights(h *search.Hit) []model.Highlight {
	fields := make([]string, 0, len(h.Fragments))
	for f := range h.Fragments {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	out := make([]model.Highlight, 0, len(fields))
	for _, f := range fields {
		out = append(out, model.Highlight{Field: f, Fragments: h.Fragments[f]})
	}
	return out
}
