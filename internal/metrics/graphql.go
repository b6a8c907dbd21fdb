package metrics

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// GraphQL returns the gqlgen handler extension that counts and times
// operations. Register it before the other extensions: the first one
// registered wraps the rest, so it sees their answers too (the audit
// extension's refusals).
//
// The operation label is the operation type and a top-level field name of
// the schema ("query:search", "mutation:handover"); an operation selecting
// several top-level fields counts once under each, with the outcome of that
// field. The client's operation name and aliases are never used. A request
// that does not parse or validate has no trustworthy fields and counts as
// "invalid". The outcome is "ok" or the code of the first error
// (extensions.code: INVALID, FORBIDDEN, UNAVAILABLE, CANCELED when the
// client hung up, …; "ERROR" without one); an error without a path (a limit, the audit log) counts against
// every field.
func (m *Metrics) GraphQL() graphql.HandlerExtension { return &gqlExtension{m: m} }

type gqlExtension struct {
	m *Metrics
	// roots maps an operation type to its root type's name; fields holds
	// the labels the schema allows ("query:search"). Both are set by
	// Validate, before the first request.
	roots  map[ast.Operation]string
	fields map[string]bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
} = (*gqlExtension)(nil)

func (x *gqlExtension) ExtensionName() string { return "Metrics" }

// Validate learns the schema's top-level fields: the only names a label
// may carry.
func (x *gqlExtension) Validate(es graphql.ExecutableSchema) error {
	s := es.Schema()
	x.roots = map[ast.Operation]string{}
	x.fields = map[string]bool{}
	for op, def := range map[ast.Operation]*ast.Definition{ast.Query: s.Query, ast.Mutation: s.Mutation, ast.Subscription: s.Subscription} {
		if def == nil {
			continue
		}
		x.roots[op] = def.Name
		for _, f := range def.Fields {
			x.fields[string(op)+":"+f.Name] = true
		}
		x.fields[string(op)+":__typename"] = true
	}
	x.fields["query:__schema"], x.fields["query:__type"] = true, true
	return nil
}

// observing marks a context whose operation InterceptOperation counts, so
// that InterceptResponse does not count it again.
type observing struct{}

// InterceptOperation counts every operation that parsed and validated,
// whatever the later extensions answer.
func (x *gqlExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	start := time.Now()
	oc := graphql.GetOperationContext(ctx)
	h := next(context.WithValue(ctx, observing{}, true))
	done := false
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if resp != nil && !done {
			done = true
			x.observe(oc, resp, start)
		}
		return resp
	}
}

// InterceptResponse counts the requests that never reach
// InterceptOperation: parse and validation failures and refusals by the
// limits, which gqlgen answers through its error path.
func (x *gqlExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	start := time.Now()
	resp := next(ctx)
	if resp == nil || ctx.Value(observing{}) != nil {
		return resp
	}
	var oc *graphql.OperationContext
	if graphql.HasOperationContext(ctx) {
		oc = graphql.GetOperationContext(ctx)
	}
	x.observe(oc, resp, start)
	return resp
}

func (x *gqlExtension) observe(oc *graphql.OperationContext, resp *graphql.Response, start time.Time) {
	if oc != nil && !oc.Stats.OperationStart.IsZero() {
		start = oc.Stats.OperationStart
	}
	d := time.Since(start)
	for _, o := range x.labels(oc, resp.Errors) {
		x.m.ObserveGraphQL(o.operation, o.outcome, d)
	}
}

type observation struct{ operation, outcome string }

// labels returns one observation per top-level field name of the operation.
func (x *gqlExtension) labels(oc *graphql.OperationContext, errs gqlerror.List) []observation {
	// Errors without a path concern the whole operation; the others the
	// top-level field (by response key) their path starts with.
	whole, first := "", ""
	byKey := map[string]string{}
	for _, e := range errs {
		if e == nil {
			continue
		}
		code := errorCode(e)
		if first == "" {
			first = code
		}
		if len(e.Path) == 0 {
			if whole == "" {
				whole = code
			}
			continue
		}
		if k, ok := e.Path[0].(ast.PathName); ok {
			if _, seen := byKey[string(k)]; !seen {
				byKey[string(k)] = code
			}
		}
	}
	if oc == nil || oc.Operation == nil {
		return []observation{{"invalid", firstNonEmpty(first, "ERROR")}}
	}
	op := oc.Operation.Operation
	if op == "" {
		op = ast.Query
	}
	root, ok := x.roots[op]
	if !ok {
		return []observation{{"invalid", firstNonEmpty(first, "ERROR")}}
	}
	var out []observation
	index := map[string]int{}
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{root}) {
		label := string(op) + ":" + f.Name
		if !x.fields[label] {
			label = string(op) + ":unknown"
		}
		outcome := firstNonEmpty(whole, byKey[f.Alias], "ok")
		if i, dup := index[label]; dup {
			// Aliases of one field count once; its first error wins.
			if out[i].outcome == "ok" {
				out[i].outcome = outcome
			}
			continue
		}
		index[label] = len(out)
		out = append(out, observation{label, outcome})
	}
	if len(out) == 0 {
		// Every field skipped by @skip/@include.
		out = append(out, observation{string(op), firstNonEmpty(whole, "ok")})
	}
	return out
}

// errorCode is the error's extensions.code when it looks like one of ours
// (upper case, short), else "ERROR": a label never carries free text.
func errorCode(e *gqlerror.Error) string {
	code, _ := e.Extensions["code"].(string)
	if code == "" || len(code) > 40 {
		return "ERROR"
	}
	for _, c := range code {
		if (c < 'A' || c > 'Z') && c != '_' && (c < '0' || c > '9') {
			return "ERROR"
		}
	}
	return code
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
