// Command benchalerts measures the supervision alerts query on a graph that
// `casegraph ingest` loaded (with its procedure sync): the latency of the
// first page and of the total count for a set of filters, p50 and p99 over
// repeated runs, on the stored, indexed deadlines. The total count is read
// from the alert counters (what totalCount does) and, as the baseline in the
// same run, counted from the deadlines themselves; the two must agree. A
// graph stored before the counters existed is counted into them first
// (timed). It prints a Markdown table and writes JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"sort"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

type row struct {
	Name        string  `json:"name"`
	Alerts      int     `json:"alerts"`
	PageP50     float64 `json:"pageP50ms"`
	PageP99     float64 `json:"pageP99ms"`
	CountP50    float64 `json:"countP50ms"`
	CountP99    float64 `json:"countP99ms"`
	ScanP50     float64 `json:"scanCountP50ms"`
	ScanP99     float64 `json:"scanCountP99ms"`
	ScanSamples int     `json:"scanSamples"`
}

func main() {
	uri := flag.String("neo4j-uri", env("CASEGRAPH_NEO4J_URI", "bolt://127.0.0.1:7689"), "")
	password := flag.String("neo4j-password", env("CASEGRAPH_NEO4J_PASSWORD", "casegraph-dev"), "")
	runs := flag.Int("runs", 50, "runs per filter")
	scanRuns := flag.Int("scan-runs", 0, "runs of the baseline count from the deadlines per filter (0: as -runs; it takes seconds at 1M cases)")
	out := flag.String("out", "", "write results as JSON here")
	flag.Parse()
	// The system's scope (every case): the alerts as a city-wide reader sees them.
	ctx := casegraph.WithScope(context.Background(), casegraph.SystemScope)
	db, err := neo4jdb.Open(neo4jdb.Config{URI: *uri, User: "neo4j", Password: *password}, slog.Default())
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close(ctx)
	n, err := db.CaseCount(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if *scanRuns <= 0 {
		*scanRuns = *runs
	}
	backfill := time.Now()
	counted := 0
	for {
		ready, err := db.AlertCountsReady(ctx)
		if err != nil {
			log.Fatal(err)
		}
		if ready {
			break
		}
		k, err := db.RepairAlertCounts(ctx, 2000)
		if err != nil {
			log.Fatal(err)
		}
		counted += k
	}
	if counted > 0 {
		fmt.Printf("alert counters filled for %d cases stored before them in %.1f s\n", counted, time.Since(backfill).Seconds())
	}
	now := time.Now()
	ags, err := db.Agencies(ctx)
	if err != nil || len(ags) == 0 {
		log.Fatalf("no agencies: %v", err)
	}
	filters := []struct {
		name string
		f    neo4jdb.AlertFilter
	}{
		{"all, due within 7 days", neo4jdb.AlertFilter{}},
		{"red flags only", neo4jdb.AlertFilter{Kinds: []string{"RED_FLAG"}}},
		{"one agency (" + ags[0].Code + ")", neo4jdb.AlertFilter{Agencies: []string{ags[0].Code}}},
		{"critical, one district", neo4jdb.AlertFilter{Severities: []string{"CRITICAL"}, Districts: []string{"海曙区"}}},
	}
	var rows []row
	for _, fl := range filters {
		f := fl.f
		f.Now, f.Horizon = now, now.AddDate(0, 0, 7)
		var page, count, scan []float64
		total := 0
		for i := range *runs {
			t0 := time.Now()
			if _, _, err := db.Alerts(ctx, f, 20, nil); err != nil {
				log.Fatal(err)
			}
			page = append(page, ms(time.Since(t0)))
			t0 = time.Now()
			c, err := db.CountAlerts(ctx, f)
			if err != nil {
				log.Fatal(err)
			}
			count = append(count, ms(time.Since(t0)))
			total = c
			if i < *scanRuns {
				t0 = time.Now()
				want, err := db.CountAlertsByScan(ctx, f)
				if err != nil {
					log.Fatal(err)
				}
				scan = append(scan, ms(time.Since(t0)))
				if want != c {
					log.Fatalf("%s: the alert counters give %d, the deadlines %d", fl.name, c, want)
				}
			}
		}
		rows = append(rows, row{Name: fl.name, Alerts: total, PageP50: pct(page, 50), PageP99: pct(page, 99),
			CountP50: pct(count, 50), CountP99: pct(count, 99), ScanP50: pct(scan, 50), ScanP99: pct(scan, 99), ScanSamples: len(scan)})
	}
	fmt.Printf("%d cases; %d runs per filter (%d of the count from the deadlines); first page of 20 and total count\n\n", n, *runs, *scanRuns)
	fmt.Println("| filter | alerts | page p50 ms | page p99 ms | count p50 ms | count p99 ms | count from deadlines p50 ms | p99 ms | deadlines / counters (p50) |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.0f× |\n", r.Name, r.Alerts, r.PageP50, r.PageP99,
			r.CountP50, r.CountP99, r.ScanP50, r.ScanP99, r.ScanP50/r.CountP50)
	}
	if *out != "" {
		b, _ := json.MarshalIndent(map[string]any{"cases": n, "runs": *runs, "scanRuns": *scanRuns, "results": rows}, "", "  ")
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func pct(xs []float64, p int) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	i := (len(s)*p + 99) / 100
	return s[max(0, min(len(s)-1, i-1))]
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
