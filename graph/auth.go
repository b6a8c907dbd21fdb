package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/audit"
	"github.com/casegraph/casegraph/internal/authz"
)

// Access control in the GraphQL layer: the @can directive checks each
// operation's and each sensitive field's permission in one place; the
// caller's visibility scope travels in the context to the store, which
// applies it inside the Cypher; masking applies to the fields that carry
// identifiers; the audit extension writes one event per operation.

var permissions = map[model.Permission]authz.Perm{
	model.PermissionCaseRead:     authz.CaseRead,
	model.PermissionCaseWrite:    authz.CaseWrite,
	model.PermissionPersonRead:   authz.PersonRead,
	model.PermissionSearchRead:   authz.SearchRead,
	model.PermissionHandoverRead: authz.HandoverRead,
	model.PermissionAlertRead:    authz.AlertRead,
	model.PermissionStatsRead:    authz.StatsRead,
	model.PermissionJobRead:      authz.JobRead,
	model.PermissionAuditRead:    authz.AuditRead,
}

// canDirective is @can(perm): FORBIDDEN unless the caller holds perm.
func canDirective(a *authz.Authorizer) func(ctx context.Context, obj any, next graphql.Resolver, perm model.Permission) (any, error) {
	return func(ctx context.Context, obj any, next graphql.Resolver, perm model.Permission) (any, error) {
		p, ok := permissions[perm]
		if !ok {
			return nil, fmt.Errorf("@can: permission %s has no policy object", perm)
		}
		if a == nil {
			return nil, casegraph.Errorf(casegraph.EFORBIDDEN, "access control is not configured")
		}
		if err := a.Require(ctx, casegraph.CallerFrom(ctx), p); err != nil {
			return nil, err
		}
		return next(ctx)
	}
}

// masked returns s as the caller may see it: identity and phone numbers in
// free text masked unless the scope shows PII.
func masked(ctx context.Context, s string) string {
	if casegraph.ScopeFrom(ctx).PII {
		return s
	}
	return authz.MaskText(s)
}

// auditExtension appends one audit event per operation: the caller, the
// operation, the case and person uids the store read or wrote for it, and
// the outcome. A mutation's event is written before it runs (outcome
// PENDING) and again after; if the first cannot be written the mutation
// does not run. A query's event is written before its answer leaves; if it
// cannot be written the client gets an error and no data. Both fail closed.
type auditExtension struct {
	log    *audit.Log
	logger *slog.Logger
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = auditExtension{}

func (auditExtension) ExtensionName() string                   { return "Audit" }
func (auditExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (x auditExtension) event(ctx context.Context, oc *graphql.OperationContext) audit.Event {
	c := casegraph.CallerFrom(ctx)
	s := casegraph.ScopeFrom(ctx)
	op := "query"
	if oc.Operation != nil {
		op = string(oc.Operation.Operation)
	}
	var fields []string
	if oc.Operation != nil {
		for _, sel := range oc.Operation.SelectionSet {
			if f, ok := sel.(*ast.Field); ok {
				fields = append(fields, f.Name)
			}
		}
	}
	name := op + " " + strings.Join(fields, ",")
	if oc.OperationName != "" {
		name += " (" + oc.OperationName + ")"
	}
	action := "READ"
	if op == "mutation" {
		action = "WRITE"
	}
	if s.Unseal {
		action = "UNSEAL"
	}
	return audit.Event{Subject: c.Subject, Agency: c.Agency, Roles: c.Roles, Operation: name, Action: action,
		Reason: s.UnsealReason, RequestID: casegraph.RequestID(ctx), ClientAddr: casegraph.ClientAddr(ctx)}
}

func (x auditExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation != nil && onlyIntrospection(oc.Operation.SelectionSet) {
		return next(ctx)
	}
	ctx, touched := casegraph.WithTouched(ctx)
	ev := x.event(ctx, oc)
	if ev.Action == "WRITE" {
		pending := ev
		pending.Outcome = "PENDING"
		if _, err := x.log.Append(ctx, pending); err != nil {
			x.logger.ErrorContext(ctx, "audit event not written; the operation is refused", "err", err)
			return graphql.OneShot(graphql.ErrorResponse(ctx, "the audit log cannot be written; nothing was done (request %s)", casegraph.RequestID(ctx)))
		}
	}
	h := next(ctx)
	done := false
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if resp == nil || done {
			return resp
		}
		done = true
		ev.CaseUIDs, ev.PersonUIDs = touched.Lists()
		ev.Outcome = outcome(resp)
		if _, err := x.log.Append(ctx, ev); err != nil {
			x.logger.ErrorContext(ctx, "audit event not written; the answer is withheld", "err", err)
			return graphql.ErrorResponse(ctx, "the audit log cannot be written; the answer is withheld (request %s)", casegraph.RequestID(ctx))
		}
		return resp
	}
}

// outcome is OK, DENIED (a FORBIDDEN error) or ERROR.
func outcome(resp *graphql.Response) string {
	out := "OK"
	for _, e := range resp.Errors {
		if e.Extensions["code"] == casegraph.EFORBIDDEN {
			return "DENIED"
		}
		out = "ERROR"
	}
	return out
}

func onlyIntrospection(set ast.SelectionSet) bool {
	for _, sel := range set {
		f, ok := sel.(*ast.Field)
		if !ok || !strings.HasPrefix(f.Name, "__") {
			return false
		}
	}
	return len(set) > 0
}

func (r *queryResolver) auditEvents(ctx context.Context, filter *model.AuditFilter, first *int, after *string) (*model.AuditEventConnection, error) {
	if r.Audit == nil {
		return nil, casegraph.Errorf(casegraph.EUNAVAILABLE, "the audit log is not available on this server")
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	var f audit.Filter
	if filter != nil {
		f = audit.Filter{Subject: deref(filter.Subject), Agency: deref(filter.Agency), Operation: deref(filter.Operation),
			Outcome: deref(filter.Outcome), CaseUID: deref(filter.Case), PersonUID: deref(filter.Person), From: filter.From, To: filter.To}
	}
	cur := ""
	if after != nil {
		cur = *after
	}
	page, err := r.Audit.Query(ctx, f, n, cur)
	if errors.Is(err, audit.ErrBadCursor) {
		return nil, casegraph.Errorf(casegraph.EINVALID, "after is not a cursor of auditEvents")
	}
	if err != nil {
		return nil, err
	}
	out := &model.AuditEventConnection{Edges: make([]model.AuditEventEdge, 0, len(page.Events)), PageInfo: &model.PageInfo{HasNextPage: page.HasNext}}
	for i := range page.Events {
		e := page.Events[i]
		if e.Roles == nil {
			e.Roles = []string{}
		}
		if e.CaseUIDs == nil {
			e.CaseUIDs = []string{}
		}
		if e.PersonUIDs == nil {
			e.PersonUIDs = []string{}
		}
		out.Edges = append(out.Edges, model.AuditEventEdge{Cursor: audit.EncodeCursor(e.Seq), Node: &e})
	}
	if page.EndCursor != "" {
		out.PageInfo.EndCursor = &page.EndCursor
	}
	return out, nil
}
