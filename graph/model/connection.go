package model

import (
	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// CaseConnection is a page of cases. It keeps the filter so that totalCount
// is counted only when a client asks for it.
type CaseConnection struct {
	Edges    []CaseEdge
	PageInfo PageInfo
	Filter   casegraph.CaseFilter
}

// AlertConnection is a page of supervision alerts. It keeps the filter so
// that totalCount is counted only when a client asks for it.
type AlertConnection struct {
	Edges    []AlertEdge
	PageInfo PageInfo
	Filter   neo4jdb.AlertFilter
}

// AlertEdge is one alert and its cursor.
type AlertEdge struct {
	Cursor string
	Node   neo4jdb.Alert
}
