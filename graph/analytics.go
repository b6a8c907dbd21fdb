package graph

import (
	"context"
	"fmt"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// TrendStore counts cases for the analytics queries.
type TrendStore interface {
	CrimeTrend(ctx context.Context, q neo4jdb.TrendQuery) (neo4jdb.Trend, error)
}

// crimeTrend answers crimeTrend: the store counts under the caller's scope;
// a caller who may not read cases gets small counts suppressed.
func (r *queryResolver) crimeTrend(ctx context.Context, filter *model.TrendFilter, interval *model.Interval, groupBy *model.TrendGroup) (*neo4jdb.Trend, error) {
	ts, ok := r.Store.(TrendStore)
	if !ok {
		return nil, fmt.Errorf("crimeTrend: the store %T counts no trends", r.Store)
	}
	q := neo4jdb.TrendQuery{Interval: neo4jdb.IntervalMonth, GroupBy: neo4jdb.GroupNone, Suppress: true}
	if interval != nil {
		q.Interval = neo4jdb.TrendInterval(*interval)
	}
	if groupBy != nil {
		q.GroupBy = neo4jdb.TrendGroup(*groupBy)
	}
	if filter != nil {
		q.From, q.To = filter.From, filter.To
		q.Charges, q.Districts, q.Agencies = filter.Charges, filter.Districts, filter.Agencies
	}
	q.Suppress = !casegraph.ScopeFrom(ctx).SmallCounts
	tr, err := ts.CrimeTrend(ctx, q)
	if err != nil {
		return nil, err
	}
	return &tr, nil
}
