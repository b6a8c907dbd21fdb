package graph

import (
	"context"
	"fmt"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// LinkStore finds 串并案 candidates.
type LinkStore interface {
	LinkedCases(ctx context.Context, uid string, first int) ([]neo4jdb.LinkedCase, error)
}

func (r *queryResolver) linkedCases(ctx context.Context, id string, first *int) ([]model.LinkedCase, error) {
	ls, ok := r.Store.(LinkStore)
	if !ok {
		return nil, fmt.Errorf("linkedCases: the store %T finds no linked cases", r.Store)
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	// A case the caller may not see has no candidates to show: null, as
	// for a case that does not exist.
	if c, err := optionalCase(ctx, id); err != nil || c == nil {
		return nil, err
	}
	lcs, err := ls.LinkedCases(ctx, id, n)
	if err != nil {
		return nil, err
	}
	pii := casegraph.ScopeFrom(ctx).PII
	out := make([]model.LinkedCase, 0, len(lcs))
	for i := range lcs {
		lc := lcs[i]
		m := model.LinkedCase{Case: &lc.Case, Score: lc.Score, Evidence: []model.LinkEvidence{}}
		for _, e := range lc.Evidence {
			ev := model.LinkEvidence{Kind: e.Kind, Detail: e.Detail}
			switch e.Kind {
			case "SHARED_PERSON":
				p := e.Person
				ev.Person = &p
			case "SHARED_OBJECT":
				v := e.ObjValue
				if !pii {
					v = authz.MaskObject(e.ObjKind, v)
				}
				ev.Detail = e.ObjKind + " " + v
			default:
				ev.Detail = fmt.Sprintf("%s，立案相隔%d日", e.Detail, e.Days)
			}
			m.Evidence = append(m.Evidence, ev)
		}
		out = append(out, m)
	}
	return out, nil
}
