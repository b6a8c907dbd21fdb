package neo4jdb

import "context"

// ExecForTest runs a write query: tests use it to put the graph in states
// that no repository method makes, such as a case that lost its scope.
func (db *DB) ExecForTest(ctx context.Context, cypher string, params map[string]any) error {
	_, err := db.write(ctx, cypher, params)
	return err
}
