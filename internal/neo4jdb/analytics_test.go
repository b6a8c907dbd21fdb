package neo4jdb

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func dayp(s string) *time.Time { t := day(s); return &t }

func ip(v int) *int { return &v }

func sp(s string) *string { return &s }

func TestTruncateAndStep(t *testing.T) {
	cases := []struct {
		iv         TrendInterval
		in         string
		start      string
		next, prev string
		yearAgo    string
	}{
		{IntervalDay, "2024-02-29", "2024-02-29", "2024-03-01", "2024-02-28", "2023-02-28"},
		{IntervalDay, "2024-03-01", "2024-03-01", "2024-03-02", "2024-02-29", "2023-03-01"},
		// 2024-01-01 is a Monday; 2023-12-31 a Sunday, in ISO week 52 of 2023.
		{IntervalWeek, "2024-01-01", "2024-01-01", "2024-01-08", "2023-12-25", "2023-01-02"},
		{IntervalWeek, "2023-12-31", "2023-12-25", "2024-01-01", "2023-12-18", "2022-12-26"},
		{IntervalWeek, "2024-01-07", "2024-01-01", "2024-01-08", "2023-12-25", "2023-01-02"},
		{IntervalMonth, "2024-01-31", "2024-01-01", "2024-02-01", "2023-12-01", "2023-01-01"},
		{IntervalQuarter, "2024-06-30", "2024-04-01", "2024-07-01", "2024-01-01", "2023-04-01"},
		{IntervalQuarter, "2024-10-01", "2024-10-01", "2025-01-01", "2024-07-01", "2023-10-01"},
		{IntervalYear, "2024-12-31", "2024-01-01", "2025-01-01", "2023-01-01", "2023-01-01"},
	}
	for _, c := range cases {
		s := truncate(c.iv, day(c.in))
		got := []string{s.Format(time.DateOnly), addIntervals(c.iv, s, 1).Format(time.DateOnly),
			addIntervals(c.iv, s, -1).Format(time.DateOnly), yearAgo(c.iv, s).Format(time.DateOnly)}
		want := []string{c.start, c.next, c.prev, c.yearAgo}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s %s (-want +got):\n%s", c.iv, c.in, d)
		}
	}
}

func TestBuildTrendZeroFillsAndCompares(t *testing.T) {
	q := TrendQuery{Interval: IntervalMonth, GroupBy: GroupNone, From: dayp("2024-01-15"), To: dayp("2024-03-02")}
	counts := []TrendCount{
		{Start: day("2023-01-01"), N: 4},  // a year before January
		{Start: day("2023-12-01"), N: 10}, // before January
		{Start: day("2024-01-01"), N: 12},
		{Start: day("2024-03-01"), N: 3},
		{Start: day("2023-03-01"), N: 0},
	}
	tr, err := BuildTrend(q, counts)
	if err != nil {
		t.Fatal(err)
	}
	f := func(v float64) *float64 { return &v }
	want := Trend{From: day("2024-01-01"), To: day("2024-03-31"), Periods: []TrendPeriod{
		{Start: day("2024-01-01"), End: day("2024-01-31"), Groups: []TrendCell{{
			Count: ip(12), PreviousCount: ip(10), ChangeVsPrevious: ip(2), PercentVsPrevious: f(20),
			YearAgoCount: ip(4), ChangeVsYearAgo: ip(8), PercentVsYearAgo: f(200)}}},
		{Start: day("2024-02-01"), End: day("2024-02-29"), Groups: []TrendCell{{
			Count: ip(0), PreviousCount: ip(12), ChangeVsPrevious: ip(-12), PercentVsPrevious: f(-100),
			YearAgoCount: ip(0), ChangeVsYearAgo: ip(0)}}},
		{Start: day("2024-03-01"), End: day("2024-03-31"), Groups: []TrendCell{{
			Count: ip(3), PreviousCount: ip(0), ChangeVsPrevious: ip(3),
			YearAgoCount: ip(0), ChangeVsYearAgo: ip(3)}}},
	}}
	if d := cmp.Diff(want, tr); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestBuildTrendGroupsAndSuppression(t *testing.T) {
	q := TrendQuery{Interval: IntervalYear, GroupBy: GroupDistrict, From: dayp("2023-01-01"), To: dayp("2024-12-31"), Suppress: true}
	counts := []TrendCount{
		{Start: day("2022-01-01"), Key: sp("北区"), N: 7}, // only before the range: no group
		{Start: day("2023-01-01"), Key: sp("东区"), N: 2},
		{Start: day("2024-01-01"), Key: sp("东区"), N: 9},
		{Start: day("2024-01-01"), Key: sp("西区"), N: 20},
		{Start: day("2024-01-01"), Key: nil, N: 5},
	}
	tr, err := BuildTrend(q, counts)
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		Start      string
		Key        string
		Count      *int
		Suppressed bool
		Prev       *int
		Change     *int
	}
	var got []row
	for _, p := range tr.Periods {
		for _, c := range p.Groups {
			k := "<nil>"
			if c.Key != nil {
				k = *c.Key
			}
			got = append(got, row{p.Start.Format(time.DateOnly), k, c.Count, c.Suppressed, c.PreviousCount, c.ChangeVsPrevious})
		}
	}
	want := []row{
		// Largest total first, then by key, the null group last.
		{"2023-01-01", "西区", ip(0), false, ip(0), ip(0)},
		{"2023-01-01", "东区", nil, true, ip(0), nil},
		{"2023-01-01", "<nil>", ip(0), false, ip(0), ip(0)},
		{"2024-01-01", "西区", ip(20), false, ip(0), ip(20)},
		// The previous count 2 is withheld, and so is the change that would
		// reveal it.
		{"2024-01-01", "东区", ip(9), false, nil, nil},
		{"2024-01-01", "<nil>", ip(5), false, ip(0), ip(5)},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

func TestBuildTrendDefaultRangeAndLimits(t *testing.T) {
	tr, err := BuildTrend(TrendQuery{Interval: IntervalWeek, GroupBy: GroupNone, To: dayp("2024-03-06")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Periods) != DefaultTrendPeriods || tr.From != day("2023-12-18") || tr.To != day("2024-03-10") {
		t.Errorf("default range: %d periods, %s to %s", len(tr.Periods), tr.From.Format(time.DateOnly), tr.To.Format(time.DateOnly))
	}
	for _, q := range []TrendQuery{
		{Interval: IntervalDay, From: dayp("2020-01-01"), To: dayp("2024-01-01")},
		{Interval: IntervalMonth, From: dayp("2024-02-01"), To: dayp("2024-01-01")},
	} {
		if _, err := BuildTrend(q, nil); casegraph.ErrorCode(err) != casegraph.EINVALID {
			t.Errorf("%+v: error %v, want INVALID", q, err)
		}
	}
	// 1000 days is allowed.
	if tr, err := BuildTrend(TrendQuery{Interval: IntervalDay, From: dayp("2024-01-01"), To: dayp("2026-09-26")}, nil); err != nil || len(tr.Periods) != MaxTrendPeriods {
		t.Errorf("1000 days: %v, %d periods", err, len(tr.Periods))
	}
}
