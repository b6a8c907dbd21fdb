package graph

import (
	"context"
	"fmt"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// RisingStore ranks rising charges.
type RisingStore interface {
	RisingCharges(ctx context.Context, q neo4jdb.RisingQuery) ([]neo4jdb.RisingCharge, time.Time, error)
}

func (r *queryResolver) risingCharges(ctx context.Context, windowDays *int, end *time.Time, districts, agencies []string, first *int) (*model.RisingCharges, error) {
	rs, ok := r.Store.(RisingStore)
	if !ok {
		return nil, fmt.Errorf("risingCharges: the store %T ranks no charges", r.Store)
	}
	n := 10
	if first != nil {
		n = *first
	}
	w := 90
	if windowDays != nil {
		w = *windowDays
	}
	switch {
	case n < 1 || n > 100:
		return nil, casegraph.Errorf(casegraph.EINVALID, "first must be 1 to 100, not %d", n)
	case w < 1 || w > 3660:
		return nil, casegraph.Errorf(casegraph.EINVALID, "windowDays must be 1 to 3660, not %d", w)
	}
	q := neo4jdb.RisingQuery{WindowDays: w, End: end, Districts: districts, Agencies: agencies, Suppress: true}
	q.Suppress = !casegraph.ScopeFrom(ctx).SmallCounts
	cs, e, err := rs.RisingCharges(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(cs) > n {
		cs = cs[:n]
	}
	out := &model.RisingCharges{End: e, WindowDays: w, Charges: make([]model.RisingCharge, 0, len(cs))}
	for _, c := range cs {
		out.Charges = append(out.Charges, model.RisingCharge{Charge: c.Charge, Current: c.Current, Previous: c.Previous,
			PValue: c.PValue, Significant: c.Significant})
	}
	return out, nil
}
