package neo4jdb

import "context"

// ExecForTest runs a write query: tests use it to put the graph in states
// that no repository method makes, such as a case that lost its scope.
func (db *DB) ExecForTest(ctx context.Context, cypher string, params map[string]any) error {
	_, err := db.write(ctx, cypher, params)
	return err
}

// ResyncScopelessForTest recomputes the roll-up contributions and alert
// counters of the cases without scope tokens, so that they count as a case
// stored before tokens existed did: under no scope.
func (db *DB) ResyncScopelessForTest(ctx context.Context) error {
	recs, err := db.read(ctx, `MATCH (c:Case) WHERE c.scope IS NULL RETURN c.uid AS uid`, nil)
	if err != nil {
		return err
	}
	var uids []string
	for _, r := range recs {
		uids = append(uids, asString(get(r, "uid")))
	}
	for _, q := range []string{resyncRollupsQuery, resyncAlertCellsQuery} {
		if _, err := db.write(ctx, q, map[string]any{"cases": uids}); err != nil {
			return err
		}
	}
	return nil
}

// CountAlertCellsForTest counts alerts from the counters, complete or not.
func (db *DB) CountAlertCellsForTest(ctx context.Context, f AlertFilter) (int, error) {
	return db.countAlertCells(ctx, f)
}

// DeadlinesForTest lists the deadlines that belong to a case.
func (db *DB) DeadlinesForTest(ctx context.Context) ([]StoredDeadline, error) {
	recs, err := db.read(ctx, `MATCH (d:Deadline) WHERE EXISTS { (d)-[:IN_CASE]->(:Case) } RETURN d ORDER BY d.uid`, nil)
	if err != nil {
		return nil, err
	}
	out := make([]StoredDeadline, 0, len(recs))
	for _, r := range recs {
		out = append(out, deadlineFrom(props(get(r, "d"))))
	}
	return out, nil
}
