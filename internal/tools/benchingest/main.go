// Command benchingest measures `casegraph ingest` against two baselines in
// one run on one machine, on the same input and the same Neo4j:
//
//   - casegraph: the real binary (`casegraph ingest --quiet FILE`), timed as
//     a process, its peak RSS as GNU time reports it (see runIngest);
//   - baseline (a): plain Cypher — the records decoded and loaded with one
//     UNWIND … MERGE statement per record type per batch, in one transaction
//     per batch, with no validation and no conflict reports, plus what
//     casegraph derives after each batch (timeline events, deadlines,
//     stages, scope tokens, analytics roll-ups, alert counters, entity
//     resolution candidates), derived in memory and written with UNWIND
//     statements in the same transaction: the cheapest honest way to load
//     the same graph (baseline.go);
//   - baseline (b): one transaction per record, through casegraph's own
//     writer (`casegraph ingest --batch 1`), on the first -per-record lines
//     (its rate, not its total, is compared: a full run would take hours).
//
// The database is emptied before each load, and the graph each load leaves
// is counted — nodes and relationships, per label, per relationship type
// and per property key — and casegraph's and baseline (a)'s counts are
// compared: the ratio means something only when they load the same graph.
// Results are printed as a Markdown table and written as JSON.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

type result struct {
	Name          string  `json:"name"`
	Records       int     `json:"records"`
	Seconds       float64 `json:"seconds"`
	RecordsPerSec float64 `json:"recordsPerSec"`
	Nodes         int64   `json:"nodes"`
	Rels          int64   `json:"relationships"`
	EntitiesPerS  float64 `json:"entitiesPerSec"`
	PeakRSSMB     float64 `json:"peakRssMB,omitempty"`
	Census        *census `json:"census,omitempty"`
}

func main() {
	binary := flag.String("casegraph", "bin/casegraph", "the casegraph binary")
	input := flag.String("input", "", "NDJSON input (from casegraph gen)")
	uri := flag.String("neo4j-uri", env("CASEGRAPH_NEO4J_URI", "bolt://127.0.0.1:7689"), "Neo4j to load (it is emptied!)")
	password := flag.String("neo4j-password", env("CASEGRAPH_NEO4J_PASSWORD", "casegraph-dev"), "")
	batch := flag.Int("batch", 1000, "batch size for casegraph and baseline (a)")
	perRecord := flag.Int("per-record", 5000, "lines loaded one transaction each for baseline (b)")
	script := flag.String("neo4j-script", "scripts/neo4j", "the script that wipes and starts the Neo4j under test (with the CASEGRAPH_NEO4J_* environment)")
	out := flag.String("out", "", "write results as JSON here")
	profile := flag.Bool("profile", false, "instead of the benchmark, load the input in this process as casegraph ingest does and print where its time goes, by phase and statement")
	cpuProfile := flag.String("cpuprofile", "", "with -profile: write a CPU profile of the load here")
	deriveOnly := flag.Bool("derive-only", false, "run baseline (a) without a database: decoding and derivations only, and what it would write")
	flag.Parse()
	if *input == "" {
		log.Fatal("-input is required")
	}
	ctx := context.Background()
	driver, err := neo4j.NewDriverWithContext(*uri, neo4j.BasicAuth("neo4j", *password, ""))
	if err != nil {
		log.Fatal(err)
	}
	defer driver.Close(ctx)

	lines := countLines(*input)
	var results []result

	// Every load starts from an empty store with the schema applied: the
	// server is wiped and restarted (faster and surer than deleting millions
	// of nodes), then migrated.
	reset := func() {
		for _, verb := range []string{"wipe", "start"} {
			cmd := exec.Command(*script, verb)
			cmd.Stderr = os.Stderr
			if err := cmd.Run(); err != nil {
				log.Fatalf("%s %s: %v", *script, verb, err)
			}
		}
		migrate(*binary, *uri)
	}

	if *deriveOnly {
		start := time.Now()
		stats, err := baseline(ctx, nil, *input, *batch)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%s\n%.1f s without a database\n", stats, time.Since(start).Seconds())
		return
	}
	if *profile {
		reset()
		if err := runProfile(ctx, *uri, *password, *input, *batch, *cpuProfile); err != nil {
			log.Fatal(err)
		}
		return
	}

	// casegraph ingest, whole input.
	reset()
	r := runIngest(*binary, *uri, *batch, *input)
	r.Name, r.Records = "casegraph ingest", lines
	count(ctx, driver, &r)
	results = append(results, r)

	// (a) plain Cypher UNWIND batches, on the same schema.
	reset()
	start := time.Now()
	stats, err := baseline(ctx, driver, *input, *batch)
	if err != nil {
		log.Fatal(err)
	}
	a := result{Name: "baseline (a): plain Cypher UNWIND", Records: lines, Seconds: time.Since(start).Seconds()}
	count(ctx, driver, &a)
	results = append(results, a)
	fmt.Fprintln(os.Stderr, stats)

	// (b) one transaction per record, on a prefix of the input.
	if *perRecord > 0 {
		reset()
		prefix := writePrefix(*input, *perRecord)
		defer os.Remove(prefix)
		b := runIngest(*binary, *uri, 1, prefix)
		b.Name, b.Records = fmt.Sprintf("baseline (b): one transaction per record (first %d lines)", *perRecord), min(*perRecord, lines)
		count(ctx, driver, &b)
		results = append(results, b)
	}

	for i := range results {
		results[i].RecordsPerSec = float64(results[i].Records) / results[i].Seconds
		results[i].EntitiesPerS = float64(results[i].Nodes+results[i].Rels) / results[i].Seconds
	}
	fmt.Printf("machine: %d cores, %s/%s, %s\n\n", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, cpuModel())
	fmt.Println("| load | records | seconds | records/s | nodes | relationships | entities/s | peak RSS |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range results {
		rss := "—"
		if r.PeakRSSMB > 0 {
			rss = fmt.Sprintf("%.0f MB", r.PeakRSSMB)
		}
		fmt.Printf("| %s | %d | %.1f | %.0f | %d | %d | %.0f | %s |\n", r.Name, r.Records, r.Seconds, r.RecordsPerSec, r.Nodes, r.Rels, r.EntitiesPerS, rss)
	}
	fmt.Printf("\nratio casegraph / baseline (a): %.2f× by records (target ≥ 0.8×), %.2f× by entities\n",
		results[0].RecordsPerSec/results[1].RecordsPerSec, results[0].EntitiesPerS/results[1].EntitiesPerS)
	if len(results) > 2 {
		fmt.Printf("ratio casegraph / baseline (b): %.1f× (target ≥ 20×)\n", results[0].RecordsPerSec/results[2].RecordsPerSec)
	}
	fmt.Printf("peak RSS of casegraph ingest: %.0f MB (target < 300 MB)\n", results[0].PeakRSSMB)
	fmt.Println()
	compare(results[0].Census, results[1].Census)
	if *out != "" {
		b, _ := json.MarshalIndent(results, "", "  ")
		os.WriteFile(*out, b, 0o644)
	}
}

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			return strings.TrimSpace(strings.SplitN(l, ":", 2)[1])
		}
	}
	return "unknown CPU"
}

func countLines(path string) int {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<21)
	n := 0
	for sc.Scan() {
		n++
	}
	return n
}

func writePrefix(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	tmp, err := os.CreateTemp("", "bench-prefix-*.ndjson")
	if err != nil {
		log.Fatal(err)
	}
	defer tmp.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<21)
	for i := 0; i < n && sc.Scan(); i++ {
		tmp.Write(append(sc.Bytes(), '\n'))
	}
	return tmp.Name()
}

// runIngest runs casegraph ingest and reads its peak resident memory from
// GNU time (/usr/bin/time -f %M), which reports the rusage of its own child.
// The rusage Go gets for a child it starts is no good for that: Go starts
// children with vfork, and Linux carries the parent's RSS high-water mark
// into the child at exec, so a child started after the baseline had built
// its model in memory "peaked" at gigabytes (1,081 MB and 4,405 MB for
// baseline (b) on 2026-11-29; 30 MB when run alone).
func runIngest(binary, uri string, batch int, input string) result {
	rss, err := os.CreateTemp("", "bench-rss-*")
	if err != nil {
		log.Fatal(err)
	}
	rss.Close()
	defer os.Remove(rss.Name())
	cmd := exec.Command("/usr/bin/time", "-o", rss.Name(), "-f", "%M",
		binary, "ingest", "--quiet", "--log-level", "warn", "--batch", fmt.Sprint(batch), input)
	cmd.Env = append(os.Environ(), "CASEGRAPH_NEO4J_URI="+uri)
	cmd.Stderr = os.Stderr
	start := time.Now()
	outb, err := cmd.Output()
	el := time.Since(start)
	if err != nil {
		log.Fatalf("casegraph ingest: %v\n%s", err, outb)
	}
	fmt.Fprint(os.Stderr, string(outb))
	b, err := os.ReadFile(rss.Name())
	if err != nil {
		log.Fatal(err)
	}
	kb, err := strconv.ParseFloat(strings.TrimSpace(string(b)), 64)
	if err != nil {
		log.Fatalf("peak RSS from /usr/bin/time: %q: %v", b, err)
	}
	return result{Seconds: el.Seconds(), PeakRSSMB: kb / 1024}
}

func migrate(binary, uri string) {
	cmd := exec.Command(binary, "migrate", "--log-level", "warn")
	cmd.Env = append(os.Environ(), "CASEGRAPH_NEO4J_URI="+uri)
	if out, err := cmd.CombinedOutput(); err != nil {
		log.Fatalf("migrate: %v\n%s", err, out)
	}
}

func count(ctx context.Context, d neo4j.DriverWithContext, r *result) {
	res, err := neo4j.ExecuteQuery(ctx, d, `MATCH (n) WHERE NOT n:Migration RETURN count(n)`, nil, neo4j.EagerResultTransformer)
	if err != nil {
		log.Fatal(err)
	}
	r.Nodes = res.Records[0].Values[0].(int64)
	res, err = neo4j.ExecuteQuery(ctx, d, `MATCH ()-[r]->() RETURN count(r)`, nil, neo4j.EagerResultTransformer)
	if err != nil {
		log.Fatal(err)
	}
	r.Rels = res.Records[0].Values[0].(int64)
	r.Census = takeCensus(ctx, d)
}

// census counts a graph by node label, relationship type and property key.
type census struct {
	Labels map[string]int64 `json:"labels"`
	Types  map[string]int64 `json:"types"`
	// Props counts "Label.key" on nodes and "[TYPE].key" on relationships.
	Props map[string]int64 `json:"properties"`
}

func takeCensus(ctx context.Context, d neo4j.DriverWithContext) *census {
	c := &census{Labels: map[string]int64{}, Types: map[string]int64{}, Props: map[string]int64{}}
	for _, q := range []struct {
		cypher string
		into   map[string]int64
	}{
		{`MATCH (n) WHERE NOT n:Migration UNWIND labels(n) AS l RETURN l, count(*)`, c.Labels},
		{`MATCH ()-[r]->() RETURN type(r), count(*)`, c.Types},
		{`MATCH (n) WHERE NOT n:Migration UNWIND labels(n) AS l UNWIND keys(n) AS k RETURN l + '.' + k, count(*)`, c.Props},
		{`MATCH ()-[r]->() UNWIND keys(r) AS k RETURN '[' + type(r) + '].' + k, count(*)`, c.Props},
	} {
		res, err := neo4j.ExecuteQuery(ctx, d, q.cypher, nil, neo4j.EagerResultTransformer)
		if err != nil {
			log.Fatal(err)
		}
		for _, rec := range res.Records {
			q.into[rec.Values[0].(string)] = rec.Values[1].(int64)
		}
	}
	return c
}

// compare prints where casegraph's graph and baseline (a)'s differ: per
// label, per relationship type and per property key.
func compare(cg, a *census) {
	type row struct {
		what  string
		cg, a int64
	}
	var rows []row
	diff := func(kind string, x, y map[string]int64) int {
		keys := map[string]bool{}
		for k := range x {
			keys[k] = true
		}
		for k := range y {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if x[k] != y[k] {
				rows = append(rows, row{kind + " " + k, x[k], y[k]})
			}
		}
		return len(sorted)
	}
	nl := diff("label", cg.Labels, a.Labels)
	nt := diff("type", cg.Types, a.Types)
	np := diff("property", cg.Props, a.Props)
	if len(rows) == 0 {
		fmt.Printf("the two graphs match: the same counts for %d labels, %d relationship types and %d property keys\n", nl, nt, np)
		return
	}
	fmt.Printf("casegraph and baseline (a) differ (%d labels, %d relationship types, %d property keys compared):\n\n", nl, nt, np)
	fmt.Println("| count | casegraph | baseline (a) | difference |")
	fmt.Println("|---|---:|---:|---:|")
	for _, r := range rows {
		fmt.Printf("| %s | %d | %d | %+d |\n", r.what, r.cg, r.a, r.a-r.cg)
	}
}
