package neo4jdb

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/casegraph/casegraph"
)

// Roll-ups (docs/analytics.md): counters that crimeTrend and procedureStats
// read instead of every case. Each is a (:Rollup) node: a measure m, the
// dimensions of the cases it counts, and n, how many cases (or decisions,
// judgments) have exactly those dimensions. The dimensions include the
// case's scope tokens and sealed flag, so a roll-up is visible to a caller
// exactly when the cases it counts are (visibleCase applies to it as to a
// case), and counts stay right for every scope.
//
// Measures:
//   case      cases by filed day, agency and district
//   charge    cases by filed month and offense name (a case counts once
//             per distinct offense; a case without charges has offense null)
//   decision  arrest and prosecution decisions by decided month, kind,
//             subtype and review days
//   supp      cases received for prosecution review, by filed month and
//             rounds of 退回补充侦查 (0, 1, 2 or more)
//   judgment  judgments by decided month, verdict and trial days
//   overdue   per case and agency of a statutory clock: late already (day
//             0001-01-01), or the UTC day its earliest running clock ends;
//             overdue-m the same by month, so "overdue before this month"
//             reads a few cells per agency
//
// Every case stores the keys of the roll-ups it counts in (c.rollup). The
// procedure sync, which runs after every write of a lineage with the cases
// locked, recomputes each case's contributions from the graph and, when
// they changed, takes the case out of its old roll-ups and adds it to the
// new ones, in the same transaction. A roll-up therefore always equals the
// sum of the contributions of the cases whose last sync committed;
// VerifyRollups recomputes every one from the graph and reports the
// difference.

// rollupCells is a fragment that, for the case c, yields cells: the list of
// roll-up cells it contributes to, each a map with its key, sorted by key.
var rollupCells = `
CALL (c) {
  WITH c, coalesce(c.scope, []) AS scope, coalesce(c.sealed, false) AS sealed,
       CASE WHEN c.filedAt IS NULL THEN null ELSE date.truncate('month', c.filedAt) END AS filedMonth
  WITH c, scope, sealed, filedMonth,
       COLLECT {
         MATCH (c)<-[:IN_CASE]-(:Charge)-[:OF_OFFENSE]->(o:Offense)
         WITH DISTINCT coalesce(o.name, o.code) AS g, o.code AS code ORDER BY g, code
         WITH g, collect(code) AS codes
         RETURN {offense: g, codes: codes}
       } AS offs,
       COLLECT {
         MATCH (d:Decision)-[:IN_CASE]->(c)
         WHERE d.kind IN ['APPROVE_ARREST', 'DENY_ARREST', 'PROSECUTE', 'NOT_PROSECUTE'] AND d.decidedAt IS NOT NULL
         WITH d, date(d.decidedAt) AS day,
              CASE WHEN d.kind IN ['APPROVE_ARREST', 'DENY_ARREST']
                THEN [(h:Handover {type: 'ARREST_REQUEST'})-[:RECEIVED_BY]->(c) WHERE h.receivedAt IS NOT NULL | date(h.receivedAt)]
                ELSE [(h:Handover)-[:RECEIVED_BY]->(c) WHERE h.type IN ['PROSECUTION', 'RESUBMISSION'] AND h.receivedAt IS NOT NULL | date(h.receivedAt)]
              END AS received
         WITH d, day, reduce(m = null, r IN received | CASE WHEN r <= day AND (m IS NULL OR r > m) THEN r ELSE m END) AS start
         RETURN {m: 'decision', day: date.truncate('month', day), dkind: d.kind, subtype: coalesce(d.subtype, ''),
                 days: CASE WHEN start IS NULL THEN null ELSE duration.inDays(start, day).days END}
       } AS decisions,
       CASE WHEN c.filedAt IS NOT NULL AND EXISTS { MATCH (:Handover {type: 'PROSECUTION'})-[:RECEIVED_BY]->(c) }
         THEN [{m: 'supp', day: filedMonth,
                rounds: CASE WHEN COUNT { MATCH (:Decision {kind: 'RETURN_FOR_SUPPLEMENT'})-[:IN_CASE]->(c) } >= 2 THEN 2
                             ELSE COUNT { MATCH (:Decision {kind: 'RETURN_FOR_SUPPLEMENT'})-[:IN_CASE]->(c) } END}]
         ELSE [] END AS supp,
       COLLECT {
         MATCH (j:Judgment)-[:IN_CASE]->(c)
         WHERE j.decidedAt IS NOT NULL
         WITH j, date(j.decidedAt) AS day,
              [(h:Handover)-[:RECEIVED_BY]->(c) WHERE h.type IN ['INDICTMENT', 'APPEAL', 'PROTEST'] AND h.receivedAt IS NOT NULL | date(h.receivedAt)] AS received
         WITH j, day, reduce(m = null, r IN received | CASE WHEN r <= day AND (m IS NULL OR r > m) THEN r ELSE m END) AS start
         RETURN {m: 'judgment', day: date.truncate('month', day), guilty: coalesce(j.verdict = 'GUILTY', false),
                 days: CASE WHEN start IS NULL THEN null ELSE duration.inDays(start, day).days END}
       } AS judgments,
       COLLECT {
         MATCH (d:Deadline)-[:IN_CASE]->(c)
         WHERE d.kind = 'DUTY' AND d.status IN ['LATE', 'RUNNING']
         WITH d.agency AS dagency, max(CASE WHEN d.status = 'LATE' THEN 1 ELSE 0 END) = 1 AS late,
              min(CASE WHEN d.status = 'RUNNING' AND d.endAt IS NOT NULL THEN d.endAt.epochSeconds / 86400 END) AS endDay
         WITH dagency, late, CASE WHEN late THEN null ELSE endDay END AS endDay
         WHERE late OR endDay IS NOT NULL
         WITH dagency, late, endDay,
              CASE WHEN late THEN date('0001-01-01') ELSE date(datetime({epochSeconds: endDay * 86400})) END AS day
         RETURN [{m: 'overdue', dagency: dagency, late: late, endDay: endDay, day: day},
                 {m: 'overdue-m', dagency: dagency, late: late, day: CASE WHEN late THEN day ELSE date.truncate('month', day) END}]
       } AS overdue
  WITH c, scope, sealed,
       CASE WHEN filedMonth IS NULL THEN [] ELSE
         [{m: 'case', day: c.filedAt}] +
         CASE WHEN size(offs) = 0 THEN [{m: 'charge', day: filedMonth, offense: null, codes: []}]
              ELSE [x IN offs | {m: 'charge', day: filedMonth, offense: x.offense, codes: x.codes}] END
       END + decisions + supp + judgments + reduce(a = [], o IN overdue | a + o) AS raw
  WITH reduce(k = '', t IN scope | k + t + ',') AS scopeKey, scope, sealed, c, raw
  WITH [x IN raw | x {.*, scope: scope, scopeKey: scopeKey, sealed: sealed, agency: c.agencyCode, district: c.district}] +
       [x IN raw | x {.*, m: x.m + '*', sealed: sealed,
                      agency: CASE WHEN x.m IN ['case', 'charge', 'overdue', 'overdue-m'] THEN null ELSE c.agencyCode END}] AS raw
  WITH [x IN raw | x {.*, key: ` + rollupKey + `}] AS raw
  RETURN COLLECT { UNWIND raw AS x RETURN x ORDER BY x.key, x.days } AS cells
}`

// rollupKey is the key of the cell x: every dimension but days, which a
// cell keeps as a histogram, in a fixed order.
var rollupKey = func() string {
	text := func(f string) string { return `coalesce(toString(x.` + f + `), '~')` }
	list := func(f string) string { return `reduce(s = '', t IN coalesce(x.` + f + `, []) | s + t + ',')` }
	parts := []string{`x.m`, text("day"), text("agency"), text("district"), text("scopeKey"), text("sealed"),
		text("offense"), list("codes"), text("dkind"), text("subtype"), text("rounds"),
		text("guilty"), text("dagency"), text("late"), text("endDay")}
	return strings.Join(parts, ` + '|' + `)
}()

// syncRollupsQuery moves each case of $cases whose contributions changed
// out of its old roll-ups and into its new ones. The caller holds the
// cases' locks (the lineage transaction), so c.rollup is current.
var syncRollupsQuery = `
UNWIND $cases AS uid
MATCH (c:Case {uid: uid})
` + rollupCells + `
` + applyRollups

// applyRollups is the tail shared by the sync and the repair: rows of a
// case c and its new cells. The changes of all the cases are netted per
// cell (and per day of its histogram) and written in key order, so a cell
// whose count did not change is not written, and concurrent syncs lock
// cells in the same order (no deadlock between them).
var applyRollups = `
WITH c, cells, [x IN cells | x.key + coalesce('\u001f' + toString(x.days), '')] AS entries, c.rollup AS old
WHERE old IS NULL OR old <> entries
SET c.rollup = entries
WITH collect({old: coalesce(old, []), cells: cells}) AS changes, count(*) AS changed
CALL (changes) {
  CALL (changes) {
    UNWIND changes AS ch
    UNWIND ch.old AS e
    WITH split(e, '\u001f') AS p
    RETURN p[0] AS key, -1 AS delta, CASE WHEN size(p) > 1 THEN toInteger(p[1]) END AS d, null AS x
    UNION ALL
    UNWIND changes AS ch
    UNWIND ch.cells AS x
    RETURN x.key AS key, 1 AS delta, x.days AS d, x
  }
  WITH key, d, sum(delta) AS dd, head(collect(x)) AS x
  WITH key, sum(dd) AS dn, collect(CASE WHEN d IS NOT NULL AND dd <> 0 THEN [d, dd] END) AS dh, head(collect(x)) AS x
  WHERE dn <> 0 OR size(dh) > 0
  WITH key, dn, dh, x ORDER BY key
  CALL (key, dn, dh, x) {
    MERGE (r:Rollup {key: key})
    ON CREATE SET r += CASE WHEN x IS NULL THEN {} ELSE x {.*, days: null, scope: null} END, r.n = 0, r.hist = []
    SET r.n = r.n + dn
    WITH r, dh
    WHERE size(dh) > 0
    SET r.hist = reduce(h = r.hist, p IN dh |
      [i IN range(0, CASE WHEN size(h) > p[0] THEN size(h) ELSE p[0] + 1 END - 1) |
        coalesce(h[i], 0) + CASE WHEN i = p[0] THEN p[1] ELSE 0 END])
  }
  CALL (x) {
    WITH x WHERE x.scope IS NOT NULL
    MERGE (s:RollupScope {key: x.scopeKey})
    ON CREATE SET s.tokens = x.scope
  }
  RETURN count(*) AS written
}
RETURN changed`

// repairRollupsQuery gives up to $limit cases that have never been rolled
// up (stored before roll-ups existed) their contributions. It locks each
// case first and looks again, so a concurrent sync is not counted twice.
var repairRollupsQuery = `
MATCH (c:Case) WHERE c.rollup IS NULL
WITH c LIMIT $limit
SET c._rollupLock = true
WITH c WHERE c.rollup IS NULL
REMOVE c._rollupLock
WITH c
` + rollupCells + `
` + applyRollups

// resyncRollupsQuery recomputes the contributions of the cases $cases
// outside a lineage transaction (RepairScopes, after it wrote their
// tokens): it locks each case before it reads what the case counted in.
var resyncRollupsQuery = `
UNWIND $cases AS uid
MATCH (c:Case {uid: uid})
SET c._rollupLock = true
REMOVE c._rollupLock
WITH c
` + rollupCells + `
` + applyRollups

// A start-up backfill (roll-ups, alert counters) fills derived counts for
// the cases stored before they existed. A migration marks a database that
// holds cases with (:RollupState {id, backfill: true}); the repair counts
// cases in batches and, once none is left, deletes the mark.

// backfillStateQuery says whether the backfill $id is complete.
const backfillStateQuery = `
OPTIONAL MATCH (s:RollupState {id: $id})
RETURN s IS NULL OR NOT coalesce(s.backfill, false) AS ready`

// backfillDoneQuery deletes the mark of the backfill id once no case lacks
// the property that says it is counted.
func backfillDoneQuery(id, counted string) string {
	return `
MATCH (s:RollupState {id: '` + id + `'})
WHERE NOT EXISTS { MATCH (c:Case) WHERE c.` + counted + ` IS NULL }
DELETE s
RETURN count(s) AS n`
}

var rollupsDoneQuery = backfillDoneQuery("rollups", "rollup")

// repairBatch runs one batch of a backfill: repair counts up to limit
// cases and returns how many as "changed"; when it found none, done
// clears the backfill's mark.
func (db *DB) repairBatch(ctx context.Context, repair, done string, limit int) (int, error) {
	recs, err := db.write(ctx, repair, map[string]any{"limit": limit})
	if err != nil {
		return 0, err
	}
	n := 0
	if len(recs) == 1 {
		c, _ := get(recs[0], "changed").(int64)
		n = int(c)
	}
	if n == 0 {
		if _, err := db.write(ctx, done, nil); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// backfillReady says whether the backfill id is complete.
func (db *DB) backfillReady(ctx context.Context, id string) (bool, error) {
	recs, err := db.read(ctx, backfillStateQuery, map[string]any{"id": id})
	if err != nil {
		return false, err
	}
	if len(recs) != 1 {
		return false, nil
	}
	ok, _ := get(recs[0], "ready").(bool)
	return ok, nil
}

// syncRollups is the last step of a lineage's Save.
func (l *LineageTx) syncRollups(cases []string) error {
	_, err := l.run(syncRollupsQuery, map[string]any{"cases": orEmpty(cases)})
	return err
}

// RepairRollups adds up to limit cases that have no roll-up contributions
// yet (stored before roll-ups existed, or by a sync that never ran) and
// returns how many it added. When none is left it marks the roll-ups
// complete, and analytics start reading them.
func (db *DB) RepairRollups(ctx context.Context, limit int) (int, error) {
	n, err := db.repairBatch(ctx, repairRollupsQuery, rollupsDoneQuery, limit)
	if err != nil {
		return 0, fmt.Errorf("RepairRollups: %w", err)
	}
	return n, nil
}

// RollupsReady says whether every case is counted in the roll-ups. A
// database that held cases before roll-ups existed is not, until
// RepairRollups has gone through them; until then analytics count cases.
func (db *DB) RollupsReady(ctx context.Context) (bool, error) {
	ok, err := db.backfillReady(ctx, "rollups")
	if err != nil {
		return false, fmt.Errorf("RollupsReady: %w", err)
	}
	return ok, nil
}

// RollupDiff is a roll-up whose stored count differs from a recomputation.
type RollupDiff struct {
	Key                     string
	Stored, Counted         int
	StoredDays, CountedDays DayHist
}

// verifyRollupsQuery recomputes every roll-up's count and histogram from
// the graph.
var verifyRollupsQuery = `
MATCH (c:Case)
` + rollupCells + `
UNWIND cells AS x
RETURN x.key AS key, count(*) AS n, collect(x.days) AS days`

const storedRollupsQuery = `
MATCH (r:Rollup) WHERE r.n <> 0 OR any(h IN r.hist WHERE h <> 0)
RETURN r.key AS key, r.n AS n, r.hist AS hist`

// VerifyRollups recomputes every roll-up from the cases in the graph and
// returns those whose stored count or histogram differs, by key (none when
// they agree). It reads every case: an operator's check and a test, not a
// query path.
func (db *DB) VerifyRollups(ctx context.Context) ([]RollupDiff, error) {
	type cell struct {
		n    int
		hist DayHist
	}
	read := func(q string) (map[string]cell, error) {
		recs, err := db.read(ctx, q, nil)
		if err != nil {
			return nil, fmt.Errorf("VerifyRollups: %w", err)
		}
		out := make(map[string]cell, len(recs))
		for _, r := range recs {
			n, _ := get(r, "n").(int64)
			c := cell{n: int(n), hist: DayHist{}}
			c.hist.add(get(r, "days"))
			c.hist.addCounts(get(r, "hist"))
			out[asString(get(r, "key"))] = c
		}
		return out, nil
	}
	fresh, err := read(verifyRollupsQuery)
	if err != nil {
		return nil, err
	}
	stored, err := read(storedRollupsQuery)
	if err != nil {
		return nil, err
	}
	var out []RollupDiff
	for k, f := range fresh {
		if st := stored[k]; st.n != f.n || !maps.Equal(st.hist, f.hist) {
			out = append(out, RollupDiff{Key: k, Stored: st.n, Counted: f.n, StoredDays: st.hist, CountedDays: f.hist})
		}
	}
	for k, st := range stored {
		if _, ok := fresh[k]; !ok {
			out = append(out, RollupDiff{Key: k, Stored: st.n, StoredDays: st.hist})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// useRollups says whether a query may read the roll-ups: the caller did
// not ask for a count of the cases, and every case is rolled up.
func (db *DB) useRollups(ctx context.Context, scan bool) (bool, error) {
	if scan {
		return false, nil
	}
	return db.RollupsReady(ctx)
}

// monthAligned says whether from and to (either may be nil) fall on month
// boundaries: from the first of a month, to the last day of one. Roll-ups
// kept by month answer only such ranges exactly.
func monthAligned(from, to *time.Time) bool {
	if from != nil && from.Day() != 1 {
		return false
	}
	if to != nil && to.AddDate(0, 0, 1).Day() != 1 {
		return false
	}
	return true
}

// rollupQuery is a query over the roll-ups of measure $m that the caller
// may see; where is the rest of its WHERE and ret its RETURN. A caller who
// sees every case reads the cells without scope (measure m*, which also
// drop agency and district where no answer needs them) unless it filters
// by place; anyone else reads the cells of the scopes their tokens match.
func rollupQuery(ctx context.Context, params map[string]any, m string, byPlace bool, where, ret string) string {
	// m is one of the measures above, never input: the queries of one
	// answer share params, so it is part of the text.
	scoped(ctx, params)
	if casegraph.ScopeFrom(ctx).All {
		if !byPlace {
			m += "*"
		}
		return `
MATCH (r:Rollup)
WHERE r.m = '` + m + `' AND r.day IS NOT NULL AND r.n > 0 AND ($scopeUnseal OR NOT r.sealed) AND ` + where + `
RETURN ` + ret
	}
	return `
MATCH (s:RollupScope) WHERE any(t IN s.tokens WHERE t IN $scopeTokens)
WITH collect(s.key) AS scopeKeys
MATCH (r:Rollup)
WHERE r.m = '` + m + `' AND r.scopeKey IN scopeKeys AND r.day IS NOT NULL AND r.n > 0 AND ($scopeUnseal OR NOT r.sealed) AND ` + where + `
RETURN ` + ret
}

const rollupPlace = `(size($agencies) = 0 OR r.agency IN $agencies) AND (size($districts) = 0 OR r.district IN $districts)`

var rollupGroupKeys = map[TrendGroup]string{
	GroupNone:     `null`,
	GroupDistrict: `r.district`,
	GroupAgency:   `r.agency`,
	GroupCharge:   `r.offense`,
}

// trendRollupMeasure is the roll-up that answers q exactly, or "" when
// none does: case counts for any interval when no charge is involved;
// charge counts by month, quarter or year (the charge roll-up is kept by
// month). Trends by stage count cases: a stage changes with every step.
func trendRollupMeasure(q TrendQuery) string {
	switch {
	case q.GroupBy == GroupStage:
		return ""
	case q.GroupBy == GroupCharge || len(q.Charges) > 0:
		if q.GroupBy != GroupCharge || q.Interval == IntervalDay || q.Interval == IntervalWeek {
			return ""
		}
		return "charge"
	}
	return "case"
}

// byPlace says whether a trend needs the cells by agency and district:
// it filters or groups by them.
func (q TrendQuery) byPlace() bool {
	return len(q.Agencies) > 0 || len(q.Districts) > 0 || q.GroupBy == GroupAgency || q.GroupBy == GroupDistrict
}

// latestFromRollups is the latest filed date of the visible cases that pass
// the agency and district filters, from the case roll-ups (nil: none).
func (db *DB) latestFromRollups(ctx context.Context, params map[string]any) (any, error) {
	cypher := rollupQuery(ctx, params, "case", len(params["agencies"].([]string)) > 0 || len(params["districts"].([]string)) > 0,
		`r.day IS NOT NULL AND `+rollupPlace, `max(r.day) AS latest`)
	recs, err := db.read(ctx, cypher, params)
	if err != nil || len(recs) != 1 {
		return nil, err
	}
	return get(recs[0], "latest"), nil
}

func (db *DB) trendFromRollups(ctx context.Context, m string, q TrendQuery, params map[string]any) ([]TrendCount, error) {
	cypher := rollupQuery(ctx, params, m, q.byPlace(),
		`r.day >= $from AND r.day <= $to AND `+rollupPlace+`
  AND (size($charges) = 0 OR r.offense IN $charges OR any(x IN r.codes WHERE x IN $charges))`,
		`date.truncate($unit, r.day) AS period, `+rollupGroupKeys[q.GroupBy]+` AS key, sum(r.n) AS n`)
	recs, err := db.read(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return trendCounts(recs), nil
}

func trendCounts(recs []*neo4j.Record) []TrendCount {
	counts := make([]TrendCount, 0, len(recs))
	for _, r := range recs {
		d, ok := get(r, "period").(dbtype.Date)
		if !ok {
			continue
		}
		n, _ := get(r, "n").(int64)
		c := TrendCount{Start: d.Time(), N: int(n)}
		if k, ok := get(r, "key").(string); ok {
			c.Key = &k
		}
		counts = append(counts, c)
	}
	return counts
}

// procRollupQueries are procedureStats' queries over the roll-ups, in the
// order decisions, supplementary investigation, judgments, overdue (two
// queries, whose counts add up); params
// holds $from and $to (month-aligned or nil).
func procRollupQueries(ctx context.Context, params map[string]any, byPlace bool) []string {
	days := `($from IS NULL OR r.day >= $from) AND ($to IS NULL OR r.day <= $to) AND ` + rollupPlace
	return []string{
		rollupQuery(ctx, params, "decision", byPlace, days,
			`r.agency AS agency, date.truncate($unit, r.day) AS period, r.dkind AS kind, r.subtype AS subtype,
       sum(r.n) AS n, collect(r.hist) AS hist`),
		rollupQuery(ctx, params, "supp", byPlace, days,
			`r.agency AS agency, date.truncate($unit, r.day) AS period, sum(r.n) AS cases,
       sum(CASE WHEN r.rounds >= 1 THEN r.n ELSE 0 END) AS once, sum(CASE WHEN r.rounds >= 2 THEN r.n ELSE 0 END) AS twice`),
		rollupQuery(ctx, params, "judgment", byPlace, days,
			`r.agency AS agency, date.truncate($unit, r.day) AS period, sum(r.n) AS n,
       sum(CASE WHEN r.guilty THEN r.n ELSE 0 END) AS guilty, collect(r.hist) AS hist`),
		// Case-agency pairs overdue before this month (UTC): late already,
		// or whose earliest running clock ended in an earlier month; then
		// those whose clock ended this month before today.
		rollupQuery(ctx, params, "overdue-m", byPlace, `r.day < $monthStart AND `+rollupPlace,
			`r.dagency AS agency, sum(r.n) AS n`),
		rollupQuery(ctx, params, "overdue", byPlace, `r.day >= $monthStart AND r.day < $today AND `+rollupPlace,
			`r.dagency AS agency, sum(r.n) AS n`),
	}
}

// procOverdueTodayQuery counts the case-agency pairs whose earliest running
// clock ends today (UTC) and has ended by $now, from the deadlines.
var procOverdueTodayQuery = `
MATCH (d:Deadline)
WHERE d.openEnd >= $dayStart AND d.openEnd < $now AND d.kind = 'DUTY' AND d.status = 'RUNNING'
MATCH (d)-[:IN_CASE]->(c:Case)
WHERE ` + visibleCase("c") + procFilters + `
WITH DISTINCT c, d.agency AS agency
WHERE NOT EXISTS {
  MATCH (x:Deadline)-[:IN_CASE]->(c)
  WHERE x.kind = 'DUTY' AND coalesce(x.agency, '') = coalesce(agency, '')
    AND (x.status = 'LATE' OR (x.status = 'RUNNING' AND x.endAt < $dayStart))
}
RETURN agency, count(c) AS n`

// overdueParams are the day boundaries of the overdue roll-ups: today's
// UTC date, the first of its month, and today's start.
func overdueParams(params map[string]any, now time.Time) {
	day := now.UTC().Truncate(24 * time.Hour)
	params["today"] = neo4j.DateOf(day)
	params["monthStart"] = neo4j.DateOf(time.Date(day.Year(), day.Month(), 1, 0, 0, 0, 0, time.UTC))
	params["dayStart"] = day
}

// ResetRollups drops every roll-up and marks them incomplete, so that
// analytics count cases until RepairRollups has rebuilt them (after a
// change to what the roll-ups count, or when VerifyRollups found a
// difference). It runs in batches outside a transaction.
func (db *DB) ResetRollups(ctx context.Context) error {
	for _, q := range []string{
		`MERGE (s:RollupState {id: 'rollups'}) SET s.backfill = true`,
		`MATCH (r:Rollup) CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS`,
		`MATCH (s:RollupScope) CALL (s) { DELETE s } IN TRANSACTIONS OF 10000 ROWS`,
		`MATCH (c:Case) WHERE c.rollup IS NOT NULL CALL (c) { REMOVE c.rollup } IN TRANSACTIONS OF 10000 ROWS`,
	} {
		if err := db.runImplicit(ctx, q); err != nil {
			return fmt.Errorf("ResetRollups: %w", err)
		}
	}
	return nil
}

// runImplicit runs a query in an auto-commit transaction, as CALL … IN
// TRANSACTIONS needs.
func (db *DB) runImplicit(ctx context.Context, cypher string) error {
	db.queries.Add(1)
	sess := db.driver.NewSession(ctx, neo4jSessionConfig(db.database))
	defer sess.Close(ctx)
	res, err := sess.Run(ctx, cypher, nil)
	if err == nil {
		_, err = res.Consume(ctx)
	}
	return translate(err)
}
