// Command benchanalytics measures the analytics queries on a graph that
// `casegraph ingest` loaded (with its procedure sync): p50 and p95 over
// repeated runs, each as the store answers GraphQL, for two scopes — every
// case (a city-wide reader) and one police station's (scope tokens inside
// the Cypher). crimeTrend and procedureStats run twice: from the roll-ups,
// and counting the cases themselves (the baseline, in the same run); the
// two answers must be equal or the run fails. Cases loaded before roll-ups
// existed are rolled up first (RepairRollups, timed). It prints a Markdown
// table and writes JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"math/rand/v2"
	"os"
	"reflect"
	"sort"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

type row struct {
	Query  string  `json:"query"`
	Scope  string  `json:"scope"`
	Runs   int     `json:"runs"`
	P50    float64 `json:"p50ms"`
	P95    float64 `json:"p95ms"`
	Target string  `json:"target"`
}

func main() {
	uri := flag.String("neo4j-uri", env("CASEGRAPH_NEO4J_URI", "bolt://127.0.0.1:7690"), "")
	password := flag.String("neo4j-password", env("CASEGRAPH_NEO4J_PASSWORD", "casegraph-dev"), "")
	runs := flag.Int("runs", 20, "runs of each query with a target")
	otherRuns := flag.Int("other-runs", 5, "runs of each baseline and of the queries without a target")
	baseline := flag.Bool("baseline", true, "check the roll-up answers against counting cases, and time counting cases")
	targetsOnly := flag.Bool("targets-only", false, "time only the queries with a target (and their baselines)")
	agency := flag.String("agency", "330203GA", "the police station of the scoped runs")
	out := flag.String("out", "", "write results as JSON here")
	flag.Parse()
	db, err := neo4jdb.Open(neo4jdb.Config{URI: *uri, User: "neo4j", Password: *password}, slog.Default())
	if err != nil {
		log.Fatal(err)
	}
	all := casegraph.WithScope(context.Background(), casegraph.Scope{All: true, PII: true})
	defer db.Close(all)
	n, err := db.CaseCount(all)
	if err != nil {
		log.Fatal(err)
	}
	t0 := time.Now()
	backfilled := 0
	for {
		k, err := db.RepairRollups(all, 5000)
		if err != nil {
			log.Fatal(err)
		}
		if k == 0 {
			break
		}
		backfilled += k
		fmt.Fprintf(os.Stderr, "roll-ups: %d cases backfilled (%s)\n", backfilled, time.Since(t0).Round(time.Second))
	}
	backfill := time.Since(t0)
	if ok, err := db.RollupsReady(all); err != nil || !ok {
		log.Fatalf("roll-ups not ready after the backfill: %v", err)
	}
	station := casegraph.WithScope(context.Background(), casegraph.Scope{Tokens: []string{*agency}, PII: true})
	// Persons and cases to expand: suspects of the station's cases.
	page, _, err := db.ListCases(station, casegraph.CaseFilter{AgencyCode: agency}, 100, nil)
	if err != nil || len(page) == 0 {
		log.Fatalf("no cases of %s: %v", *agency, err)
	}
	var caseUIDs []string
	for _, c := range page {
		caseUIDs = append(caseUIDs, c.UID)
	}
	parties, err := db.PartiesByCase(station, caseUIDs)
	if err != nil {
		log.Fatal(err)
	}
	var personUIDs []string
	for _, ps := range parties {
		for _, p := range ps {
			if p.Role == casegraph.RoleSuspect {
				personUIDs = append(personUIDs, p.Person.UID)
			}
		}
	}
	sort.Strings(personUIDs)
	r := rand.New(rand.NewPCG(1, 2))
	from, to := time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	type q struct {
		name, target string
		baseline     bool // counts cases: the roll-up query's baseline
		run          func(ctx context.Context) error
	}
	now := time.Now()
	trend := func(scan bool) neo4jdb.TrendQuery {
		return neo4jdb.TrendQuery{Interval: neo4jdb.IntervalMonth, GroupBy: neo4jdb.GroupCharge, From: &from, To: &to, Scan: scan}
	}
	stats := func(scan bool) neo4jdb.ProcStatsQuery {
		return neo4jdb.ProcStatsQuery{Interval: neo4jdb.IntervalYear, Now: now, Scan: scan}
	}
	// The roll-ups must answer what counting the cases answers.
	for _, ctx := range []context.Context{all, station} {
		if !*baseline {
			break
		}
		a, err := db.CrimeTrend(ctx, trend(false))
		if err != nil {
			log.Fatal(err)
		}
		b, err := db.CrimeTrend(ctx, trend(true))
		if err != nil {
			log.Fatal(err)
		}
		if !reflect.DeepEqual(a, b) {
			log.Fatalf("crimeTrend from the roll-ups differs from counting the cases")
		}
		c, err := db.ProcedureStats(ctx, stats(false))
		if err != nil {
			log.Fatal(err)
		}
		d, err := db.ProcedureStats(ctx, stats(true))
		if err != nil {
			log.Fatal(err)
		}
		if !reflect.DeepEqual(c, d) {
			log.Fatalf("procedureStats from the roll-ups differs from counting the cases")
		}
	}
	queries := []q{
		{"crimeTrend MONTH × CHARGE, 3 years", "p95 < 300 ms", false, func(ctx context.Context) error {
			_, err := db.CrimeTrend(ctx, trend(false))
			return err
		}},
		{"crimeTrend MONTH × CHARGE, 3 years, counting cases (baseline)", "—", true, func(ctx context.Context) error {
			_, err := db.CrimeTrend(ctx, trend(true))
			return err
		}},
		{"procedureStats YEAR", "p95 < 300 ms", false, func(ctx context.Context) error {
			_, err := db.ProcedureStats(ctx, stats(false))
			return err
		}},
		{"procedureStats YEAR, counting cases (baseline)", "—", true, func(ctx context.Context) error {
			_, err := db.ProcedureStats(ctx, stats(true))
			return err
		}},
		{"personNetwork depth 2", "p95 < 50 ms", false, func(ctx context.Context) error {
			_, err := db.PersonNetwork(ctx, personUIDs[r.IntN(len(personUIDs))], 2, 100, 50)
			return err
		}},
		{"hotspots DISTRICT", "—", false, func(ctx context.Context) error {
			_, err := db.CaseHotspots(ctx, neo4jdb.HotspotQuery{})
			return err
		}},
		{"linkedCases", "—", false, func(ctx context.Context) error {
			_, err := db.LinkedCases(ctx, caseUIDs[r.IntN(len(caseUIDs))], 20)
			return err
		}},
		{"risingCharges 90 days", "—", false, func(ctx context.Context) error {
			_, _, err := db.RisingCharges(ctx, neo4jdb.RisingQuery{WindowDays: 90})
			return err
		}},
		{"repeatOffenders ≥ 2", "—", false, func(ctx context.Context) error {
			_, err := db.RepeatOffenders(ctx, 2, nil, nil, 20)
			return err
		}},
	}
	var rows []row
	for _, sc := range []struct {
		name string
		ctx  context.Context
	}{{"every case", all}, {"one station (" + *agency + ")", station}} {
		for _, qq := range queries {
			if (qq.baseline && !*baseline) || (*targetsOnly && qq.target == "—" && !qq.baseline) {
				continue
			}
			if err := qq.run(sc.ctx); err != nil { // warm-up
				log.Fatalf("%s: %v", qq.name, err)
			}
			var ts []float64
			k := *runs
			if qq.target == "—" {
				k = *otherRuns
			}
			for range k {
				t0 := time.Now()
				if err := qq.run(sc.ctx); err != nil {
					log.Fatalf("%s: %v", qq.name, err)
				}
				ts = append(ts, float64(time.Since(t0).Microseconds())/1000)
			}
			sort.Float64s(ts)
			rows = append(rows, row{Query: qq.name, Scope: sc.name, Runs: k, P50: pct(ts, 0.5), P95: pct(ts, 0.95), Target: qq.target})
			fmt.Fprintf(os.Stderr, "%s / %s: p50 %.1f ms p95 %.1f ms\n", qq.name, sc.name, pct(ts, 0.5), pct(ts, 0.95))
		}
	}
	fmt.Printf("%d cases in the graph; after one warm-up, %d runs of each query with a target, %d of the others; roll-up backfill of %d cases took %s\n\n",
		n, *runs, *otherRuns, backfilled, backfill.Round(time.Millisecond))
	fmt.Println("| query | scope | runs | p50 ms | p95 ms | target |")
	fmt.Println("|---|---|---:|---:|---:|---|")
	for _, x := range rows {
		fmt.Printf("| %s | %s | %d | %.1f | %.1f | %s |\n", x.Query, x.Scope, x.Runs, x.P50, x.P95, x.Target)
	}
	if *out != "" {
		b, _ := json.MarshalIndent(map[string]any{"cases": n, "rows": rows, "at": time.Now().UTC(),
			"backfilledCases": backfilled, "backfillSeconds": backfill.Seconds()}, "", "  ")
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func pct(sorted []float64, p float64) float64 {
	k := int(p*float64(len(sorted))+0.999999) - 1
	if k < 0 {
		k = 0
	}
	if k >= len(sorted) {
		k = len(sorted) - 1
	}
	return sorted[k]
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
