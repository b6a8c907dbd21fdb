package neo4jdb

import "context"

// ExecForTest runs a write query: tests use it to put the graph in states
// that no repository method makes, such as a case that lost its scope.
func (db *DB) ExecForTest(ctx context.Context, cypher string, params map[string]any) error {
	_, err := db.write(ctx, cypher, params)
	return err
}

// ResyncScopelessForTest recomputes the roll-up contributions of the cases
// without scope tokens, so that they count as a case stored before tokens
// existed did: under no scope.
func (db *DB) ResyncScopelessForTest(ctx context.Context) error {
	recs, err := db.read(ctx, `MATCH (c:Case) WHERE c.scope IS NULL RETURN c.uid AS uid`, nil)
	if err != nil {
		return err
	}
	var uids []string
	for _, r := range recs {
		uids = append(uids, asString(get(r, "uid")))
	}
	_, err = db.write(ctx, resyncRollupsQuery, map[string]any{"cases": uids})
	return err
}
