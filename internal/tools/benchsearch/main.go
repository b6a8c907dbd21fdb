// Command benchsearch measures casegraph's full-text search (internal/search,
// bleve) against Neo4j's own full-text index with its cjk analyzer, in one run
// on one machine, on the same corpus and with the same queries:
//
//   - corpus: the case records of an NDJSON file from casegraph gen (the
//     newest version of each uid), as (:Case) nodes in the bench Neo4j with a
//     full-text index on title and summary, and as CaseDocs in a bleve index
//     built with internal/search;
//   - index build: seconds, documents per second and bytes on disk of each
//     index (Neo4j: the population of the index over nodes already loaded;
//     the node load is reported too);
//   - latency: p50 and p99 of a sample of phrases that occur in the corpus,
//     each run several times on both engines after a warm-up;
//   - relevance: the labelled queries of internal/search/eval on its
//     cail2018 and cail2022 documents, indexed separately in both engines,
//     scored as precision@10, recall and MRR@10.
//
// The bench Neo4j is wiped and started first. Results are printed as
// Markdown and written as JSON.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/casegraph/casegraph/internal/search"
	"github.com/casegraph/casegraph/internal/search/eval"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

type build struct {
	Engine     string  `json:"engine"`
	Docs       int     `json:"docs"`
	Seconds    float64 `json:"seconds"`
	DocsPerSec float64 `json:"docsPerSec"`
	Bytes      int64   `json:"bytes"`
	// LoadSeconds is Neo4j's node load before the index was created.
	LoadSeconds float64 `json:"loadSeconds,omitempty"`
}

type latency struct {
	Engine      string  `json:"engine"`
	Samples     int     `json:"samples"`
	P50         float64 `json:"p50ms"`
	P99         float64 `json:"p99ms"`
	Mean        float64 `json:"meanms"`
	WithResults int     `json:"queriesWithResults"`
	Errors      int     `json:"errors"`
	OverTimeout int     `json:"samplesOver5s,omitempty"`
}

type report struct {
	Machine     string       `json:"machine"`
	Input       string       `json:"input"`
	CaseRecords int          `json:"caseRecords"`
	Docs        int          `json:"docs"`
	TextBytes   int64        `json:"textBytes"`
	Build       []build      `json:"build"`
	Queries     []benchQuery `json:"queries"`
	Runs        int          `json:"runsPerQuery"`
	MatchesP50  uint64       `json:"matchesMedian"`
	MatchesMax  uint64       `json:"matchesMax"`
	Latency     []latency    `json:"latency"`
	Relevance   *relevance   `json:"relevance,omitempty"`
}

func main() {
	input := flag.String("input", "", "NDJSON input (from casegraph gen)")
	cases := flag.Int("cases", 0, "use the first N case records (distinct uids, newest version each); 0: all")
	uri := flag.String("neo4j-uri", env("CASEGRAPH_NEO4J_URI", "bolt://127.0.0.1:7689"), "Neo4j to load (it is emptied!)")
	password := flag.String("neo4j-password", env("CASEGRAPH_NEO4J_PASSWORD", "casegraph-dev"), "")
	script := flag.String("neo4j-script", "scripts/neo4j", "the script that wipes and starts the Neo4j under test (with the CASEGRAPH_NEO4J_* environment)")
	home := flag.String("neo4j-home", env("CASEGRAPH_NEO4J_HOME", "var/neo4j-bench"), "the Neo4j's home, to measure its index on disk")
	dir := flag.String("dir", "var/bench/search", "bleve work directory (emptied)")
	nq := flag.Int("queries", 200, "queries in the latency set")
	runs := flag.Int("runs", 5, "timed runs of each query on each engine, after one warm-up run")
	batch := flag.Int("batch", 5000, "documents per Neo4j transaction and per call to the bleve index")
	bleveBatch := flag.Int("bleve-batch", search.DefaultBatchSize, "documents per bleve batch")
	seed := flag.Uint64("seed", 1, "seed of the query sample")
	skipRelevance := flag.Bool("no-relevance", false, "skip the labelled-set part")
	out := flag.String("out", "", "write results as JSON here")
	flag.Parse()
	if *input == "" {
		log.Fatal("-input is required")
	}
	ctx := context.Background()
	rep := report{Machine: machine(), Input: *input, Runs: *runs}

	start := time.Now()
	c, err := readCorpus(*input, *cases)
	if err != nil {
		log.Fatal(err)
	}
	if len(c.Cases) == 0 {
		log.Fatalf("%s: no case records", *input)
	}
	rep.CaseRecords, rep.Docs, rep.TextBytes = c.Records, len(c.Cases), c.TextBytes
	log.Printf("read %d case records → %d cases (%d text bytes) in %s", c.Records, len(c.Cases), c.TextBytes, time.Since(start).Round(time.Millisecond))

	if err := resetNeo4j(*script); err != nil {
		log.Fatal(err)
	}
	driver, err := neo4j.NewDriverWithContext(*uri, neo4j.BasicAuth("neo4j", *password, ""))
	if err != nil {
		log.Fatal(err)
	}
	defer driver.Close(ctx)
	if err := driver.VerifyConnectivity(ctx); err != nil {
		log.Fatal(err)
	}
	rep.Machine += ", " + neo4jVersion(ctx, driver)

	// Neo4j: nodes, then the full-text index over them.
	start = time.Now()
	if err := loadRows(ctx, driver, loadCases, len(c.Cases), *batch, func(i int) map[string]any { return c.Cases[i].row() }); err != nil {
		log.Fatal(err)
	}
	load := time.Since(start)
	log.Printf("neo4j: %d nodes loaded in %s", len(c.Cases), load.Round(time.Millisecond))
	start = time.Now()
	id, err := buildIndex(ctx, driver, createCaseIndex, caseIndex)
	if err != nil {
		log.Fatal(err)
	}
	nb := build{Engine: engineNeo4j, Docs: len(c.Cases), Seconds: time.Since(start).Seconds(), LoadSeconds: load.Seconds()}
	if nb.Bytes, err = indexBytes(*home, id); err != nil {
		log.Fatal(err)
	}
	log.Printf("neo4j: index %s online in %.1f s, %d bytes", caseIndex, nb.Seconds, nb.Bytes)

	// Ours.
	bdir := filepath.Join(*dir, "cases")
	if err := os.RemoveAll(bdir); err != nil {
		log.Fatal(err)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		log.Fatal(err)
	}
	start = time.Now()
	ix, err := search.Create(bdir)
	if err != nil {
		log.Fatal(err)
	}
	ix.BatchSize = *bleveBatch
	docs := make([]search.Doc, 0, *batch)
	for i := range c.Cases {
		docs = append(docs, c.Cases[i].caseDoc())
		if len(docs) == *batch || i == len(c.Cases)-1 {
			if err := ix.Index(ctx, docs); err != nil {
				log.Fatal(err)
			}
			docs = docs[:0]
		}
	}
	if err := ix.Close(); err != nil {
		log.Fatal(err)
	}
	ob := build{Engine: engineOurs, Docs: len(c.Cases), Seconds: time.Since(start).Seconds()}
	if ob.Bytes, err = eval.DirSize(bdir); err != nil {
		log.Fatal(err)
	}
	log.Printf("bleve: %d documents indexed in %.1f s, %d bytes", len(c.Cases), ob.Seconds, ob.Bytes)
	rep.Build = []build{ob, nb}
	for i := range rep.Build {
		rep.Build[i].DocsPerSec = float64(rep.Build[i].Docs) / rep.Build[i].Seconds
	}
	if ix, err = search.Open(bdir); err != nil {
		log.Fatal(err)
	}

	// Latency.
	rep.Queries = sampleQueries(c.Cases, *nq, *seed)
	c = nil
	var totals []uint64
	rep.Latency, totals = measure(ctx, ix, driver, rep.Queries, *runs)
	if len(totals) > 0 {
		slices.Sort(totals)
		rep.MatchesP50, rep.MatchesMax = totals[len(totals)/2], totals[len(totals)-1]
	}
	if err := ix.Close(); err != nil {
		log.Fatal(err)
	}
	plain, err := measurePlain(ctx, bdir, rep.Queries, *runs)
	if err != nil {
		log.Fatal(err)
	}
	rep.Latency = append(rep.Latency, plain)
	printLatency(&rep)

	if !*skipRelevance {
		if rep.Relevance, err = runRelevance(ctx, driver, *dir, *home); err != nil {
			log.Fatal(err)
		}
		printRelevance(rep.Relevance)
	}
	if *out != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// engineOursFull is our search asked for what the GraphQL page shows besides
// the hits: seven facets over every match and highlighted fragments.
const engineOursFull = "casegraph search (bleve), with facets and highlights"

// measure runs every query once on each engine to warm up, then runs times
// more, alternating engines query by query so that all see the same
// machine. The engines are: ours as the comparison with Neo4j (the top 20
// by score, each hit's uid, score and type, and the total, under the scope
// and sealed filter; no facets, no highlights), Neo4j's queryNodes (the top
// 20 uids and scores), and ours with facets and highlights, which Neo4j's
// call does not compute and which is therefore not compared with it.
func measure(ctx context.Context, ix *search.Index, d neo4j.DriverWithContext, qs []benchQuery, runs int) ([]latency, []uint64) {
	var ours, theirs, full []time.Duration
	var totals []uint64
	lo, ln, lf := latency{Engine: engineOurs}, latency{Engine: engineNeo4j}, latency{Engine: engineOursFull}
	oursOnce := func(q benchQuery, extras bool) (time.Duration, uint64, error) {
		qctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		t := time.Now()
		res, err := ix.Search(qctx, search.Request{Query: q.Ours, First: 20, Scope: search.Scope{All: true},
			Facets: extras, Highlight: extras})
		el := time.Since(t)
		if err != nil {
			return el, 0, err
		}
		return el, res.Total, nil
	}
	neoOnce := func(q benchQuery) (time.Duration, int, error) {
		t := time.Now()
		n, err := neoSearch(ctx, d, q.Neo4j)
		return time.Since(t), n, err
	}
	for _, q := range qs {
		if _, n, err := oursOnce(q, false); err != nil {
			log.Printf("ours %q: %v", q.Ours, err)
			lo.Errors++
		} else if n > 0 {
			lo.WithResults++
			totals = append(totals, n)
		}
		if _, n, err := neoOnce(q); err != nil {
			log.Printf("neo4j %q: %v", q.Neo4j, err)
			ln.Errors++
		} else if n > 0 {
			ln.WithResults++
		}
		if _, n, err := oursOnce(q, true); err != nil {
			log.Printf("ours with facets %q: %v", q.Ours, err)
			lf.Errors++
		} else if n > 0 {
			lf.WithResults++
		}
	}
	for r := 0; r < runs; r++ {
		for _, q := range qs {
			if el, _, err := oursOnce(q, false); err == nil {
				ours = append(ours, el)
			}
			if el, _, err := neoOnce(q); err == nil {
				theirs = append(theirs, el)
			}
			if el, _, err := oursOnce(q, true); err == nil {
				full = append(full, el)
			}
		}
	}
	fill(&lo, ours)
	fill(&ln, theirs)
	fill(&lf, full)
	return []latency{lo, ln, lf}, totals
}

// fill sets l's percentiles from the samples s.
func fill(l *latency, s []time.Duration) {
	l.Samples = len(s)
	if len(s) == 0 {
		return
	}
	slices.Sort(s)
	var sum time.Duration
	for _, v := range s {
		sum += v
		if v > search.DefaultTimeout {
			l.OverTimeout++
		}
	}
	l.P50, l.P99, l.Mean = ms(percentile(s, 50)), ms(percentile(s, 99)), ms(sum/time.Duration(len(s)))
}

// percentile is the nearest-rank percentile of sorted s.
func percentile(s []time.Duration, p int) time.Duration {
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printLatency(rep *report) {
	fmt.Printf("machine: %s\n", rep.Machine)
	fmt.Printf("input: %s: %d case records → %d cases, %.1f MB of title and summary text\n\n", rep.Input, rep.CaseRecords, rep.Docs, float64(rep.TextBytes)/1e6)
	fmt.Println("| index | documents | build s | docs/s | size on disk | bytes/doc |")
	fmt.Println("|---|---:|---:|---:|---:|---:|")
	for _, b := range rep.Build {
		fmt.Printf("| %s | %d | %.1f | %.0f | %.1f MiB | %.0f |\n", b.Engine, b.Docs, b.Seconds, b.DocsPerSec, float64(b.Bytes)/(1<<20), float64(b.Bytes)/float64(b.Docs))
	}
	o, n := rep.Build[0], rep.Build[1]
	fmt.Printf("\nNeo4j node load before the index: %.1f s (%.0f nodes/s); load + index: %.1f s\n", n.LoadSeconds, float64(n.Docs)/n.LoadSeconds, n.LoadSeconds+n.Seconds)
	fmt.Printf("build throughput ours / Neo4j: %.2f×; size ours / Neo4j: %.2f×\n\n", o.DocsPerSec/n.DocsPerSec, float64(o.Bytes)/float64(n.Bytes))

	fmt.Printf("%d queries, %d timed runs each after one warm-up, top 20:\n\n", len(rep.Queries), rep.Runs)
	fmt.Println("| engine | samples | p50 ms | p99 ms | mean ms | queries with results | errors |")
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, l := range rep.Latency {
		fmt.Printf("| %s | %d | %.2f | %.2f | %.2f | %d | %d |\n", l.Engine, l.Samples, l.P50, l.P99, l.Mean, l.WithResults, l.Errors)
	}
	lo, ln := rep.Latency[0], rep.Latency[1]
	fmt.Printf("\np50 Neo4j / ours: %.2f× (above 1: ours is faster; target ≥ 1); p99 Neo4j / ours: %.2f×\n", ln.P50/lo.P50, ln.P99/lo.P99)
	for _, l := range rep.Latency[2:] {
		fmt.Printf("p50 Neo4j / %s: %.2f×; ours (compared row) / it: %.2f×\n", l.Engine, ln.P50/l.P50, lo.P50/l.P50)
	}
	fmt.Printf("matches per query (ours, Total): median %d, max %d\n", rep.MatchesP50, rep.MatchesMax)
	if lo.OverTimeout > 0 {
		fmt.Printf("%d of our samples took longer than the production timeout of %s\n", lo.OverTimeout, search.DefaultTimeout)
	}
	fmt.Println()
}

func printRelevance(r *relevance) {
	fmt.Printf("relevance: %d labelled queries on %d documents (cail2018 + cail2022); masked names are not in the overall rows\n\n", r.Queries, r.Docs)
	fmt.Println("| engine | mode | queries | P@10 | recall | MRR@10 | R-prec |")
	fmt.Println("|---|---|---:|---:|---:|---:|---:|")
	for _, s := range r.Overall {
		fmt.Printf("| %s | %s | %d | %.3f | %.3f | %.3f | %.3f |\n", s.Engine, s.Mode, s.Queries, s.P10, s.Recall, s.MRR10, s.RPrec)
	}
	if len(r.Errors) > 0 {
		fmt.Printf("\nqueries that failed: %v\n", r.Errors)
	}
	fmt.Printf("\n%s\n%s", r.Summary, r.Report)
}

func machine() string {
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "MemTotal:") {
				var kb int64
				fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(l, "MemTotal:")), "%d", &kb)
				mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
			}
		}
	}
	return fmt.Sprintf("%d cores (%s)%s, %s/%s, %s", runtime.NumCPU(), cpuModel(), mem, runtime.GOOS, runtime.GOARCH, runtime.Version())
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

func env(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
