package neo4jdb

import (
	"context"
	"fmt"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

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
// seen through a visible case they are a party to. A person in no case at
// all (known only from links, such as a POLE acquaintance) is seen only by
// a scope of every case; a person only in sealed cases stays hidden.
func visiblePerson(v string) string {
	return `(EXISTS { MATCH (` + v + `)-[:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]->(sc:Case) WHERE ` + visibleCase("sc") + ` }` +
		` OR ($scopeAll AND NOT EXISTS { MATCH (` + v + `)-[:SUSPECT_IN|DEFENDANT_IN|VICTIM_IN|WITNESS_IN]->(:Case) }))`
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

// repairScopesQuery gives up to $limit cases without scope tokens the
// tokens the procedure sync writes (Save), computed from the graph: the
// agencies of the lineage's cases (the cases reached through SENT and
// RECEIVED_BY, as the sync's lineage) and handovers, then KIND@prefix of the
// case's own agency's region. It changes nothing else.
const repairScopesQuery = `
MATCH (c:Case) WHERE c.scope IS NULL
WITH c LIMIT $limit
CALL (c) {
  MATCH (c)-[:SENT|RECEIVED_BY*0..64]-(x:Case)
  WITH DISTINCT x
  OPTIONAL MATCH (x)-[:SENT]->(h:Handover)
  UNWIND [x.agencyCode, h.fromAgency, h.toAgency] AS a
  WITH DISTINCT a WHERE a IS NOT NULL AND a <> ''
  WITH a ORDER BY a
  RETURN collect(a) AS agencies
}
OPTIONAL MATCH (c)-[:HANDLED_BY]->(ag:Agency)
WITH c, agencies, coalesce(ag.region, '') AS region
WITH c, agencies, [n IN [2, 4, 6, size(region)] WHERE n > 0 AND n <= size(region) | c.kind + '@' + left(region, n)] AS sup
SET c.scope = agencies + reduce(acc = [], t IN sup | CASE WHEN t IN acc THEN acc ELSE acc + t END), c.updatedAt = datetime()
RETURN c.uid AS uid`

// RepairScopes writes the scope tokens of up to limit cases that have none,
// moves their analytics roll-ups and alert counters under the new tokens in
// the same transaction (a roll-up cell or counter carries its cases'
// scope), and returns their uids (empty when none is left).
func (db *DB) RepairScopes(ctx context.Context, limit int) ([]string, error) {
	db.queries.Add(1)
	sess := db.driver.NewSession(ctx, neo4jSessionConfig(db.database))
	defer sess.Close(ctx)
	out, err := sess.ExecuteWrite(ctx, func(tx neo4j.ManagedTransaction) (any, error) {
		res, err := tx.Run(ctx, repairScopesQuery, map[string]any{"limit": limit})
		if err != nil {
			return nil, err
		}
		recs, err := res.Collect(ctx)
		if err != nil {
			return nil, err
		}
		uids := make([]string, 0, len(recs))
		for _, r := range recs {
			uids = append(uids, asString(get(r, "uid")))
		}
		if len(uids) == 0 {
			return uids, nil
		}
		for _, q := range []string{resyncRollupsQuery, resyncAlertCellsQuery} {
			res, err = tx.Run(ctx, q, map[string]any{"cases": uids})
			if err != nil {
				return nil, err
			}
			if _, err = res.Consume(ctx); err != nil {
				return nil, err
			}
		}
		return uids, nil
	})
	if err != nil {
		return nil, fmt.Errorf("RepairScopes: %w", translate(err))
	}
	return out.([]string), nil
}
