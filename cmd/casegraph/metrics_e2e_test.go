package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// metricsAddr is where the server says /metrics listens.
func metricsAddr(t *testing.T, p *proc) string {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(p.Logs()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct{ Msg, Addr string }
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "metrics listening" {
			return rec.Addr
		}
	}
	t.Fatalf("no \"metrics listening\" line in the log:\n%s", p.Logs())
	return ""
}

// scrapeMetrics reads /metrics as series → value, the series written as in
// the exposition (`name{a="x",b="y"}`, labels in name order).
func scrapeMetrics(t *testing.T, addr string) (map[string]float64, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, raw)
	}
	out := map[string]float64{}
	for _, line := range strings.Split(string(raw), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("unreadable metrics line %q", line)
		}
		out[line[:i]] = v
	}
	return out, string(raw)
}

// TestMetricsEndToEnd: the real server, with --metrics-addr, counts a
// GraphQL query under its operation, times its Neo4j transactions, and
// serves /metrics on its own listener only; the request id comes back in a
// header and is on the request's log line.
func TestMetricsEndToEnd(t *testing.T) {
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t, db)
	lineage(t, db, p)
	srv := startServe(t, "CASEGRAPH_DATA_DIR="+t.TempDir(), "CASEGRAPH_DEMO=0", "CASEGRAPH_METRICS_ADDR=127.0.0.1:0")
	waitReady(t, srv.base, 60*time.Second)
	addr := metricsAddr(t, srv)

	resp, err := http.Get(srv.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the API port: %d, want 404 (metrics have a listener of their own)", resp.StatusCode)
	}

	const (
		op    = `casegraph_graphql_requests_total{operation="query:case",outcome="ok"}`
		opDur = `casegraph_graphql_request_duration_seconds_count{operation="query:case",outcome="ok"}`
		route = `casegraph_http_requests_total{code="200",method="POST",route="/graphql"}`
		reads = `casegraph_neo4j_query_duration_seconds_count{mode="read",outcome="ok"}`
	)
	before, _ := scrapeMetrics(t, addr)

	body, _ := json.Marshal(map[string]any{"query": `query SuspectZhangSan330203199001011234($id: ID!) { case(id: $id) { caseNo parties { person { name } } } }`,
		"operationName": "SuspectZhangSan330203199001011234", "variables": map[string]any{"id": p + "police-1"}})
	req, _ := http.NewRequest(http.MethodPost, srv.base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "e2e-metrics-42")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(raw), "A3302032024010001") || strings.Contains(string(raw), `"errors"`) {
		t.Fatalf("POST /graphql: %d %s", resp.StatusCode, raw)
	}
	if got := resp.Header.Get("X-Request-Id"); got != "e2e-metrics-42" {
		t.Errorf("X-Request-Id in the response = %q, want the request's e2e-metrics-42", got)
	}

	after, text := scrapeMetrics(t, addr)
	if d := after[op] - before[op]; d != 1 {
		t.Errorf("%s rose by %v, want 1", op, d)
	}
	if d := after[opDur] - before[opDur]; d != 1 {
		t.Errorf("%s rose by %v, want 1", opDur, d)
	}
	if d := after[route] - before[route]; d != 1 {
		t.Errorf("%s rose by %v, want 1", route, d)
	}
	// The query read Neo4j (the search syncer reads it too, so this proves
	// the transactions are timed, not that these samples are the query's).
	if after[reads] <= before[reads] {
		t.Errorf("%s = %v after the query, %v before: no Neo4j read timed", reads, after[reads], before[reads])
	}
	for _, name := range []string{"go_goroutines", "process_resident_memory_bytes", "casegraph_search_index_lag_seconds"} {
		if _, ok := after[name]; !ok {
			t.Errorf("/metrics lacks %s", name)
		}
	}
	// Labels carry nothing the client chose or the graph holds.
	for _, leak := range []string{p, "Suspect", "ZhangSan", "330203199001011234", "张三", "A3302032024010001", "e2e-metrics-42"} {
		if strings.Contains(text, leak) {
			t.Errorf("/metrics carries %q", leak)
		}
	}

	// The request's access log line carries its id and route.
	found := false
	sc := bufio.NewScanner(strings.NewReader(srv.Logs()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec struct {
			Msg, Route string
			RequestID  string `json:"request_id"`
		}
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Msg == "request" && rec.RequestID == "e2e-metrics-42" {
			found = rec.Route == "/graphql"
		}
	}
	if !found {
		t.Errorf("no access log line with request_id e2e-metrics-42 and route /graphql:\n%s", srv.Logs())
	}
}
