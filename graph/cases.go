package graph

import (
	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
)

// Page sizes of connections.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

type caseListArgs struct {
	filter casegraph.CaseFilter
	first  int
	after  *casegraph.CaseKey
}

// caseListRequest checks the arguments of Query.cases and turns them into
// the store's terms.
func caseListRequest(f *model.CaseFilter, first *int, after *string) (caseListArgs, error) {
	req := caseListArgs{first: defaultPageSize}
	if first != nil {
		if *first < 1 || *first > maxPageSize {
			return req, casegraph.Errorf(casegraph.EINVALID, "first: %d is out of range; ask for 1 to %d cases a page", *first, maxPageSize)
		}
		req.first = *first
	}
	if after != nil {
		key, err := decodeCursor(*after)
		if err != nil {
			return req, err
		}
		req.after = key
	}
	if f != nil {
		req.filter = casegraph.CaseFilter{
			AgencyCode: f.Agency,
			Kind:       f.Kind,
			Stage:      f.Stage,
			Offense:    f.Offense,
			FiledFrom:  f.FiledFrom,
			FiledTo:    f.FiledTo,
		}
		if f.FiledFrom != nil && f.FiledTo != nil && f.FiledFrom.After(*f.FiledTo) {
			return req, casegraph.Errorf(casegraph.EINVALID, "filter: filedFrom %s is after filedTo %s",
				f.FiledFrom.Format("2006-01-02"), f.FiledTo.Format("2006-01-02"))
		}
		for _, s := range []*string{f.Agency, f.Offense} {
			if s != nil && *s == "" {
				return req, casegraph.Errorf(casegraph.EINVALID, "filter: agency and offense, when given, must not be empty")
			}
		}
	}
	return req, nil
}

func caseConnection(cases []casegraph.Case, more bool, req caseListArgs) *model.CaseConnection {
	conn := &model.CaseConnection{Filter: req.filter, Edges: make([]model.CaseEdge, 0, len(cases))}
	for i := range cases {
		conn.Edges = append(conn.Edges, model.CaseEdge{Cursor: encodeCursor(cases[i]), Node: &cases[i]})
	}
	conn.PageInfo.HasNextPage = more
	conn.PageInfo.HasPreviousPage = req.after != nil
	if n := len(conn.Edges); n > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[n-1].Cursor
	}
	return conn
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
