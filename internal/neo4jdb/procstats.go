package neo4jdb

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/casegraph/casegraph"
)

// ProcStatsQuery asks for case-handling statistics per agency and period.
type ProcStatsQuery struct {
	Interval  TrendInterval
	From, To  *time.Time
	Agencies  []string
	Districts []string
	Now       time.Time
	// Scan counts from the decisions and cases themselves instead of the
	// roll-ups: the baseline of the benchmark and of the roll-up tests.
	Scan bool
}

// ProcStatsRow is one agency's counts in one period. Each count is dated by
// its own event: decisions and judgments by their date, supplementary
// rounds by the prosecution case's filed date; durations in days from the
// handover received to the decision that ends the stage.
type ProcStatsRow struct {
	Agency string
	Period time.Time

	ArrestApproved, ArrestDenied int
	Prosecuted, PleaProsecuted   int
	NotProsecuted                map[string]int // by subtype (法定, 酌定, 存疑, 附条件, 特殊; "" unknown)
	ProsecutionCases             int            // received for prosecution review (移送审查起诉)
	ReturnedOnce, ReturnedTwice  int            // of those: returned at least once, twice (退回补充侦查)
	Judgments, Convictions       int            // per defendant and instance

	ArrestReviewDays, ProsecutionReviewDays, TrialDays DayHist
}

// DayHist is a histogram of durations in days: how many of each.
type DayHist map[int]int

// Count is the number of durations.
func (h DayHist) Count() int {
	n := 0
	for _, c := range h {
		n += c
	}
	return n
}

// Quantile is the q-quantile (0..1) by the nearest-rank method; nil when
// the histogram is empty.
func (h DayHist) Quantile(q float64) *float64 {
	total := h.Count()
	if total == 0 {
		return nil
	}
	k := int(q*float64(total) + 0.999999999)
	k = max(1, min(k, total))
	days := make([]int, 0, len(h))
	for d := range h {
		days = append(days, d)
	}
	sort.Ints(days)
	for _, d := range days {
		if k -= h[d]; k <= 0 {
			v := float64(d)
			return &v
		}
	}
	return nil
}

// add counts a list of durations (a query's column; null is no duration:
// the start is not known).
func (h *DayHist) add(v any) {
	for _, x := range asList(v) {
		if d, ok := x.(int64); ok {
			h.inc(int(d), 1)
		}
	}
}

// addCounts adds a roll-up's histogram: element i is how many took i days.
func (h *DayHist) addCounts(v any) {
	for i, x := range asList(v) {
		if n, ok := x.(int64); ok && n != 0 {
			h.inc(i, int(n))
		}
	}
}

func (h *DayHist) inc(days, n int) {
	if *h == nil {
		*h = DayHist{}
	}
	(*h)[days] += n
}

func asList(v any) []any {
	xs, _ := v.([]any)
	return xs
}

// ProcStats is the answer: rows by agency and period, and the cases of each
// agency with a clock overdue now.
type ProcStats struct {
	Rows    []ProcStatsRow
	Overdue map[string]int
}

const procFilters = `
  AND (size($agencies) = 0 OR c.agencyCode IN $agencies)
  AND (size($districts) = 0 OR c.district IN $districts)`

var procDecisionsQuery = `
MATCH (d:Decision)-[:IN_CASE]->(c:Case)
WHERE d.kind IN ['APPROVE_ARREST', 'DENY_ARREST', 'PROSECUTE', 'NOT_PROSECUTE'] AND d.decidedAt IS NOT NULL
  AND ` + visibleCase("c") + procFilters + `
WITH d, c, date(d.decidedAt) AS day
WHERE ($from IS NULL OR day >= $from) AND ($to IS NULL OR day <= $to)
WITH d, c, day,
     CASE WHEN d.kind IN ['APPROVE_ARREST', 'DENY_ARREST']
       THEN [(h:Handover {type: 'ARREST_REQUEST'})-[:RECEIVED_BY]->(c) WHERE h.receivedAt IS NOT NULL | date(h.receivedAt)]
       ELSE [(h:Handover)-[:RECEIVED_BY]->(c) WHERE h.type IN ['PROSECUTION', 'RESUBMISSION'] AND h.receivedAt IS NOT NULL | date(h.receivedAt)]
     END AS received
WITH d, c, day, reduce(m = null, r IN received | CASE WHEN r <= day AND (m IS NULL OR r > m) THEN r ELSE m END) AS start
RETURN c.agencyCode AS agency, date.truncate($unit, day) AS period, d.kind AS kind, coalesce(d.subtype, '') AS subtype,
       count(*) AS n, collect(CASE WHEN start IS NULL THEN null ELSE duration.inDays(start, day).days END) AS days`

var procSupplementaryQuery = `
MATCH (c:Case)
WHERE c.filedAt IS NOT NULL AND ($from IS NULL OR c.filedAt >= $from) AND ($to IS NULL OR c.filedAt <= $to)
  AND EXISTS { MATCH (:Handover {type: 'PROSECUTION'})-[:RECEIVED_BY]->(c) }
  AND ` + visibleCase("c") + procFilters + `
WITH c, COUNT { MATCH (r:Decision {kind: 'RETURN_FOR_SUPPLEMENT'})-[:IN_CASE]->(c) } AS rounds
RETURN c.agencyCode AS agency, date.truncate($unit, c.filedAt) AS period, count(c) AS cases,
       sum(CASE WHEN rounds >= 1 THEN 1 ELSE 0 END) AS once, sum(CASE WHEN rounds >= 2 THEN 1 ELSE 0 END) AS twice`

var procJudgmentsQuery = `
MATCH (j:Judgment)-[:IN_CASE]->(c:Case)
WHERE j.decidedAt IS NOT NULL AND ` + visibleCase("c") + procFilters + `
WITH j, c, date(j.decidedAt) AS day
WHERE ($from IS NULL OR day >= $from) AND ($to IS NULL OR day <= $to)
WITH j, c, day, [(h:Handover)-[:RECEIVED_BY]->(c) WHERE h.type IN ['INDICTMENT', 'APPEAL', 'PROTEST'] AND h.receivedAt IS NOT NULL | date(h.receivedAt)] AS received
WITH j, c, day, reduce(m = null, r IN received | CASE WHEN r <= day AND (m IS NULL OR r > m) THEN r ELSE m END) AS start
RETURN c.agencyCode AS agency, date.truncate($unit, day) AS period, count(j) AS n,
       sum(CASE WHEN j.verdict = 'GUILTY' THEN 1 ELSE 0 END) AS guilty,
       collect(CASE WHEN start IS NULL THEN null ELSE duration.inDays(start, day).days END) AS days`

// procOverdueQuery counts, per agency, the visible cases with a statutory
// clock (DUTY) that ended late or is running past its end now.
var procOverdueQuery = `
MATCH (d:Deadline)-[:IN_CASE]->(c:Case)
WHERE d.kind = 'DUTY' AND (d.status = 'LATE' OR (d.status = 'RUNNING' AND d.endAt < $now))
  AND ` + visibleCase("c") + procFilters + `
RETURN d.agency AS agency, count(DISTINCT c) AS n`

// ProcedureStats computes case-handling statistics in the caller's scope.
func (db *DB) ProcedureStats(ctx context.Context, q ProcStatsQuery) (*ProcStats, error) {
	unit, ok := truncUnit[q.Interval]
	if !ok {
		return nil, casegraph.Errorf(casegraph.EINVALID, "unknown interval %q", q.Interval)
	}
	params := map[string]any{"unit": unit, "agencies": orEmpty(q.Agencies), "districts": orEmpty(q.Districts),
		"from": nil, "to": nil, "now": offsetTime(q.Now)}
	if q.From != nil {
		params["from"] = neo4j.DateOf(*q.From)
	}
	if q.To != nil {
		params["to"] = neo4j.DateOf(*q.To)
	}
	params = scoped(ctx, params)
	rollups, err := db.useRollups(ctx, q.Scan)
	if err != nil {
		return nil, fmt.Errorf("ProcedureStats: %w", err)
	}
	// The roll-ups are kept by month: they answer months, quarters and
	// years over whole months.
	rollups = rollups && q.Interval != IntervalDay && q.Interval != IntervalWeek && monthAligned(q.From, q.To)
	decisionsQ, suppQ, judgmentsQ, overdueQ := procDecisionsQuery, procSupplementaryQuery, procJudgmentsQuery, procOverdueQuery
	var overdueMore []string
	if rollups {
		overdueParams(params, q.Now)
		qs := procRollupQueries(ctx, params, len(q.Agencies) > 0 || len(q.Districts) > 0)
		decisionsQ, suppQ, judgmentsQ, overdueQ = qs[0], qs[1], qs[2], qs[3]
		overdueMore = []string{qs[4], procOverdueTodayQuery}
	}
	rows := map[string]*ProcStatsRow{}
	row := func(r *neo4j.Record) *ProcStatsRow {
		agency := asString(get(r, "agency"))
		p, _ := get(r, "period").(dbtype.Date)
		k := agency + "|" + p.Time().Format(time.DateOnly)
		if rows[k] == nil {
			rows[k] = &ProcStatsRow{Agency: agency, Period: p.Time(), NotProsecuted: map[string]int{}}
		}
		return rows[k]
	}
	recs, err := db.read(ctx, decisionsQ, params)
	if err != nil {
		return nil, fmt.Errorf("ProcedureStats: %w", err)
	}
	for _, r := range recs {
		x := row(r)
		n64, _ := get(r, "n").(int64)
		n := int(n64)
		var days *DayHist
		switch asString(get(r, "kind")) {
		case "APPROVE_ARREST":
			x.ArrestApproved += n
			days = &x.ArrestReviewDays
		case "DENY_ARREST":
			x.ArrestDenied += n
			days = &x.ArrestReviewDays
		case "PROSECUTE":
			x.Prosecuted += n
			if asString(get(r, "subtype")) == "认罪认罚" {
				x.PleaProsecuted += n
			}
			days = &x.ProsecutionReviewDays
		case "NOT_PROSECUTE":
			x.NotProsecuted[asString(get(r, "subtype"))] += n
			days = &x.ProsecutionReviewDays
		default:
			continue
		}
		days.add(get(r, "days"))
		for _, h := range asList(get(r, "hist")) {
			days.addCounts(h)
		}
	}
	if recs, err = db.read(ctx, suppQ, params); err != nil {
		return nil, fmt.Errorf("ProcedureStats: %w", err)
	}
	for _, r := range recs {
		x := row(r)
		c, _ := get(r, "cases").(int64)
		o, _ := get(r, "once").(int64)
		t, _ := get(r, "twice").(int64)
		x.ProsecutionCases, x.ReturnedOnce, x.ReturnedTwice = int(c), int(o), int(t)
	}
	if recs, err = db.read(ctx, judgmentsQ, params); err != nil {
		return nil, fmt.Errorf("ProcedureStats: %w", err)
	}
	for _, r := range recs {
		x := row(r)
		n, _ := get(r, "n").(int64)
		g, _ := get(r, "guilty").(int64)
		x.Judgments, x.Convictions = int(n), int(g)
		x.TrialDays.add(get(r, "days"))
		for _, h := range asList(get(r, "hist")) {
			x.TrialDays.addCounts(h)
		}
	}
	out := &ProcStats{Overdue: map[string]int{}}
	for _, oq := range append([]string{overdueQ}, overdueMore...) {
		if recs, err = db.read(ctx, oq, params); err != nil {
			return nil, fmt.Errorf("ProcedureStats: %w", err)
		}
		for _, r := range recs {
			n, _ := get(r, "n").(int64)
			out.Overdue[asString(get(r, "agency"))] += int(n)
		}
	}
	for _, x := range rows {
		out.Rows = append(out.Rows, *x)
	}
	sort.Slice(out.Rows, func(i, j int) bool {
		a, b := out.Rows[i], out.Rows[j]
		if a.Agency != b.Agency {
			return a.Agency < b.Agency
		}
		return a.Period.Before(b.Period)
	})
	return out, nil
}
