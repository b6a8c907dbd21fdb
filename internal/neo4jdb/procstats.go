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

	ArrestReviewDays, ProsecutionReviewDays, TrialDays []int
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
	ints := func(v any) []int {
		xs, _ := v.([]any)
		var out []int
		for _, x := range xs {
			if n, ok := x.(int64); ok {
				out = append(out, int(n))
			}
		}
		return out
	}
	recs, err := db.read(ctx, procDecisionsQuery, params)
	if err != nil {
		return nil, fmt.Errorf("ProcedureStats: %w", err)
	}
	for _, r := range recs {
		x := row(r)
		n64, _ := get(r, "n").(int64)
		n, days := int(n64), ints(get(r, "days"))
		switch asString(get(r, "kind")) {
		case "APPROVE_ARREST":
			x.ArrestApproved += n
			x.ArrestReviewDays = append(x.ArrestReviewDays, days...)
		case "DENY_ARREST":
			x.ArrestDenied += n
			x.ArrestReviewDays = append(x.ArrestReviewDays, days...)
		case "PROSECUTE":
			x.Prosecuted += n
			if asString(get(r, "subtype")) == "认罪认罚" {
				x.PleaProsecuted += n
			}
			x.ProsecutionReviewDays = append(x.ProsecutionReviewDays, days...)
		case "NOT_PROSECUTE":
			x.NotProsecuted[asString(get(r, "subtype"))] += n
			x.ProsecutionReviewDays = append(x.ProsecutionReviewDays, days...)
		}
	}
	if recs, err = db.read(ctx, procSupplementaryQuery, params); err != nil {
		return nil, fmt.Errorf("ProcedureStats: %w", err)
	}
	for _, r := range recs {
		x := row(r)
		c, _ := get(r, "cases").(int64)
		o, _ := get(r, "once").(int64)
		t, _ := get(r, "twice").(int64)
		x.ProsecutionCases, x.ReturnedOnce, x.ReturnedTwice = int(c), int(o), int(t)
	}
	if recs, err = db.read(ctx, procJudgmentsQuery, params); err != nil {
		return nil, fmt.Errorf("ProcedureStats: %w", err)
	}
	for _, r := range recs {
		x := row(r)
		n, _ := get(r, "n").(int64)
		g, _ := get(r, "guilty").(int64)
		x.Judgments, x.Convictions = int(n), int(g)
		x.TrialDays = append(x.TrialDays, ints(get(r, "days"))...)
	}
	out := &ProcStats{Overdue: map[string]int{}}
	if recs, err = db.read(ctx, procOverdueQuery, params); err != nil {
		return nil, fmt.Errorf("ProcedureStats: %w", err)
	}
	for _, r := range recs {
		n, _ := get(r, "n").(int64)
		out.Overdue[asString(get(r, "agency"))] = int(n)
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

// Quantile is the q-quantile (0..1) of xs by the nearest-rank method; nil
// when xs is empty. xs is sorted in place.
func Quantile(xs []int, q float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	sort.Ints(xs)
	k := int(q*float64(len(xs)) + 0.999999999)
	if k < 1 {
		k = 1
	}
	if k > len(xs) {
		k = len(xs)
	}
	v := float64(xs[k-1])
	return &v
}
