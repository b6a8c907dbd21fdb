package graph

import (
	"context"
	"fmt"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// HotspotStore counts cases by place.
type HotspotStore interface {
	CaseHotspots(ctx context.Context, q neo4jdb.HotspotQuery) (*neo4jdb.Hotspots, error)
}

func (r *queryResolver) hotspots(ctx context.Context, filter *model.TrendFilter, level *model.HotspotLevel, cellDegrees *float64) (*model.Hotspots, error) {
	hs, ok := r.Store.(HotspotStore)
	if !ok {
		return nil, fmt.Errorf("hotspots: the store %T counts no hotspots", r.Store)
	}
	lv := model.HotspotLevelDistrict
	if level != nil {
		lv = *level
	}
	q := neo4jdb.HotspotQuery{Grid: lv == model.HotspotLevelGrid, Cell: 0.01, Suppress: true}
	if cellDegrees != nil {
		q.Cell = *cellDegrees
	}
	if filter != nil {
		q.From, q.To = filter.From, filter.To
		q.Charges, q.Districts, q.Agencies = filter.Charges, filter.Districts, filter.Agencies
	}
	if q.From != nil && q.To != nil && q.To.Before(*q.From) {
		return nil, casegraph.Errorf(casegraph.EINVALID, "filter.to is before filter.from")
	}
	q.Suppress = !casegraph.ScopeFrom(ctx).SmallCounts
	res, err := hs.CaseHotspots(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &model.Hotspots{Level: lv, Truncated: res.Truncated, Cells: make([]model.HotspotCell, 0, len(res.Cells))}
	if q.Grid {
		c := q.Cell
		out.CellDegrees = &c
	}
	if !res.UnplacedSuppressed {
		u := res.Unplaced
		out.Unplaced = &u
	}
	for _, c := range res.Cells {
		cell := model.HotspotCell{Count: c.Count, Suppressed: c.Suppressed}
		if q.Grid {
			s, w, n, e := c.South, c.West, c.North, c.East
			cell.South, cell.West, cell.North, cell.East = &s, &w, &n, &e
		} else {
			d := c.District
			cell.District = &d
		}
		out.Cells = append(out.Cells, cell)
	}
	return out, nil
}
