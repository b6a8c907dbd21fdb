package neo4jdb

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph"
)

// Alert counters: what supervisionAlerts' totalCount reads instead of every
// deadline that ends before the horizon (43 s at 1M generated cases). Each
// is an (:AlertCount) node: n, how many deadlines share its dimensions:
//
//   m         alert-d (by UTC day) or alert-m (by UTC month) of the
//             deadline's openEnd; alert-d* and alert-m* the same without
//             scope, for callers who see every case
//   day       that day, or the first of that month
//   agency, district                    the deadline's own (the filters)
//   anomaly   d.kind = 'ANOMALY'
//   flagged   red flags raised when it is overdue (size(d.flags) > 0)
//   severity  d.severity as stored
//   scopeKey, sealed   the case's scope tokens and sealed flag, so a
//             counter is visible to a caller exactly when the cases of its
//             deadlines are (visibleCase), as the analytics roll-ups are
//
// Only deadlines with an openEnd count (a paused clock has none, and no
// alert). Save writes openEnd = endAt for every other deadline, so a
// counter's day is the UTC day of endAt as well: every deadline of a day
// before the day of $now has ended before $now (not DUE_SOON), every one
// of a later day ends after it (DUE_SOON unless an anomaly), and every one
// of a day before the day of $horizon ends before the horizon. The alert
// kind and severity, which depend on $now, are worked out at read time
// from these dimensions; the day of $now and the day of $horizon are
// counted from the deadlines themselves (index deadline_open_end).
//
// Like the roll-ups, every case stores what its deadlines count in: one
// entry per deadline (c.alertCells, its dimensions but the scope, sorted),
// and the scope key and sealed flag they were counted under (c.alertScope,
// c.alertSealed). The procedure sync, which replaces a lineage's deadlines
// with the cases locked, recomputes each case's entries from the graph
// and, when they or its scope changed, moves the case's deadlines out of
// the old counters and into the new ones in the same transaction.

// alertEntries is a fragment that, for the case c, yields its scope tokens
// (scope), their key (scopeKey), its sealed flag (sealed) and entries: one
// string per deadline that has an openEnd, its dimensions separated by
// U+001F, each "~" when null and "=" and its value otherwise, sorted.
var alertEntries = `
CALL (c) {
  WITH c, coalesce(c.scope, []) AS scope
  RETURN scope, reduce(k = '', t IN scope | k + t + ',') AS scopeKey, coalesce(c.sealed, false) AS sealed,
         COLLECT {
           MATCH (d:Deadline)-[:IN_CASE]->(c)
           WHERE d.openEnd IS NOT NULL
           WITH [toString(date(datetime({epochSeconds: d.openEnd.epochSeconds}))), d.agency, d.district,
                 toString(coalesce(d.kind = 'ANOMALY', false)), toString(coalesce(size(d.flags) > 0, false)),
                 d.severity] AS p
           WITH reduce(e = '', i IN range(0, size(p) - 1) |
                  e + CASE WHEN i > 0 THEN '\u001f' ELSE '' END + CASE WHEN p[i] IS NULL THEN '~' ELSE '=' + p[i] END) AS e
           RETURN e ORDER BY e
         } AS entries
}`

// alertCellKey is the key of the counter x: its dimensions in a fixed
// order.
var alertCellKey = func() string {
	var parts []string
	for _, f := range []string{"m", "day", "agency", "district", "anomaly", "flagged", "severity", "scopeKey", "sealed"} {
		parts = append(parts, `coalesce(toString(x.`+f+`), '~')`)
	}
	return strings.Join(parts, ` + '|' + `)
}()

// applyAlertCells takes rows of a case c with its scope, scopeKey, sealed
// and entries (alertEntries), moves the deadlines of each case whose
// entries or scope changed out of its old counters and into its new ones,
// and returns how many cases changed. Each entry counts in four counters
// (by day and by month, with and without scope). The changes of all the
// cases are netted per counter and written in key order, so a counter
// whose count did not change is not written, and concurrent syncs lock
// counters in the same order.
var applyAlertCells = `
WITH c, scope, scopeKey, sealed, entries,
     c.alertCells AS old, c.alertScope AS oldScopeKey, c.alertSealed AS oldSealed
WHERE old IS NULL OR old <> entries OR oldScopeKey <> scopeKey OR oldSealed <> sealed
SET c.alertCells = entries, c.alertScope = scopeKey, c.alertSealed = sealed
WITH collect({old: coalesce(old, []), oldScopeKey: oldScopeKey, oldSealed: oldSealed,
              entries: entries, scope: scope, scopeKey: scopeKey, sealed: sealed}) AS changes, count(*) AS changed
CALL (changes) {
  CALL (changes) {
    UNWIND changes AS ch
    UNWIND ch.old AS e
    RETURN e, ch.oldScopeKey AS scopeKey, ch.oldSealed AS sealed, null AS scope, -1 AS delta
    UNION ALL
    UNWIND changes AS ch
    UNWIND ch.entries AS e
    RETURN e, ch.scopeKey AS scopeKey, ch.sealed AS sealed, ch.scope AS scope, 1 AS delta
  }
  WITH scopeKey, scope, delta, [v IN split(e, '\u001f') | CASE WHEN v = '~' THEN null ELSE substring(v, 1) END] AS p, sealed
  WITH scopeKey, scope, delta,
       {day: date(p[0]), agency: p[1], district: p[2], anomaly: p[3] = 'true', flagged: p[4] = 'true',
        severity: p[5], sealed: sealed} AS b
  UNWIND [b {.*, m: 'alert-d', scopeKey: scopeKey}, b {.*, m: 'alert-m', day: date.truncate('month', b.day), scopeKey: scopeKey},
          b {.*, m: 'alert-d*'}, b {.*, m: 'alert-m*', day: date.truncate('month', b.day)}] AS x
  WITH x {.*, key: ` + alertCellKey + `} AS x, scope, delta
  WITH x.key AS key, sum(delta) AS dn, head(collect(x)) AS x, head(collect(scope)) AS scope
  WHERE dn <> 0
  WITH key, dn, x, scope ORDER BY key
  CALL (key, dn, x) {
    MERGE (r:AlertCount {key: key})
    ON CREATE SET r += x, r.n = 0
    SET r.n = r.n + dn
  }
  CALL (x, scope) {
    WITH x, scope WHERE scope IS NOT NULL AND x.scopeKey IS NOT NULL
    MERGE (s:AlertScope {key: x.scopeKey})
    ON CREATE SET s.tokens = scope
  }
  RETURN count(*) AS written
}
RETURN changed`

// syncAlertCellsQuery moves the deadlines of each case of $cases whose
// counters changed. The caller holds the cases' locks (the lineage
// transaction), so c.alertCells is current.
var syncAlertCellsQuery = `
UNWIND $cases AS uid
MATCH (c:Case {uid: uid})
` + alertEntries + `
` + applyAlertCells

// resyncAlertCellsQuery recomputes the counters of the cases $cases
// outside a lineage transaction (RepairScopes, after it wrote their
// tokens): it locks each case before it reads what the case counted in.
var resyncAlertCellsQuery = `
UNWIND $cases AS uid
MATCH (c:Case {uid: uid})
SET c._alertLock = true
REMOVE c._alertLock
WITH c
` + alertEntries + `
` + applyAlertCells

// dropAlertCellsQuery takes the cases whose uid starts with $prefix out of
// their counters, before DeleteByPrefix deletes them.
var dropAlertCellsQuery = `
MATCH (c:Case) WHERE c.uid STARTS WITH $prefix AND c.alertCells IS NOT NULL
WITH c, [] AS scope, '' AS scopeKey, false AS sealed, [] AS entries
` + applyAlertCells

// repairAlertCellsQuery counts the deadlines of up to $limit cases that
// were never counted (stored before the counters existed). It locks each
// case first and looks again, so a concurrent sync is not counted twice.
var repairAlertCellsQuery = `
MATCH (c:Case) WHERE c.alertCells IS NULL
WITH c LIMIT $limit
SET c._alertLock = true
WITH c WHERE c.alertCells IS NULL
REMOVE c._alertLock
WITH c
` + alertEntries + `
` + applyAlertCells

var alertCellsDoneQuery = backfillDoneQuery("alerts", "alertCells")

// syncAlertCells is a step of a lineage's Save, after its deadlines and
// scope tokens are written.
func (l *LineageTx) syncAlertCells(cases []string) error {
	_, err := l.run(syncAlertCellsQuery, map[string]any{"cases": orEmpty(cases)})
	return err
}

// RepairAlertCounts counts the deadlines of up to limit cases that are not
// counted in the alert counters yet (stored before they existed) and
// returns how many cases it added. When none is left it marks the counters
// complete, and CountAlerts starts reading them.
func (db *DB) RepairAlertCounts(ctx context.Context, limit int) (int, error) {
	n, err := db.repairBatch(ctx, repairAlertCellsQuery, alertCellsDoneQuery, limit)
	if err != nil {
		return 0, fmt.Errorf("RepairAlertCounts: %w", err)
	}
	return n, nil
}

// AlertCountsReady says whether the deadlines of every case are in the
// alert counters. Until RepairAlertCounts has gone through a database that
// held cases before the counters existed, CountAlerts counts deadlines.
func (db *DB) AlertCountsReady(ctx context.Context) (bool, error) {
	ok, err := db.backfillReady(ctx, "alerts")
	if err != nil {
		return false, fmt.Errorf("AlertCountsReady: %w", err)
	}
	return ok, nil
}

// alertClassified classifies the deadlines d at $now and keeps those the
// filters ask for (alertsWith and the exact count of a day share it).
const alertClassified = `
WITH d,
     CASE
       WHEN d.kind = 'ANOMALY' THEN 'ANOMALY'
       WHEN d.endAt > $now THEN 'DUE_SOON'
       WHEN size(d.flags) > 0 THEN 'RED_FLAG'
       ELSE 'OVERDUE'
     END AS kind
WITH d, kind, CASE WHEN kind = 'DUE_SOON' THEN 'LOW' ELSE d.severity END AS severity
WHERE (size($agencies) = 0 OR d.agency IN $agencies)
  AND (size($districts) = 0 OR d.district IN $districts)
  AND (size($kinds) = 0 OR kind IN $kinds)
  AND (size($severities) = 0 OR severity IN $severities)`

// alertsExactCount counts the alerts of the deadlines whose openEnd falls
// in one of $exact's ranges [from, to) and is not past the horizon.
var alertsExactCount = `
CALL () {
  UNWIND $exact AS e
  MATCH (d:Deadline)
  WHERE d.openEnd >= e.from AND d.openEnd < e.to AND d.openEnd <= $horizon
    AND EXISTS { MATCH (d)-[:IN_CASE]->(c:Case) WHERE ` + visibleCase("c") + ` }
` + alertClassified + `
  RETURN count(d) AS exact
}`

// alertCellsCount sums the counters of $segments (measure m, days [from,
// to), future: the day is after the day of $now) with the classification
// of alertClassified; scoped, only those of the scopes the caller's tokens
// match.
func alertCellsCount(scoped bool) string {
	scope, inScopeKey := "", ""
	if scoped {
		scope = `
  MATCH (k:AlertScope) WHERE any(t IN k.tokens WHERE t IN $scopeTokens)
  WITH k.key AS scopeKey`
		inScopeKey = ` AND r.scopeKey = scopeKey`
	}
	return `
CALL () {` + scope + `
  UNWIND $segments AS s
  MATCH (r:AlertCount)
  WHERE r.m = s.m` + inScopeKey + ` AND r.day >= s.from AND r.day < s.to AND r.n <> 0 AND ($scopeUnseal OR NOT r.sealed)
  WITH r,
       CASE
         WHEN r.anomaly THEN 'ANOMALY'
         WHEN s.future THEN 'DUE_SOON'
         WHEN r.flagged THEN 'RED_FLAG'
         ELSE 'OVERDUE'
       END AS kind
  WITH r, kind, CASE WHEN kind = 'DUE_SOON' THEN 'LOW' ELSE r.severity END AS severity
  WHERE (size($agencies) = 0 OR r.agency IN $agencies)
    AND (size($districts) = 0 OR r.district IN $districts)
    AND (size($kinds) = 0 OR kind IN $kinds)
    AND (size($severities) = 0 OR severity IN $severities)
  RETURN coalesce(sum(r.n), 0) AS counted
}`
}

// countAlertsAllQuery is CountAlerts for a caller who sees every case: the
// counters without scope; countAlertsScopedQuery for anyone else: the
// counters of the scopes their tokens match.
var (
	countAlertsAllQuery = alertsExactCount + alertCellsCount(false) + `
RETURN exact + counted AS n`
	countAlertsScopedQuery = alertsExactCount + alertCellsCount(true) + `
RETURN exact + counted AS n`
)

// alertCountParams adds to p (alertParams and the scope) the ranges of
// deadlines CountAlerts counts exactly, the day of $now and the day of the
// horizon, and the counter segments that cover the days before the
// horizon's day but the day of $now: days before it (ended) and after it
// (ending later), each by month where a whole month is covered, by day
// otherwise. all says whether the caller sees every case.
func alertCountParams(p map[string]any, f AlertFilter, all bool) {
	nowDay, hDay := utcDay(f.Now), utcDay(f.Horizon)
	var exact []map[string]any
	for _, d := range []time.Time{hDay, nowDay} {
		if d.After(hDay) || (len(exact) > 0 && d.Equal(hDay)) {
			continue
		}
		exact = append(exact, map[string]any{"from": offsetTime(d), "to": offsetTime(d.AddDate(0, 0, 1))})
	}
	star := ""
	if all {
		star = "*"
	}
	var segs []map[string]any
	add := func(m string, from, to time.Time, future bool) {
		if from.Before(to) {
			segs = append(segs, map[string]any{"m": m + star, "from": neo4j.DateOf(from), "to": neo4j.DateOf(to), "future": future})
		}
	}
	// cover adds the segments of the days [from, to).
	cover := func(from, to time.Time, future bool) {
		m0 := monthOf(from)
		if m0.Before(from) {
			m0 = m0.AddDate(0, 1, 0)
		}
		m1 := monthOf(to)
		if !m0.Before(m1) {
			add("alert-d", from, to, future)
			return
		}
		add("alert-d", from, m0, future)
		add("alert-m", m0, m1, future)
		add("alert-d", m1, to, future)
	}
	first := time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	cover(first, minTime(nowDay, hDay), false)
	cover(nowDay.AddDate(0, 0, 1), hDay, true)
	p["exact"] = orEmptyMaps(exact)
	p["segments"] = orEmptyMaps(segs)
}

// utcDay is the start of the UTC day of t.
func utcDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func monthOf(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC) }

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func orEmptyMaps(xs []map[string]any) []map[string]any {
	if xs == nil {
		return []map[string]any{}
	}
	return xs
}

// countAlertCells is CountAlerts from the counters.
func (db *DB) countAlertCells(ctx context.Context, f AlertFilter) (int, error) {
	p := scoped(ctx, alertParams(f))
	all := casegraph.ScopeFrom(ctx).All
	alertCountParams(p, f, all)
	q := countAlertsScopedQuery
	if all {
		q = countAlertsAllQuery
	}
	recs, err := db.read(ctx, q, p)
	if err != nil {
		return 0, err
	}
	n, _ := get(recs[0], "n").(int64)
	return int(n), nil
}
