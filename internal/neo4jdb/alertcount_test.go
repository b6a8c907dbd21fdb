package neo4jdb_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// TestAlertCountsEqualTheDeadlines loads generated cases (sealed ones
// included) through ingest and the procedure sync, then checks that the
// alert total from the counters equals the count of the deadlines (the
// query CountAlerts ran before the counters) for many filters, scopes,
// instants $now (on a deadline's end, just before and after it, midday,
// midnight) and horizons. It does so again after records that re-derive
// procedures (re-dated decisions, sealed cases, other districts), after
// cases lost their scope tokens and RepairScopes gave them back, after
// the cases of an agency are deleted, and after the counters of a
// database written before they existed are filled by the backfill.
func TestAlertCountsEqualTheDeadlines(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	records := synthRecords(t, 300, 23)
	load := syncLoader(t, db)
	load(records)
	sys := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	compareAlertCounts(t, db, "after the first load")

	// Re-derived procedures: every fifth case moves to another district,
	// every seventh is sealed, arrest decisions are re-dated a week later.
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
	load(changed)
	compareAlertCounts(t, db, "after the changes")

	// Cases stored before scope tokens existed, then repaired.
	dropScopes(t, sys, db)
	compareAlertCounts(t, db, "cases without scope tokens")
	repairScopes(t, sys, db)
	compareAlertCounts(t, db, "after a scope repair")

	// The cases of the police agency with the most deadlines are deleted.
	agencies := alertAgencies(t, db)
	if err := db.DeleteByPrefix(sys, "c/"+agencies[0]+"/"); err != nil {
		t.Fatal(err)
	}
	compareAlertCounts(t, db, "after deleting an agency's cases")

	// A database written before the counters existed, as migration 0007
	// finds it: CountAlerts counts deadlines until the backfill is done.
	for _, q := range []string{
		`MATCH (r:AlertCount) DELETE r`,
		`MATCH (s:AlertScope) DELETE s`,
		`MATCH (c:Case) REMOVE c.alertCells`,
		`MATCH (c:Case) WITH c LIMIT 1 MERGE (s:RollupState {id: 'alerts'}) SET s.backfill = true`,
	} {
		if err := db.ExecForTest(sys, q, nil); err != nil {
			t.Fatal(err)
		}
	}
	if ready, err := db.AlertCountsReady(sys); err != nil || ready {
		t.Fatalf("before the backfill, alert counters ready %v, %v", ready, err)
	}
	f := neo4jdb.AlertFilter{Now: time.Now(), Horizon: time.Now().AddDate(1, 0, 0)}
	got, err := db.CountAlerts(sys, f)
	if err != nil {
		t.Fatal(err)
	}
	if want, err := db.CountAlertsByScan(sys, f); err != nil || got != want || got == 0 {
		t.Fatalf("before the backfill, CountAlerts = %d, counting deadlines %d (%v)", got, want, err)
	}
	for {
		k, err := db.RepairAlertCounts(sys, 70)
		if err != nil {
			t.Fatal(err)
		}
		if k == 0 {
			break
		}
	}
	if ready, err := db.AlertCountsReady(sys); err != nil || !ready {
		t.Fatalf("after the backfill, alert counters ready %v, %v", ready, err)
	}
	compareAlertCounts(t, db, "after the backfill")
}

// alertAgencies lists the agencies of the stored deadlines, the one with
// the most first.
func alertAgencies(t *testing.T, db *neo4jdb.DB) []string {
	t.Helper()
	ds := allDeadlines(t, db)
	byAgency := map[string]int{}
	for _, d := range ds {
		byAgency[d.Agency]++
	}
	var out []string
	for a := range byAgency {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if byAgency[out[i]] != byAgency[out[j]] {
			return byAgency[out[i]] > byAgency[out[j]]
		}
		return out[i] < out[j]
	})
	if len(out) < 2 {
		t.Fatalf("deadlines of %d agencies, want 2 or more", len(out))
	}
	return out
}

// allDeadlines reads the deadlines of every case.
func allDeadlines(t *testing.T, db *neo4jdb.DB) []neo4jdb.StoredDeadline {
	t.Helper()
	ds, err := db.DeadlinesForTest(casegraph.WithScope(context.Background(), casegraph.SystemScope))
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// compareAlertCounts counts alerts from the counters and from the
// deadlines for many filters, scopes, instants and horizons, and fails on
// any difference.
func compareAlertCounts(t *testing.T, db *neo4jdb.DB, stage string) {
	t.Helper()
	ds := allDeadlines(t, db)
	var ends []time.Time
	districts := map[string]bool{}
	for _, d := range ds {
		if d.Status != "PAUSED" && !d.EndAt.IsZero() {
			ends = append(ends, d.EndAt)
		}
		if d.District != "" {
			districts[d.District] = true
		}
	}
	if len(ends) < 20 {
		t.Fatalf("%s: %d deadlines with an end, want more", stage, len(ends))
	}
	sort.Slice(ends, func(i, j int) bool { return ends[i].Before(ends[j]) })
	var district string
	for d := range districts {
		if district == "" || d < district {
			district = d
		}
	}
	agencies := alertAgencies(t, db)
	a1, a2 := agencies[0], agencies[1]
	midnight := func(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }

	// $now on a deadline's end exactly, just before and after one, at
	// midday and on midnight (UTC), today, and at the end of a month.
	e := func(q float64) time.Time { return ends[int(q*float64(len(ends)-1))] }
	nows := []time.Time{
		time.Now(),
		e(0.3),
		e(0.5).Add(time.Second),
		e(0.6).Add(-time.Nanosecond),
		midnight(e(0.4)).Add(12 * time.Hour),
		midnight(e(0.7)),
		midnight(e(0.7)).Add(-time.Nanosecond),
		time.Date(e(0.2).Year(), e(0.2).Month(), 1, 0, 0, 0, 0, time.UTC).Add(-time.Second),
	}
	horizons := func(now time.Time) []time.Time {
		hs := []time.Time{now.AddDate(0, 0, 7), now, now.AddDate(0, 0, -2), now.AddDate(0, 0, 45), now.AddDate(3, 0, 0)}
		// a horizon on a deadline's end, a few days after now
		i := sort.Search(len(ends), func(i int) bool { return ends[i].After(now.AddDate(0, 0, 3)) })
		if i < len(ends) {
			hs = append(hs, ends[i])
		}
		return hs
	}
	filters := []neo4jdb.AlertFilter{
		{},
		{Kinds: []string{"OVERDUE"}},
		{Kinds: []string{"DUE_SOON"}},
		{Kinds: []string{"RED_FLAG", "ANOMALY"}},
		{Severities: []string{"LOW"}},
		{Severities: []string{"CRITICAL", "HIGH"}},
		{Agencies: []string{a1}},
		{Agencies: []string{a1, a2}, Kinds: []string{"OVERDUE", "DUE_SOON"}},
		{Districts: []string{district}, Severities: []string{"MEDIUM", "LOW"}},
		{Agencies: []string{a2}, Districts: []string{district}, Kinds: []string{"DUE_SOON", "OVERDUE"}, Severities: []string{"LOW", "HIGH"}},
		{Agencies: []string{"nowhere"}},
	}
	scopes := []struct {
		name  string
		scope casegraph.Scope
	}{
		{"every case", casegraph.Scope{All: true}},
		{"every case, unsealed", casegraph.Scope{All: true, Unseal: true}},
		{"one agency", casegraph.Scope{Tokens: []string{a1}}},
		{"agency and supervision, unsealed", casegraph.Scope{Tokens: []string{a2, "POLICE@3302"}, Unseal: true}},
		{"procuratorate supervision", casegraph.Scope{Tokens: []string{"PROSECUTION@33"}}},
		{"court supervision", casegraph.Scope{Tokens: []string{"COURT@330203", "COURT@330200"}}},
		{"no token", casegraph.Scope{}},
	}
	seen := map[string]int{}
	k, compared := 0, 0
	for _, now := range nows {
		for _, h := range horizons(now) {
			for _, s := range scopes {
				ctx := casegraph.WithScope(context.Background(), s.scope)
				// The filters in turn, so that each meets many scopes,
				// instants and horizons.
				{
					f := filters[k%len(filters)]
					f.Now, f.Horizon = now, h
					want, err := db.CountAlertsByScan(ctx, f)
					if err != nil {
						t.Fatal(err)
					}
					got, err := db.CountAlertCellsForTest(ctx, f)
					if err != nil {
						t.Fatalf("%s: %v", stage, err)
					}
					if got != want {
						t.Errorf("%s, %s, now %s, horizon %s, agencies %v districts %v kinds %v severities %v: %d from the counters, %d deadlines",
							stage, s.name, now.Format(time.RFC3339Nano), h.Format(time.RFC3339Nano),
							f.Agencies, f.Districts, f.Kinds, f.Severities, got, want)
					}
					seen[s.name] = max(seen[s.name], want)
					compared++
				}
				k++
			}
		}
	}
	// The comparison means something only if callers see alerts, and
	// callers with tokens fewer than those who see every case.
	scopedSaw := 0
	for _, s := range []string{"one agency", "agency and supervision, unsealed", "procuratorate supervision", "court supervision"} {
		if seen[s] > 0 && seen[s] < seen["every case, unsealed"] {
			scopedSaw++
		}
	}
	if seen["every case"] == 0 || scopedSaw < 2 {
		t.Errorf("%s: too few alerts seen to compare: %v", stage, seen)
	}
	t.Logf("%s: %d counts compared; most alerts seen by scope: %v", stage, compared, seen)

	// Pages filtered by agency come from index deadline_agency_open_end
	// (alertsOfAgenciesQuery): every page walk must give the alerts of the
	// unfiltered walk that are of those agencies, in the same order.
	paged := 0
	for i, f := range filters {
		if len(f.Agencies) == 0 {
			continue
		}
		now := nows[i%len(nows)]
		f.Now, f.Horizon = now, now.AddDate(0, 0, 45)
		if i%2 == 0 {
			f.Agencies = append(f.Agencies, f.Agencies[0]) // a repeated agency changes nothing
		}
		s := scopes[i%len(scopes)]
		ctx := casegraph.WithScope(context.Background(), s.scope)
		all := f
		all.Agencies = nil
		var want []string
		for _, a := range walkAlerts(t, db, ctx, all, 100) {
			if slices.Contains(f.Agencies, a.Agency) {
				want = append(want, a.UID)
			}
		}
		var got []string
		for _, a := range walkAlerts(t, db, ctx, f, 7) {
			got = append(got, a.UID)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s, %s, agencies %v: pages by agency give %d alerts %v, the unfiltered pages %d %v",
				stage, s.name, f.Agencies, len(got), got, len(want), want)
		}
		paged += len(want)
	}
	if paged == 0 {
		t.Errorf("%s: no alert of the agency filters to compare pages with", stage)
	}
	got, err := db.CountAlerts(casegraph.WithScope(context.Background(), casegraph.Scope{All: true}),
		neo4jdb.AlertFilter{Now: nows[1], Horizon: nows[1].AddDate(0, 0, 7)})
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.CountAlertsByScan(casegraph.WithScope(context.Background(), casegraph.Scope{All: true}),
		neo4jdb.AlertFilter{Now: nows[1], Horizon: nows[1].AddDate(0, 0, 7)})
	if err != nil || got != want {
		t.Errorf("%s: CountAlerts %d, counting deadlines %d (%v)", stage, got, want, err)
	}
}

// walkAlerts reads every page of alerts of f, first at a time.
func walkAlerts(t *testing.T, db *neo4jdb.DB, ctx context.Context, f neo4jdb.AlertFilter, first int) []neo4jdb.Alert {
	t.Helper()
	var out []neo4jdb.Alert
	var after *neo4jdb.AlertKey
	for {
		page, more, err := db.Alerts(ctx, f, first, after)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page...)
		if !more || len(page) == 0 {
			return out
		}
		last := page[len(page)-1]
		after = &neo4jdb.AlertKey{EndAt: last.EndAt, UID: last.UID}
	}
}
