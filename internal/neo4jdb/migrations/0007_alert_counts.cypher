// Alert counters of supervisionAlerts' totalCount (internal/neo4jdb/alertcount.go).
CREATE CONSTRAINT alert_count_key IF NOT EXISTS FOR (r:AlertCount) REQUIRE r.key IS UNIQUE;
CREATE RANGE INDEX alert_count_measure_day IF NOT EXISTS FOR (r:AlertCount) ON (r.m, r.day);
CREATE RANGE INDEX alert_count_measure_scope_day IF NOT EXISTS FOR (r:AlertCount) ON (r.m, r.scopeKey, r.day);
CREATE CONSTRAINT alert_scope_key IF NOT EXISTS FOR (s:AlertScope) REQUIRE s.key IS UNIQUE;
// A database that already holds cases has not counted their deadlines yet:
// CountAlerts counts deadlines until RepairAlertCounts (run at serve start)
// has gone through them.
MATCH (c:Case) WITH c LIMIT 1 MERGE (s:RollupState {id: 'alerts'}) SET s.backfill = true;
