package graph

import (
	"context"
	"fmt"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// NetworkStore expands person networks.
type NetworkStore interface {
	PersonNetwork(ctx context.Context, uid string, depth, limit, perPerson int) (*neo4jdb.Network, error)
}

func (r *queryResolver) personNetwork(ctx context.Context, id string, depth, limit, perPerson *int) (*model.PersonNetwork, error) {
	ns, ok := r.Store.(NetworkStore)
	if !ok {
		return nil, fmt.Errorf("personNetwork: the store %T expands no networks", r.Store)
	}
	d, l, pp := 1, 100, 50
	if depth != nil {
		d = *depth
	}
	if limit != nil {
		l = *limit
	}
	if perPerson != nil {
		pp = *perPerson
	}
	switch {
	case d < 1 || d > neo4jdb.MaxNetworkDepth:
		return nil, casegraph.Errorf(casegraph.EINVALID, "depth must be 1 to %d, not %d", neo4jdb.MaxNetworkDepth, d)
	case l < 1 || l > 500:
		return nil, casegraph.Errorf(casegraph.EINVALID, "limit must be 1 to 500, not %d", l)
	case pp < 1 || pp > 500:
		return nil, casegraph.Errorf(casegraph.EINVALID, "perPerson must be 1 to 500, not %d", pp)
	}
	n, err := ns.PersonNetwork(ctx, id, d, l, pp)
	if err != nil || n == nil {
		return nil, err
	}
	out := &model.PersonNetwork{Center: &n.Center, Capped: n.Capped, Nodes: []model.NetworkNode{}, Links: []model.NetworkLink{}}
	for i := range n.Persons {
		p := n.Persons[i]
		out.Nodes = append(out.Nodes, model.NetworkNode{Person: &p, Depth: n.Depth[p.UID]})
	}
	pii := casegraph.ScopeFrom(ctx).PII
	for _, k := range n.Links {
		link := model.NetworkLink{From: k.From, To: k.To, Kind: k.Kind}
		if k.Via != "" {
			via := k.Via
			if !pii && k.ViaKind != "CASE" {
				via = authz.MaskObject(k.ViaKind, via)
			}
			link.Via = &via
		}
		out.Links = append(out.Links, link)
	}
	return out, nil
}
