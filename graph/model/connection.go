package model

import "github.com/casegraph/casegraph"

// CaseConnection is a page of cases. It keeps the filter so that totalCount
// is counted only when a client asks for it.
type CaseConnection struct {
	Edges    []CaseEdge
	PageInfo PageInfo
	Filter   casegraph.CaseFilter
}
