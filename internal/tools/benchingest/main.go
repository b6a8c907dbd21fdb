// Command benchingest measures `casegraph ingest` against two baselines in
// one run on one machine, on the same input and the same Neo4j:
//
//   - casegraph: the real binary (`casegraph ingest --quiet FILE`), timed as
//     a process, its peak RSS read from the kernel (rusage maxrss);
//   - baseline (a): plain Cypher — the records decoded into maps and loaded
//     with one UNWIND … MERGE statement per record type per batch, in one
//     transaction per batch, with no validation, no versioning and no entity
//     resolution: the cheapest honest way to load the same graph;
//   - baseline (b): one transaction per record, through casegraph's own
//     writer (`casegraph ingest --batch 1`), on the first -per-record lines
//     (its rate, not its total, is compared: a full run would take hours).
//
// The database is emptied before each load, and the graph each load leaves
// is counted (nodes and relationships) so that the loads can be compared.
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
	"strings"
	"syscall"
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

	// casegraph ingest, whole input.
	reset()
	r := runIngest(*binary, *uri, *batch, *input)
	r.Name, r.Records = "casegraph ingest", lines
	count(ctx, driver, &r)
	results = append(results, r)

	// (a) plain Cypher UNWIND batches, on the same schema.
	reset()
	start := time.Now()
	if err := baseline(ctx, driver, *input, *batch); err != nil {
		log.Fatal(err)
	}
	a := result{Name: "baseline (a): plain Cypher UNWIND", Records: lines, Seconds: time.Since(start).Seconds()}
	count(ctx, driver, &a)
	results = append(results, a)

	// (b) one transaction per record, on a prefix of the input.
	reset()
	prefix := writePrefix(*input, *perRecord)
	defer os.Remove(prefix)
	b := runIngest(*binary, *uri, 1, prefix)
	b.Name, b.Records = fmt.Sprintf("baseline (b): one transaction per record (first %d lines)", *perRecord), min(*perRecord, lines)
	count(ctx, driver, &b)
	results = append(results, b)

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
	fmt.Printf("\nratio casegraph / baseline (a): %.2f× (target ≥ 0.8×)\n", results[0].RecordsPerSec/results[1].RecordsPerSec)
	fmt.Printf("ratio casegraph / baseline (b): %.1f× (target ≥ 20×)\n", results[0].RecordsPerSec/results[2].RecordsPerSec)
	fmt.Printf("peak RSS of casegraph ingest: %.0f MB (target < 300 MB)\n", results[0].PeakRSSMB)
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

func runIngest(binary, uri string, batch int, input string) result {
	cmd := exec.Command(binary, "ingest", "--quiet", "--log-level", "warn", "--batch", fmt.Sprint(batch), input)
	cmd.Env = append(os.Environ(), "CASEGRAPH_NEO4J_URI="+uri)
	cmd.Stderr = os.Stderr
	start := time.Now()
	outb, err := cmd.Output()
	el := time.Since(start)
	if err != nil {
		log.Fatalf("casegraph ingest: %v\n%s", err, outb)
	}
	fmt.Fprint(os.Stderr, string(outb))
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return result{Seconds: el.Seconds(), PeakRSSMB: float64(ru.Maxrss) / 1024}
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
}
