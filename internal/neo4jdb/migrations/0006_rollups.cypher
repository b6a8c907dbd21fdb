// Roll-ups of the analytics (internal/neo4jdb/rollup.go, docs/analytics.md).
CREATE CONSTRAINT rollup_key IF NOT EXISTS FOR (r:Rollup) REQUIRE r.key IS UNIQUE;
CREATE RANGE INDEX rollup_measure_day IF NOT EXISTS FOR (r:Rollup) ON (r.m, r.day);
CREATE RANGE INDEX rollup_measure_scope_day IF NOT EXISTS FOR (r:Rollup) ON (r.m, r.scopeKey, r.day);
CREATE CONSTRAINT rollup_scope_key IF NOT EXISTS FOR (s:RollupScope) REQUIRE s.key IS UNIQUE;
CREATE CONSTRAINT rollup_state_id IF NOT EXISTS FOR (s:RollupState) REQUIRE s.id IS UNIQUE;
// A database that already holds cases is not rolled up yet: analytics count
// cases until RepairRollups (run at serve start) has gone through them.
MATCH (c:Case) WITH c LIMIT 1 MERGE (s:RollupState {id: 'rollups'}) SET s.backfill = true;
