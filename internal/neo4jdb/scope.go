package neo4jdb

import (
	"context"
	"fmt"

	"github.com/casegraph/casegraph"
)

// The caller's visibility scope (casegraph.Scope, from the request context)
// is part of every read of case or person data: a predicate inside the
// Cypher, never a filter applied to results, so counts and pages are right
// for the caller. A context without a scope sees nothing.
//
// Each case carries scope tokens (c.scope), written by every procedure sync
// of its lineage (Save): the codes of every agency that handled a case of
// the lineage, sent a handover in it or was sent one, and KIND@prefix for
// each prefix of its own agency's region (POLICE@33, POLICE@3302,
// POLICE@330203), which supervision scopes match.

// visibleCase is the scope predicate on the case bound to v.
func visibleCase(v string) string {
	return `(($scopeAll OR any(t IN coalesce(` + v + `.scope, []) WHERE t IN $scopeTokens))` +
		` AND ($scopeUnseal OR NOT coalesce(` + v + `.sealed, false)))`
}

// visiblePerson is the scope predicate on the person bound to v: a person is
// seen through a visible case they are a party to.
func visiblePerson(v string) string {
	return `EXISTS { MATCH (` + v + `)-[:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]->(sc:Case) WHERE ` + visibleCase("sc") + ` }`
}

// scoped adds the scope parameters of ctx to params and returns them.
func scoped(ctx context.Context, params map[string]any) map[string]any {
	s := casegraph.ScopeFrom(ctx)
	if params == nil {
		params = map[string]any{}
	}
	params["scopeAll"] = s.All
	params["scopeTokens"] = orEmpty(s.Tokens)
	params["scopeUnseal"] = s.Unseal
	return params
}

// CasesWithoutScope lists up to limit cases that carry no scope tokens yet.
func (db *DB) CasesWithoutScope(ctx context.Context, limit int) ([]string, error) {
	recs, err := db.read(ctx, `MATCH (c:Case) WHERE c.scope IS NULL RETURN c.uid AS uid LIMIT $limit`, map[string]any{"limit": limit})
	if err != nil {
		return nil, fmt.Errorf("CasesWithoutScope: %w", err)
	}
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		out = append(out, asString(get(r, "uid")))
	}
	return out, nil
}
