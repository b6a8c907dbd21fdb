package neo4jdb

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// RisingCharge is a charge whose count rose from the previous window to the
// latest one.
type RisingCharge struct {
	Charge            string
	Current, Previous int
	// PValue is the one-sided exact binomial p-value of seeing at least
	// Current of Current+Previous cases in the latest window if both
	// windows were equally likely (docs/analytics.md).
	PValue float64
	// Significant is PValue below RisingAlpha.
	Significant bool
}

// RisingAlpha is the significance level of risingCharges.
const RisingAlpha = 0.01

// RisingQuery asks for the charges that rose most.
type RisingQuery struct {
	WindowDays int
	End        *time.Time // the last day of the latest window; the latest visible filed date when nil
	Districts  []string
	Agencies   []string
	// Suppress leaves out charges with fewer than SuppressBelow cases in
	// either window (callers without case access).
	Suppress bool
}

var risingCountQuery = `
MATCH (c:Case)
WHERE c.filedAt > $start AND c.filedAt <= $end AND ` + visibleCase("c") + trendFilters + `
MATCH (c)<-[:IN_CASE]-(:Charge)-[:OF_OFFENSE]->(o:Offense)
WITH DISTINCT c, coalesce(o.name, o.code) AS charge
RETURN charge, sum(CASE WHEN c.filedAt > $mid THEN 1 ELSE 0 END) AS current,
       sum(CASE WHEN c.filedAt <= $mid THEN 1 ELSE 0 END) AS previous`

// RisingCharges compares each charge's visible cases filed in the latest
// window with the window before it, and ranks the rises by significance
// (smallest p-value first, then the larger rise).
func (db *DB) RisingCharges(ctx context.Context, q RisingQuery) ([]RisingCharge, time.Time, error) {
	params := map[string]any{"agencies": orEmpty(q.Agencies), "districts": orEmpty(q.Districts), "charges": []string{}}
	var end time.Time
	if q.End != nil {
		end = time.Date(q.End.Year(), q.End.Month(), q.End.Day(), 0, 0, 0, 0, time.UTC)
	} else {
		rollups, err := db.RollupsReady(ctx)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("RisingCharges: %w", err)
		}
		if end, err = db.latestFiled(ctx, params, rollups); err != nil {
			return nil, time.Time{}, fmt.Errorf("RisingCharges: %w", err)
		}
	}
	mid := end.AddDate(0, 0, -q.WindowDays)
	params["end"] = neo4j.DateOf(end)
	params["mid"] = neo4j.DateOf(mid)
	params["start"] = neo4j.DateOf(mid.AddDate(0, 0, -q.WindowDays))
	recs, err := db.read(ctx, risingCountQuery, scoped(ctx, params))
	if err != nil {
		return nil, end, fmt.Errorf("RisingCharges: %w", err)
	}
	var out []RisingCharge
	for _, r := range recs {
		cur, _ := get(r, "current").(int64)
		prev, _ := get(r, "previous").(int64)
		if cur <= prev {
			continue
		}
		if q.Suppress && (cur < SuppressBelow || prev < SuppressBelow) {
			continue
		}
		p := BinomialUpperTail(int(cur), int(cur+prev))
		out = append(out, RisingCharge{Charge: asString(get(r, "charge")), Current: int(cur), Previous: int(prev),
			PValue: p, Significant: p < RisingAlpha})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.PValue != b.PValue {
			return a.PValue < b.PValue
		}
		if da, db := a.Current-a.Previous, b.Current-b.Previous; da != db {
			return da > db
		}
		return a.Charge < b.Charge
	})
	return out, end, nil
}

// BinomialUpperTail is P(X ≥ k) for X ~ Binomial(n, 1/2): how likely at
// least k of n cases fall in one of two equally likely windows by chance.
// Small counts give large p-values, so 3 cases against none (p = 0.125) is
// not flagged, while 30 against 2 is.
func BinomialUpperTail(k, n int) float64 {
	if k <= 0 {
		return 1
	}
	if k > n {
		return 0
	}
	lg := func(x int) float64 { v, _ := math.Lgamma(float64(x) + 1); return v }
	sum := 0.0
	for i := k; i <= n; i++ {
		sum += math.Exp(lg(n) - lg(i) - lg(n-i) - float64(n)*math.Ln2)
	}
	return math.Min(1, sum)
}
