package graph

import (
	"context"
	"fmt"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// RepeatStore finds repeat offenders.
type RepeatStore interface {
	RepeatOffenders(ctx context.Context, min int, districts, charges []string, first int) ([]neo4jdb.RepeatOffender, error)
}

func (r *queryResolver) repeatOffenders(ctx context.Context, filter *model.RepeatOffenderFilter, first *int) ([]model.RepeatOffender, error) {
	rs, ok := r.Store.(RepeatStore)
	if !ok {
		return nil, fmt.Errorf("repeatOffenders: the store %T finds no repeat offenders", r.Store)
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	min := 2
	var districts, charges []string
	if filter != nil {
		if filter.MinMatters != nil {
			min = *filter.MinMatters
		}
		districts, charges = filter.Districts, filter.Charges
	}
	if min < 2 || min > 1000 {
		return nil, casegraph.Errorf(casegraph.EINVALID, "minMatters must be 2 to 1000, not %d", min)
	}
	ros, err := rs.RepeatOffenders(ctx, min, districts, charges, n)
	if err != nil {
		return nil, err
	}
	out := make([]model.RepeatOffender, 0, len(ros))
	for i := range ros {
		ro := ros[i]
		out = append(out, model.RepeatOffender{Person: &ro.Person, Matters: ro.Matters, Cases: ro.Cases})
	}
	return out, nil
}
