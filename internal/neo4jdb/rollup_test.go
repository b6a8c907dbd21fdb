package neo4jdb_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// TestRollupsEqualARecount loads generated cases (sealed ones included)
// through ingest and the procedure sync, then checks that every roll-up
// equals a recomputation from the graph and that crimeTrend and
// procedureStats answer the same from the roll-ups as from counting the
// cases, for several scopes and queries. It does so again after records
// that move cases to other districts, seal them, add charges and
// decisions, and after the roll-ups are dropped and rebuilt by the
// backfill.
func TestRollupsEqualARecount(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	records := synthRecords(t, 400, 11)
	load := syncLoader(t, db)
	load(records)

	sys := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	check := func(stage string) {
		t.Helper()
		ready, err := db.RollupsReady(sys)
		if err != nil || !ready {
			t.Fatalf("%s: roll-ups ready %v, %v", stage, ready, err)
		}
		diffs, err := db.VerifyRollups(sys)
		if err != nil {
			t.Fatal(err)
		}
		for i, d := range diffs {
			if i == 5 {
				t.Errorf("… %d differences in all", len(diffs))
				break
			}
			t.Errorf("%s: roll-up %s: stored %d %v, recounted %d %v", stage, d.Key, d.Stored, d.StoredDays, d.Counted, d.CountedDays)
		}
		compareAnswers(t, db, stage)
	}
	check("after the first load")

	// Changes: every fifth police case moves to another district, every
	// seventh is sealed, every third gains a charge of another offense,
	// and arrest decisions are re-dated a week later.
	n := 0
	changed := rewriteRecords(t, records, func(rec, src map[string]any) bool {
		switch rec["type"] {
		case "case":
			n++
			switch {
			case n%5 == 0:
				rec["district"] = "测试区"
			case n%7 == 0:
				rec["sealed"] = true
			default:
				return false
			}
		case "charge":
			n++
			if n%3 != 0 {
				return false
			}
			src["recordId"] = fmt.Sprint(src["recordId"], "-extra")
			rec["offense"] = "寻衅滋事罪"
			rec["article"] = "293"
		case "decision":
			d, _ := time.Parse(time.DateOnly, fmt.Sprint(rec["decidedAt"]))
			if rec["kind"] != "APPROVE_ARREST" || d.IsZero() {
				return false
			}
			rec["decidedAt"] = d.AddDate(0, 0, 7).Format(time.DateOnly)
		default:
			return false
		}
		return true
	})
	if len(changed) == 0 {
		t.Fatal("no record was changed")
	}
	load(changed)
	check("after the changes")

	// Cases stored before scope tokens existed: no tokens, and counted in
	// their roll-ups under no scope. serve's start-up repair writes the
	// tokens and moves the cases' roll-ups under them (RepairScopes).
	dropScopes(t, sys, db)
	check("cases without scope tokens")
	repairScopes(t, sys, db)
	check("after a scope repair")

	// Dropped: analytics count cases until the backfill has rebuilt them.
	if err := db.ResetRollups(sys); err != nil {
		t.Fatal(err)
	}
	if ready, err := db.RollupsReady(sys); err != nil || ready {
		t.Fatalf("after a reset, roll-ups ready %v, %v", ready, err)
	}
	for {
		k, err := db.RepairRollups(sys, 100)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			break
		}
	}
	check("after the backfill")
}

// compareAnswers asks crimeTrend and procedureStats from the roll-ups and
// by counting the cases, for several scopes, and fails on any difference.
func compareAnswers(t *testing.T, db *neo4jdb.DB, stage string) {
	t.Helper()
	sys := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	station, _, err := db.ListCases(sys, casegraph.CaseFilter{}, 1, nil)
	if err != nil || len(station) == 0 {
		t.Fatalf("no case: %v", err)
	}
	agency := station[0].AgencyCode
	scopes := map[string]casegraph.Scope{
		"every case":             {All: true},
		"every case, unsealed":   {All: true, Unseal: true},
		"one agency":             {Tokens: []string{agency}},
		"agency and supervision": {Tokens: []string{agency, "POLICE@3302", "COURT@330203"}},
		"no token":               {},
	}
	from, to := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	mid := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	trends := map[string]neo4jdb.TrendQuery{
		"month × charge":            {Interval: neo4jdb.IntervalMonth, GroupBy: neo4jdb.GroupCharge, From: &from, To: &to},
		"quarter × charge, filter":  {Interval: neo4jdb.IntervalQuarter, GroupBy: neo4jdb.GroupCharge, From: &from, To: &to, Charges: []string{"盗窃罪", "293"}},
		"year, no group":            {Interval: neo4jdb.IntervalYear, GroupBy: neo4jdb.GroupNone, From: &from, To: &to},
		"week × district, default":  {Interval: neo4jdb.IntervalWeek, GroupBy: neo4jdb.GroupDistrict},
		"day × agency, by district": {Interval: neo4jdb.IntervalDay, GroupBy: neo4jdb.GroupAgency, From: &mid, To: &to, Districts: []string{"测试区", "海曙区"}},
		"month × charge, agency":    {Interval: neo4jdb.IntervalMonth, GroupBy: neo4jdb.GroupCharge, Agencies: []string{agency}},
		"month, suppressed":         {Interval: neo4jdb.IntervalMonth, GroupBy: neo4jdb.GroupNone, Suppress: true},
	}
	// "Now" on the day a running clock ends, just after and just before
	// it, and a few days later: the overdue roll-ups split at the first of
	// this month and at today.
	nows := []time.Time{time.Now()}
	if end, ok := aRunningClockEnd(t, db); ok {
		nows = append(nows, end.Add(time.Second), end.Add(-time.Second), end.AddDate(0, 0, 3), end.AddDate(0, 0, 20))
	}
	monthEnd := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	var stats []neo4jdb.ProcStatsQuery
	for _, now := range nows {
		stats = append(stats,
			neo4jdb.ProcStatsQuery{Interval: neo4jdb.IntervalYear, Now: now},
			neo4jdb.ProcStatsQuery{Interval: neo4jdb.IntervalMonth, From: &from, To: &monthEnd, Now: now},
			neo4jdb.ProcStatsQuery{Interval: neo4jdb.IntervalQuarter, Agencies: []string{agency}, Now: now},
			neo4jdb.ProcStatsQuery{Interval: neo4jdb.IntervalYear, Districts: []string{"测试区"}, Now: now})
	}
	for sname, s := range scopes {
		ctx := casegraph.WithScope(context.Background(), s)
		for qname, q := range trends {
			got, err := db.CrimeTrend(ctx, q)
			if err != nil {
				t.Fatalf("%s: crimeTrend %s: %v", stage, qname, err)
			}
			q.Scan = true
			want, err := db.CrimeTrend(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s, %s: crimeTrend %s from the roll-ups differs from counting cases (-count +roll-up):\n%.3000s", stage, sname, qname, d)
			}
		}
		for i, q := range stats {
			got, err := db.ProcedureStats(ctx, q)
			if err != nil {
				t.Fatalf("%s: procedureStats %d: %v", stage, i, err)
			}
			q.Scan = true
			want, err := db.ProcedureStats(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s, %s: procedureStats %+v from the roll-ups differs from counting cases (-count +roll-up):\n%.3000s", stage, sname, q, d)
			}
		}
	}
}

// aRunningClockEnd is the end of some running statutory clock (DUTY).
func aRunningClockEnd(t *testing.T, db *neo4jdb.DB) (time.Time, bool) {
	t.Helper()
	sys := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	cases, _, err := db.ListCases(sys, casegraph.CaseFilter{}, 200, nil)
	if err != nil {
		t.Fatal(err)
	}
	var uids []string
	for _, c := range cases {
		uids = append(uids, c.UID)
	}
	ds, err := db.DeadlinesOfCases(sys, uids)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if d.Kind == "DUTY" && d.Status == "RUNNING" && !d.EndAt.IsZero() {
			return d.EndAt, true
		}
	}
	return time.Time{}, false
}
