package graph

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vikstrous/dataloadgen"

	"github.com/casegraph/casegraph"
)

// Loaders batch the lookups of one request, so that a page of cases with
// their agencies and parties costs a fixed number of round trips whatever
// the page size.
type Loaders struct {
	Agency       *dataloadgen.Loader[string, casegraph.Agency]
	Case         *dataloadgen.Loader[string, casegraph.Case]
	Person       *dataloadgen.Loader[string, casegraph.Person]
	Parties      *dataloadgen.Loader[string, []casegraph.Party]
	Offenses     *dataloadgen.Loader[string, []casegraph.Offense]
	Lineage      *dataloadgen.Loader[string, casegraph.Lineage]
	Involvements *dataloadgen.Loader[string, []casegraph.Involvement]
}

// loaderWait is how long a loader collects keys before it sends a batch.
const loaderWait = 2 * time.Millisecond

// NewLoaders returns fresh loaders over s; make one set per request.
func NewLoaders(s BatchStore) *Loaders {
	opts := []dataloadgen.Option{dataloadgen.WithWait(loaderWait)}
	return &Loaders{
		Agency:       dataloadgen.NewMappedLoader(s.AgenciesByCode, opts...),
		Case:         dataloadgen.NewMappedLoader(s.CasesByUID, opts...),
		Person:       dataloadgen.NewMappedLoader(s.PersonsByUID, opts...),
		Parties:      dataloadgen.NewMappedLoader(complete(s.PartiesByCase), opts...),
		Offenses:     dataloadgen.NewMappedLoader(complete(s.OffensesByCase), opts...),
		Lineage:      dataloadgen.NewMappedLoader(complete(s.TransfersByCase), opts...),
		Involvements: dataloadgen.NewMappedLoader(complete(s.InvolvementsByPerson), opts...),
	}
}

// complete makes a key with nothing to load map to the zero value (an empty
// list) instead of "not found".
func complete[V any](fetch func(context.Context, []string) (map[string]V, error)) func(context.Context, []string) (map[string]V, error) {
	return func(ctx context.Context, keys []string) (map[string]V, error) {
		m, err := fetch(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				var zero V
				m[k] = zero
			}
		}
		return m, nil
	}
}

type loadersKey struct{}

// LoadersMiddleware installs fresh loaders in each request's context.
func LoadersMiddleware(s BatchStore) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := context.WithValue(r.Context(), loadersKey{}, NewLoaders(s))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// loaders returns the request's loaders.
func loaders(ctx context.Context) *Loaders {
	l, _ := ctx.Value(loadersKey{}).(*Loaders)
	if l == nil {
		panic("graph: no loaders in context; wrap the handler with LoadersMiddleware")
	}
	return l
}

// optional turns a loader's "not found" into nil.
func optional[V any](v V, err error) (*V, error) {
	if errors.Is(err, dataloadgen.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// prefetchPage puts every case of a page into the batches of the loaders
// that the query will use on the page's nodes, so that each becomes one
// query however the resolvers of the nodes are scheduled.
func prefetchPage(ctx context.Context, cases []casegraph.Case) {
	fields := pageNodeFields(ctx)
	if len(fields) == 0 || len(cases) == 0 {
		return
	}
	l := loaders(ctx)
	uids := make([]string, len(cases))
	codes := make([]string, 0, len(cases))
	seen := map[string]bool{}
	for i, c := range cases {
		uids[i] = c.UID
		if !seen[c.AgencyCode] {
			seen[c.AgencyCode] = true
			codes = append(codes, c.AgencyCode)
		}
	}
	if fields["agency"] {
		l.Agency.LoadAllThunk(ctx, codes)
	}
	if fields["parties"] {
		l.Parties.LoadAllThunk(ctx, uids)
	}
	if fields["offenses"] {
		l.Offenses.LoadAllThunk(ctx, uids)
	}
	if fields["transferredFrom"] || fields["transferredTo"] {
		l.Lineage.LoadAllThunk(ctx, uids)
	}
}

// pageNodeFields returns the names of the fields selected on edges.node of
// the connection field being resolved.
func pageNodeFields(ctx context.Context) map[string]bool {
	oc := graphql.GetOperationContext(ctx)
	fc := graphql.GetFieldContext(ctx)
	if oc == nil || fc == nil {
		return nil
	}
	out := map[string]bool{}
	for _, edges := range graphql.CollectFields(oc, fc.Field.Selections, []string{"CaseConnection"}) {
		if edges.Name != "edges" {
			continue
		}
		for _, node := range graphql.CollectFields(oc, edges.Selections, []string{"CaseEdge"}) {
			if node.Name != "node" {
				continue
			}
			for _, f := range graphql.CollectFields(oc, node.Selections, []string{"Case"}) {
				out[f.Name] = true
			}
		}
	}
	return out
}
