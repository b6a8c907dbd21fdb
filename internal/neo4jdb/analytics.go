package neo4jdb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/casegraph/casegraph"
)

// Analytics: crimeTrend counts cases by the period of their filed date
// (c.filedAt) and a group, under the caller's scope. Cypher counts per
// (period, group); zero-filling, the comparisons with the previous period and
// the same period a year earlier, and suppression are done in Go by
// BuildTrend, a pure function.

// TrendInterval is the length of a trend period.
type TrendInterval string

// Trend intervals. A WEEK is an ISO week, Monday to Sunday.
const (
	IntervalDay     TrendInterval = "DAY"
	IntervalWeek    TrendInterval = "WEEK"
	IntervalMonth   TrendInterval = "MONTH"
	IntervalQuarter TrendInterval = "QUARTER"
	IntervalYear    TrendInterval = "YEAR"
)

// TrendGroup is what a trend's counts are split by.
type TrendGroup string

// Trend groupings.
const (
	GroupNone     TrendGroup = "NONE"
	GroupCharge   TrendGroup = "CHARGE"
	GroupDistrict TrendGroup = "DISTRICT"
	GroupAgency   TrendGroup = "AGENCY"
	GroupStage    TrendGroup = "STAGE"
)

// Limits of one trend answer; beyond them it is refused as INVALID.
const (
	MaxTrendPeriods = 1000
	MaxTrendCells   = 100_000
	// DefaultTrendPeriods is how many periods a trend without a date range
	// covers, ending with the period of the latest filed date visible.
	DefaultTrendPeriods = 12
	// SuppressBelow is the smallest count shown to a caller whose counts
	// are suppressed; counts from 1 to SuppressBelow-1 are withheld.
	SuppressBelow = 5
)

// TrendQuery asks for a trend. From and To are calendar dates (UTC
// midnight), both inclusive; nil means the default range.
type TrendQuery struct {
	Interval  TrendInterval
	GroupBy   TrendGroup
	From, To  *time.Time
	Charges   []string // offense codes or names
	Districts []string
	Agencies  []string // agency codes
	// Suppress withholds counts from 1 to SuppressBelow-1 (callers without
	// case access).
	Suppress bool
	// Scan counts the cases themselves instead of reading the roll-ups:
	// the baseline of the benchmark and of the roll-up tests.
	Scan bool
}

// Trend is the answer: every period from the one containing From to the one
// containing To, each with the same groups in the same order.
type Trend struct {
	From, To time.Time
	Periods  []TrendPeriod
}

// TrendPeriod is one period, Start to End inclusive, and its cells.
type TrendPeriod struct {
	Start, End time.Time
	Groups     []TrendCell
}

// TrendCell is one group's count in one period and its comparisons. A count
// is nil when it is suppressed; a change is nil when either side is.
type TrendCell struct {
	Key               *string
	Count             *int
	PreviousCount     *int
	ChangeVsPrevious  *int
	PercentVsPrevious *float64
	YearAgoCount      *int
	ChangeVsYearAgo   *int
	PercentVsYearAgo  *float64
	Suppressed        bool
}

// TrendCount is one row of the counting query: the cases filed in the
// period starting Start, in group Key (nil: the case has no value).
type TrendCount struct {
	Start time.Time
	Key   *string
	N     int
}

var truncUnit = map[TrendInterval]string{
	IntervalDay: "day", IntervalWeek: "week", IntervalMonth: "month",
	IntervalQuarter: "quarter", IntervalYear: "year",
}

// groupKeys are the whitelisted fragments that give the list of group keys
// of the case c; a case counts once in each.
var groupKeys = map[TrendGroup]string{
	GroupNone:     `[null]`,
	GroupDistrict: `[c.district]`,
	GroupAgency:   `[c.agencyCode]`,
	GroupStage:    `[c.stage]`,
	// The distinct offenses of the case's charges (restricted to the charge
	// filter, when there is one); a case without charges is in the null group.
	GroupCharge: `CASE WHEN size(offs) = 0 THEN [null] ELSE offs END`,
}

const trendFilters = `
  AND (size($agencies) = 0 OR c.agencyCode IN $agencies)
  AND (size($districts) = 0 OR c.district IN $districts)
  AND (size($charges) = 0 OR EXISTS {
        MATCH (c)<-[:IN_CASE]-(:Charge)-[:OF_OFFENSE]->(o:Offense)
        WHERE o.code IN $charges OR o.name IN $charges })`

// trendCountQuery counts the visible cases filed in [$from, $to] per period
// and group; %s is a fragment of groupKeys.
var trendCountQuery = `
MATCH (c:Case)
WHERE c.filedAt >= $from AND c.filedAt <= $to AND ` + visibleCase("c") + trendFilters + `
WITH c, date.truncate($unit, c.filedAt) AS period,
     COLLECT {
       MATCH (c)<-[:IN_CASE]-(:Charge)-[:OF_OFFENSE]->(o:Offense)
       WHERE $byCharge AND (size($charges) = 0 OR o.code IN $charges OR o.name IN $charges)
       RETURN DISTINCT coalesce(o.name, o.code)
     } AS offs
UNWIND %s AS key
RETURN period, key, count(DISTINCT c) AS n`

// trendLatestQuery is the latest filed date of the visible cases that pass
// the filters: the default end of a trend.
var trendLatestQuery = `
MATCH (c:Case)
WHERE c.filedAt IS NOT NULL AND ` + visibleCase("c") + trendFilters + `
RETURN max(c.filedAt) AS latest`

// latestFiled is the latest filed date of the visible cases that pass the
// filters in params (trendFilters), or today when there is none: the
// default end of the trend and rising-charge windows.
func (db *DB) latestFiled(ctx context.Context, params map[string]any, rollups bool) (time.Time, error) {
	var latest any
	if rollups && len(params["charges"].([]string)) == 0 {
		l, err := db.latestFromRollups(ctx, params)
		if err != nil {
			return time.Time{}, err
		}
		latest = l
	} else {
		recs, err := db.read(ctx, trendLatestQuery, scoped(ctx, params))
		if err != nil {
			return time.Time{}, err
		}
		if len(recs) == 1 {
			latest = get(recs[0], "latest")
		}
	}
	to := time.Now().UTC()
	if d, ok := latest.(dbtype.Date); ok {
		to = d.Time()
	}
	return time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC), nil
}

// CrimeTrend counts the visible cases by period of their filed date and by
// group, with zero-filled periods and comparisons (BuildTrend).
func (db *DB) CrimeTrend(ctx context.Context, q TrendQuery) (tr Trend, err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("CrimeTrend(%s, %s): %w", q.Interval, q.GroupBy, err)
		}
	}()
	unit, ok := truncUnit[q.Interval]
	if !ok {
		return Trend{}, casegraph.Errorf(casegraph.EINVALID, "unknown interval %q", q.Interval)
	}
	keys, ok := groupKeys[q.GroupBy]
	if !ok {
		return Trend{}, casegraph.Errorf(casegraph.EINVALID, "unknown groupBy %q", q.GroupBy)
	}
	params := map[string]any{
		"agencies":  orEmpty(q.Agencies),
		"districts": orEmpty(q.Districts),
		"charges":   orEmpty(q.Charges),
	}
	rollups, err := db.useRollups(ctx, q.Scan)
	if err != nil {
		return Trend{}, err
	}
	measure := ""
	if rollups {
		measure = trendRollupMeasure(q)
	}
	if q.To == nil {
		to, err := db.latestFiled(ctx, params, rollups)
		if err != nil {
			return Trend{}, err
		}
		if q.From != nil && to.Before(*q.From) {
			// Nothing filed since from: its period alone, zeros.
			to = *q.From
		}
		q.To = &to
	}
	first, last, err := trendRange(q)
	if err != nil {
		return Trend{}, err
	}
	// Counts reach back to the period before the first and to the same
	// period a year earlier, for the comparisons.
	from := yearAgo(q.Interval, first)
	if prev := addIntervals(q.Interval, first, -1); prev.Before(from) {
		from = prev
	}
	params["from"] = neo4j.DateOf(from)
	params["to"] = neo4j.DateOf(addIntervals(q.Interval, last, 1).AddDate(0, 0, -1))
	params["unit"] = unit
	if measure != "" {
		counts, err := db.trendFromRollups(ctx, measure, q, params)
		if err != nil {
			return Trend{}, err
		}
		return BuildTrend(q, counts)
	}
	params["byCharge"] = q.GroupBy == GroupCharge
	recs, err := db.read(ctx, fmt.Sprintf(trendCountQuery, keys), scoped(ctx, params))
	if err != nil {
		return Trend{}, err
	}
	counts := trendCounts(recs)
	return BuildTrend(q, counts)
}

// trendRange is the start of the first and of the last period of q, whose
// To is set; a range of more than MaxTrendPeriods is INVALID.
func trendRange(q TrendQuery) (first, last time.Time, err error) {
	last = truncate(q.Interval, *q.To)
	first = addIntervals(q.Interval, last, -(DefaultTrendPeriods - 1))
	if q.From != nil {
		first = truncate(q.Interval, *q.From)
	}
	if first.After(last) {
		return first, last, casegraph.Errorf(casegraph.EINVALID, "from %s is after to %s",
			q.From.Format(time.DateOnly), q.To.Format(time.DateOnly))
	}
	if n := periodsBetween(q.Interval, first, last); n > MaxTrendPeriods {
		return first, last, casegraph.Errorf(casegraph.EINVALID,
			"%s to %s is more than %d periods of a %s; narrow the range or use a longer interval",
			first.Format(time.DateOnly), last.Format(time.DateOnly), MaxTrendPeriods, q.Interval)
	}
	return first, last, nil
}

// periodsBetween counts the periods from first to last, both period starts,
// or returns MaxTrendPeriods+1 when there are more.
func periodsBetween(iv TrendInterval, first, last time.Time) int {
	n := 1
	for p := first; p.Before(last); p = addIntervals(iv, p, 1) {
		if n++; n > MaxTrendPeriods {
			return n
		}
	}
	return n
}

// BuildTrend turns the counts of the query into the answer: every period
// from q.From's to q.To's (q.To must be set; q.From defaults to
// DefaultTrendPeriods periods), every group seen in those periods in every
// period (zero when no case), the comparisons, and suppression.
func BuildTrend(q TrendQuery, counts []TrendCount) (Trend, error) {
	first, last, err := trendRange(q)
	if err != nil {
		return Trend{}, err
	}
	type cellKey struct {
		start time.Time
		key   string
		null  bool
	}
	ck := func(start time.Time, k *string) cellKey {
		if k == nil {
			return cellKey{start: start, null: true}
		}
		return cellKey{start: start, key: *k}
	}
	n := map[cellKey]int{}
	for _, c := range counts {
		n[ck(truncate(q.Interval, c.Start), c.Key)] += c.N
	}
	var starts []time.Time
	for p := first; !p.After(last); p = addIntervals(q.Interval, p, 1) {
		starts = append(starts, p)
	}
	// Groups: those with a case in the periods shown, largest total first,
	// then by key (the null group last); with no grouping, the one group.
	type group struct {
		key   *string
		total int
	}
	var groups []group
	seen := map[cellKey]int{}
	if q.GroupBy == GroupNone || q.GroupBy == "" {
		groups = []group{{}}
		seen[cellKey{null: true}] = 0
	}
	for _, c := range counts {
		s := truncate(q.Interval, c.Start)
		if s.Before(first) || s.After(last) || c.N == 0 {
			continue
		}
		g := ck(time.Time{}, c.Key)
		i, ok := seen[g]
		if !ok {
			i = len(groups)
			seen[g] = i
			groups = append(groups, group{key: c.Key})
		}
		groups[i].total += c.N
	}
	slices.SortStableFunc(groups, func(a, b group) int {
		if a.total != b.total {
			return b.total - a.total
		}
		switch {
		case a.key == nil && b.key == nil:
			return 0
		case a.key == nil:
			return 1
		case b.key == nil:
			return -1
		}
		return cmp.Compare(*a.key, *b.key)
	})
	if len(starts)*len(groups) > MaxTrendCells {
		return Trend{}, casegraph.Errorf(casegraph.EINVALID,
			"%d periods × %d groups is more than %d cells; narrow the range or the filters, or use a longer interval",
			len(starts), len(groups), MaxTrendCells)
	}
	shown := func(v int) *int {
		if q.Suppress && v > 0 && v < SuppressBelow {
			return nil
		}
		return &v
	}
	tr := Trend{From: first, To: addIntervals(q.Interval, last, 1).AddDate(0, 0, -1)}
	for _, s := range starts {
		p := TrendPeriod{Start: s, End: addIntervals(q.Interval, s, 1).AddDate(0, 0, -1)}
		prev, ago := addIntervals(q.Interval, s, -1), yearAgo(q.Interval, s)
		for _, g := range groups {
			c := TrendCell{Key: g.key}
			c.Count = shown(n[ck(s, g.key)])
			c.Suppressed = c.Count == nil
			c.PreviousCount = shown(n[ck(prev, g.key)])
			c.YearAgoCount = shown(n[ck(ago, g.key)])
			c.ChangeVsPrevious, c.PercentVsPrevious = change(c.Count, c.PreviousCount)
			c.ChangeVsYearAgo, c.PercentVsYearAgo = change(c.Count, c.YearAgoCount)
			p.Groups = append(p.Groups, c)
		}
		tr.Periods = append(tr.Periods, p)
	}
	return tr, nil
}

// change is now - before and its percentage of before: nil when either is
// unknown, the percentage also when before is zero.
func change(now, before *int) (*int, *float64) {
	if now == nil || before == nil {
		return nil, nil
	}
	d := *now - *before
	if *before == 0 {
		return &d, nil
	}
	pct := float64(d) * 100 / float64(*before)
	return &d, &pct
}

// truncate is the start of the period of iv that contains t's date.
func truncate(iv TrendInterval, t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch iv {
	case IntervalWeek:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case IntervalMonth:
		return time.Date(d.Year(), d.Month(), 1, 0, 0, 0, 0, time.UTC)
	case IntervalQuarter:
		return time.Date(d.Year(), (d.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	case IntervalYear:
		return time.Date(d.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

// addIntervals moves the period start p by k periods.
func addIntervals(iv TrendInterval, p time.Time, k int) time.Time {
	switch iv {
	case IntervalWeek:
		return p.AddDate(0, 0, 7*k)
	case IntervalMonth:
		return p.AddDate(0, k, 0)
	case IntervalQuarter:
		return p.AddDate(0, 3*k, 0)
	case IntervalYear:
		return p.AddDate(k, 0, 0)
	}
	return p.AddDate(0, 0, k)
}

// yearAgo is the start of the period a year before the one starting at p:
// the same month, quarter or year a year earlier; 52 weeks earlier for a
// week (the same weekday); the same date for a day, 29 February being
// compared with 28 February.
func yearAgo(iv TrendInterval, p time.Time) time.Time {
	switch iv {
	case IntervalWeek:
		return p.AddDate(0, 0, -364)
	case IntervalDay:
		if p.Month() == time.February && p.Day() == 29 {
			return time.Date(p.Year()-1, time.February, 28, 0, 0, 0, 0, time.UTC)
		}
	}
	return p.AddDate(-1, 0, 0)
}
