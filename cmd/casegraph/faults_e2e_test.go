package main

// Fault tests (issue 8): Neo4j stopped and started under load, Bolt
// connections cut during commits, the index directory's disk full. The
// short versions here run in CI; faults_long_e2e_test.go (build tag
// faults, `make test-faults`) runs them longer and harder.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// The fault tests that stop Neo4j run a server of their own, never the
// shared test server on 7688.
const (
	faultNeo4jURI  = "bolt://127.0.0.1:7695"
	faultAgency    = "F-GA"
	faultAgencyJC  = "F-JC"
	faultSubject   = "fault-police"
	faultBatchSize = 5
)

// faultPolice acts for the test's police agency in mutations.
var faultPolice = casegraph.Caller{Subject: faultSubject, Agency: faultAgency, Roles: []string{authz.RolePoliceInvestigator}}

// testNeo4j is a Neo4j server a test starts and stops with scripts/neo4j.
type testNeo4j struct {
	script string
	env    []string
}

// startFaultNeo4j starts the fault tests' own Neo4j (Bolt on 7695, data in
// var/neo4j-faults) and stops it when the test ends. A server that cannot
// be started fails the test: only -short skips it.
func startFaultNeo4j(t *testing.T) *testNeo4j {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a Neo4j server of its own")
	}
	script, err := filepath.Abs("../../scripts/neo4j")
	if err != nil {
		t.Fatal(err)
	}
	home, err := filepath.Abs("../../var/neo4j-faults")
	if err != nil {
		t.Fatal(err)
	}
	n := &testNeo4j{script: script, env: []string{
		"CASEGRAPH_NEO4J_URI=" + faultNeo4jURI,
		"CASEGRAPH_NEO4J_HOME=" + home,
		"CASEGRAPH_NEO4J_HEAP=1g",
		"CASEGRAPH_NEO4J_PAGECACHE=512m",
	}}
	if err := n.run("start"); err != nil {
		t.Fatalf("the fault tests need a Neo4j of their own on %s: %v", faultNeo4jURI, err)
	}
	t.Cleanup(func() {
		if err := n.run("stop"); err != nil {
			t.Errorf("stopping the fault tests' Neo4j: %v", err)
		}
	})
	return n
}

func (n *testNeo4j) run(verb string) error {
	cmd := exec.Command(n.script, verb)
	cmd.Env = append(os.Environ(), n.env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("scripts/neo4j %s: %v\n%s", verb, err, out)
	}
	return nil
}

// open connects the test itself to the server and empties it (but the
// migration records): the server is the fault tests' own.
func (n *testNeo4j) open(t *testing.T) *neo4jdb.DB {
	t.Helper()
	cfg := neo4jtest.Config()
	cfg.URI = faultNeo4jURI
	db, err := neo4jdb.Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close(context.Background()) })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := db.Wipe(ctx); err != nil {
		t.Fatalf("emptying the fault tests' Neo4j: %v", err)
	}
	return db
}

// faultBatch is an ingest body: the two agencies, and n police cases
// prefix-0 … prefix-(n-1), each with a suspect.
func faultBatch(prefix string, n int) ([]byte, []string) {
	var buf bytes.Buffer
	enc := ingest.NewEncoder(&buf)
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	env := func(typ, agency, id string) ingest.Envelope {
		return ingest.Envelope{Type: typ, Source: ingest.Source{Agency: agency, System: "fault-test", RecordID: id, At: at}}
	}
	enc.Encode(&ingest.Agency{Envelope: env("agency", faultAgency, "a1"), Code: faultAgency, Name: "故障测试公安分局", Kind: "POLICE"})
	enc.Encode(&ingest.Agency{Envelope: env("agency", faultAgencyJC, "a2"), Code: faultAgencyJC, Name: "故障测试检察院", Kind: "PROCURATORATE"})
	var uids []string
	for i := 0; i < n; i++ {
		no := fmt.Sprintf("%s-%d", prefix, i)
		enc.Encode(&ingest.Case{Envelope: env("case", faultAgency, "c"+no), CaseRef: ingest.CaseRef{CaseNo: no},
			Title: "盗窃案", Stage: "INVESTIGATING", FiledAt: "2024-05-01"})
		p := ingest.PersonRef{Ref: "P" + no, Name: "人" + no}
		enc.Encode(&ingest.Person{Envelope: env("person", faultAgency, "p"+no), PersonRef: p, BirthDate: "1990-01-01"})
		enc.Encode(&ingest.Party{Envelope: env("party", faultAgency, "r"+no), Case: ingest.CaseRef{CaseNo: no}, Person: p, Role: "SUSPECT"})
		uids = append(uids, ingest.CaseUID(faultAgency, no))
	}
	enc.Flush()
	return buf.Bytes(), uids
}

// gqlTry is gqlAs for goroutines: it returns what went wrong instead of
// failing the test.
func gqlTry(ctx context.Context, base string, c casegraph.Caller, query string, vars map[string]any) (gqlResult, error) {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+mint(c))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return gqlResult{}, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusServiceUnavailable && bytes.Contains(raw, []byte(`"code":"UNAVAILABLE"`)) {
		return gqlResult{raw: raw}, errScopeUnavailable
	}
	if resp.StatusCode != 200 {
		return gqlResult{raw: raw}, fmt.Errorf("POST /graphql: %d %s", resp.StatusCode, raw)
	}
	var r gqlResult
	if err := json.Unmarshal(raw, &r); err != nil {
		return gqlResult{raw: raw}, fmt.Errorf("not JSON: %v: %s", err, raw)
	}
	r.raw = raw
	return r, nil
}

// errScopeUnavailable is authz.Authenticate's answer when the caller's
// scope cannot be read from Neo4j: HTTP 503 with code UNAVAILABLE, before
// the operation ran. (It was 403 until the fault test found it.)
var errScopeUnavailable = errors.New("503 with code UNAVAILABLE")

// errCode is the code of a GraphQL result's first error, "" without one.
func (r gqlResult) errCode() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	if c == "" {
		return "NO_CODE"
	}
	return c
}

// runJob submits an ingest body and waits for its job to end: "DONE",
// "FAILED", or an error when it could not be submitted or followed.
func runJob(ctx context.Context, base string, body []byte) (string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/ingest", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/x-ndjson")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	var accepted struct{ Job string }
	json.NewDecoder(resp.Body).Decode(&accepted)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("POST /api/ingest: %d", resp.StatusCode)
	}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/ingest/"+accepted.Job, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		var st jobStatus
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if st.State == "DONE" || st.State == "FAILED" {
			return st.State, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// faultLoad drives casegraph while faults happen: ingest jobs, openCase
// mutations and reads, each retried by the client the way the API asks
// (UNAVAILABLE: try again; ingest: submit the same records again). It
// keeps which writes were acknowledged and which were only attempted.
type faultLoad struct {
	base   string
	prefix string

	mu        sync.Mutex
	attempted map[string]bool // case uids a write was sent for
	acked     map[string]bool // case uids whose write was acknowledged
	unknown   []string        // openCase uids answered CONFLICT, or answered again (clientMutationId), after UNAVAILABLE
	openCases []string        // uids openCase was sent for
	refused   int             // UNAVAILABLE answered with HTTP 503 before the operation ran (errScopeUnavailable)
	jobs      int             // ingest jobs DONE
	failed    int             // ingest jobs FAILED (submitted again)
	opened    int             // openCase acknowledged
	conflicts int             // openCase answered CONFLICT after an unknown outcome
	replayed  int             // openCase with a clientMutationId answered the case after an unknown outcome
	codes     map[string]int  // GraphQL error codes seen
	bad       []string        // answers a fault must never produce
	wg        sync.WaitGroup
}

func newFaultLoad(base, prefix string) *faultLoad {
	return &faultLoad{base: base, prefix: prefix, attempted: map[string]bool{}, acked: map[string]bool{}, codes: map[string]int{}}
}

func (l *faultLoad) note(r gqlResult, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if errors.Is(err, errScopeUnavailable) {
		l.refused++
		l.codes[casegraph.EUNAVAILABLE]++
		return
	}
	if err != nil {
		l.bad = append(l.bad, err.Error())
		return
	}
	if c := r.errCode(); c != "" {
		l.codes[c]++
		if c != casegraph.EUNAVAILABLE && c != casegraph.ECONFLICT {
			l.bad = append(l.bad, string(r.raw))
		}
	}
	if s := string(r.raw); strings.Contains(s, "goroutine ") || strings.Contains(s, ".go:") || strings.Contains(s, "Neo.") {
		l.bad = append(l.bad, "internals in an answer: "+s)
	}
}

// start runs the writers and a reader until ctx ends.
func (l *faultLoad) start(ctx context.Context) {
	l.wg.Add(3)
	go func() { // ingest jobs; a FAILED job is submitted again
		defer l.wg.Done()
		for b := 0; ctx.Err() == nil; b++ {
			body, uids := faultBatch(fmt.Sprintf("%sJ%03d", l.prefix, b), faultBatchSize)
			l.mu.Lock()
			for _, u := range uids {
				l.attempted[u] = true
			}
			l.mu.Unlock()
			for ctx.Err() == nil {
				state, err := runJob(ctx, l.base, body)
				if err != nil {
					if ctx.Err() == nil {
						l.note(gqlResult{}, fmt.Errorf("ingest job: %w", err))
						time.Sleep(time.Second)
					}
					continue
				}
				l.mu.Lock()
				if state == "DONE" {
					l.jobs++
					for _, u := range uids {
						l.acked[u] = true
					}
				} else {
					l.failed++
				}
				l.mu.Unlock()
				if state == "DONE" {
					break
				}
			}
		}
	}()
	go func() { // openCase, retried with the same input while UNAVAILABLE
		defer l.wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			no := fmt.Sprintf("%sM%04d", l.prefix, i)
			uid := ingest.CaseUID(faultAgency, no)
			// Every other openCase carries a clientMutationId: its retry
			// answers the case; the others' retry answers CONFLICT.
			var key any
			if i%2 == 0 {
				key = "open-" + no
			}
			l.mu.Lock()
			l.attempted[uid] = true
			l.openCases = append(l.openCases, uid)
			l.mu.Unlock()
			unknown := false
			for ctx.Err() == nil {
				r, err := gqlTry(ctx, l.base, faultPolice, `mutation($no: String!, $key: String) {
				  openCase(input: {agency: "`+faultAgency+`", caseNo: $no, title: "受案登记", clientMutationId: $key}) { id } }`,
					map[string]any{"no": no, "key": key})
				if ctx.Err() != nil {
					break
				}
				l.note(r, err)
				code := r.errCode()
				if err == nil && code == "" {
					l.mu.Lock()
					l.opened++
					l.acked[uid] = true
					if unknown {
						l.replayed++
						l.unknown = append(l.unknown, uid)
					}
					l.mu.Unlock()
					break
				}
				if code == casegraph.ECONFLICT && unknown {
					// The earlier attempt committed although its answer
					// said UNAVAILABLE: the case is there once.
					l.mu.Lock()
					l.conflicts++
					l.acked[uid] = true
					l.unknown = append(l.unknown, uid)
					l.mu.Unlock()
					break
				}
				if code != casegraph.EUNAVAILABLE && err == nil {
					break // noted as bad
				}
				unknown = true
				time.Sleep(200 * time.Millisecond)
			}
		}
	}()
	go func() { // reads
		defer l.wg.Done()
		for ctx.Err() == nil {
			r, err := gqlTry(ctx, l.base, operator, `{ cases(first: 5) { totalCount edges { node { id stage } } } }`, nil)
			if ctx.Err() != nil {
				return
			}
			l.note(r, err)
			time.Sleep(100 * time.Millisecond)
		}
	}()
}

// progress returns the acknowledged ingest jobs and openCase mutations.
func (l *faultLoad) progress() (jobs, opened int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.jobs, l.opened + l.conflicts
}

// waitProgress waits until the load has made more progress than before.
func (l *faultLoad) waitProgress(t *testing.T, jobs, opened int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j, o := l.progress()
		if j >= jobs && o >= opened {
			return
		}
		if time.Now().After(deadline) {
			l.mu.Lock()
			defer l.mu.Unlock()
			t.Fatalf("the load made too little progress within %s: %d ingest jobs (want %d), %d openCase (want %d); codes %v; bad %.2000q",
				within, j, jobs, o, opened, l.codes, l.bad)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// check compares the graph with what the load wrote: every acknowledged
// case is there exactly once and no case appears that was not written.
func (l *faultLoad) check(t *testing.T, db *neo4jdb.DB) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	uids, err := db.CaseUIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, u := range uids {
		if strings.Contains(u, l.prefix) {
			seen[u]++
		}
	}
	var lost, dup, stray []string
	for u := range l.acked {
		if seen[u] == 0 {
			lost = append(lost, u)
		}
	}
	for u, n := range seen {
		if n > 1 {
			dup = append(dup, u)
		}
		if !l.attempted[u] {
			stray = append(stray, u)
		}
	}
	sort.Strings(lost)
	sort.Strings(dup)
	if len(lost)+len(dup)+len(stray) > 0 {
		t.Errorf("graph against the load: %d acknowledged writes lost %v, %d cases twice %v, %d never written %v",
			len(lost), lost, len(dup), dup, len(stray), stray)
	}
	if len(l.bad) > 0 {
		t.Errorf("%d answers a fault must not produce (want UNAVAILABLE, no internals), e.g.:\n%.3000s", len(l.bad), strings.Join(l.bad, "\n"))
	}
	t.Logf("load: %d ingest jobs done (%d failed and submitted again), %d openCase (after an unknown outcome: %d answered CONFLICT, %d answered the case again by its clientMutationId), %d cases acknowledged, %d in the graph; GraphQL error codes %v",
		l.jobs, l.failed, l.opened, l.conflicts, l.replayed, len(l.acked), len(seen), l.codes)
}

// checkStages checks that every case openCase created has its procedure
// state (stage RECEIVED): openCase writes the case and the state in one
// transaction, so no fault, and no client hanging up, leaves a case
// without a stage. The cases whose openCase was answered UNAVAILABLE (and
// then CONFLICT, or the case again) are the ones a fault could have split.
func (l *faultLoad) checkStages(t *testing.T, db *neo4jdb.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(casegraph.WithScope(context.Background(), casegraph.SystemScope), 60*time.Second)
	defer cancel()
	cs, err := db.CasesByUID(ctx, l.openCases)
	if err != nil {
		t.Fatal(err)
	}
	var stageless []string
	for _, uid := range l.openCases {
		if c, ok := cs[uid]; ok && c.Stage != casegraph.StageReceived {
			stageless = append(stageless, fmt.Sprintf("%s stage %q", uid, c.Stage))
		}
	}
	for _, uid := range l.unknown {
		if _, ok := cs[uid]; !ok {
			stageless = append(stageless, uid+" missing")
		}
	}
	if len(stageless) > 0 {
		t.Errorf("%d of %d cases opened by openCase (%d after an unknown outcome) lack their procedure state: %v",
			len(stageless), len(cs), len(l.unknown), stageless)
	}
}

// noInternalErrors fails on an "internal error" in casegraph's log: a fault
// is UNAVAILABLE, a client hanging up (the load stopping) CANCELED.
func noInternalErrors(t *testing.T, p *proc) {
	t.Helper()
	for _, line := range strings.Split(p.Logs(), "\n") {
		if strings.Contains(line, `"msg":"internal error"`) {
			t.Errorf("casegraph logged an internal error: %.1000s", line)
		}
	}
}

// logFailedJobs logs why ingest jobs failed, from casegraph's log.
func logFailedJobs(t *testing.T, p *proc) {
	t.Helper()
	for _, line := range strings.Split(p.Logs(), "\n") {
		if strings.Contains(line, `"msg":"ingest job failed"`) {
			t.Logf("%.600s", line)
		}
	}
}

// readyzStatus is /readyz's status code and body.
func readyzStatus(base string) (int, string) {
	resp, err := http.Get(base + "/readyz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// stopServe stops a casegraph with SIGTERM and waits for it.
func stopServe(t *testing.T, p *proc) {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(30 * time.Second):
		t.Fatal("casegraph did not stop within 30s of SIGTERM")
	}
}

// auditVerify runs `casegraph audit verify` on a data directory.
func auditVerify(t *testing.T, data string) {
	t.Helper()
	cmd := exec.Command(binary, "audit", "verify")
	cmd.Env = append(os.Environ(), "CASEGRAPH_DATA_DIR="+data)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("casegraph audit verify: %v\n%s", err, out)
		return
	}
	t.Logf("audit verify: %s", strings.TrimSpace(string(out)))
}

// neo4jRestartUnderLoad runs the load against casegraph, stops Neo4j for a
// while, starts it again, and checks that casegraph answered UNAVAILABLE in
// the gap, recovered by itself, and lost or doubled no acknowledged write.
func neo4jRestartUnderLoad(t *testing.T, restarts int, gap time.Duration) {
	neo := startFaultNeo4j(t)
	db := neo.open(t)
	data := t.TempDir()
	srv := startServe(t, append(append([]string(nil), neo.env...), "CASEGRAPH_DATA_DIR="+data, "CASEGRAPH_DEMO=0", faultRate)...)
	waitReady(t, srv.base, 90*time.Second)

	load := newFaultLoad(srv.base, fmt.Sprintf("R%d", time.Now().UnixNano()%1e6))
	// The agencies first: openCase needs its agency.
	body, uids := faultBatch(load.prefix+"S", 1)
	load.attempted[uids[0]], load.acked[uids[0]] = true, true
	if st, err := runJob(t.Context(), srv.base, body); err != nil || st != "DONE" {
		t.Fatalf("first job: %s %v", st, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	load.start(ctx)

	jobs, opened := 2, 3
	load.waitProgress(t, jobs, opened, 2*time.Minute)
	for round := 0; round < restarts; round++ {
		if err := neo.run("stop"); err != nil {
			t.Fatal(err)
		}
		stoppedAt := time.Now()
		if code, body := readyzStatus(srv.base); code != http.StatusServiceUnavailable || !strings.Contains(body, "unavailable") {
			t.Errorf("/readyz with Neo4j stopped: %d %s, want 503 with a reason", code, body)
		}
		r := gql(t, srv.base, `{ cases(first: 1) { totalCount } }`, nil)
		if e := r.code(t, casegraph.EUNAVAILABLE); strings.Contains(e.Message, "bolt") || strings.Contains(e.Message, "Neo") {
			t.Errorf("the UNAVAILABLE message shows internals: %q", e.Message)
		}
		if resp, err := http.Get(srv.base + "/healthz"); err != nil || resp.StatusCode != 200 {
			t.Errorf("/healthz with Neo4j stopped: %v %v, want 200", resp, err)
		}
		// The writers keep trying during the gap.
		time.Sleep(gap - time.Since(stoppedAt))
		if err := neo.run("start"); err != nil {
			t.Fatal(err)
		}
		waitReady(t, srv.base, 2*time.Minute)
		j, o := load.progress()
		load.waitProgress(t, j+2, o+3, 3*time.Minute)
		t.Logf("restart %d: the load went on after %s", round+1, time.Since(stoppedAt).Round(time.Second))
	}
	cancel()
	load.wg.Wait()
	load.check(t, db)
	load.checkStages(t, db)
	logFailedJobs(t, srv)
	noInternalErrors(t, srv)
	if n := strings.Count(srv.Logs(), `"level":"ERROR"`); n > 0 {
		t.Logf("%d ERROR lines in casegraph's log (the jobs that gave up are among them)", n)
	}
	stopServe(t, srv)
	auditVerify(t, data)
}

// TestFaultNeo4jRestartUnderLoad stops and starts Neo4j once while ingest
// jobs, openCase mutations and reads run.
func TestFaultNeo4jRestartUnderLoad(t *testing.T) {
	neo4jRestartUnderLoad(t, 1, 5*time.Second)
}

// commitMessage is a Bolt COMMIT in one chunk: length 2, a struct of no
// fields (B0) with signature 0x12, the end-of-message marker.
var commitMessage = []byte{0x00, 0x02, 0xb0, 0x12, 0x00, 0x00}

// boltProxy forwards TCP connections to Neo4j. Every Nth COMMIT it sees
// (up to a limit) goes on to the server, and then the client's side of the
// connection is reset before the answer can come back, while the server's
// side stays open long enough for the commit to happen: the transaction is
// committed but the driver cannot know, the unknown outcome a real network
// produces. The driver does not retry such a commit.
type boltProxy struct {
	ln     net.Listener
	target string

	every, limit  atomic.Int64 // cut every Nth commit, up to limit cuts
	commits, cuts atomic.Int64
}

// arm cuts every Nth commit from now on, limit times at most.
func (p *boltProxy) arm(every, limit int64) {
	p.every.Store(every)
	p.limit.Store(p.cuts.Load() + limit)
}

func startBoltProxy(t *testing.T, target string, every, limit int64) *boltProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &boltProxy{ln: ln, target: target}
	p.arm(every, limit)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
	return p
}

func (p *boltProxy) uri() string { return "bolt://" + p.ln.Addr().String() }

func (p *boltProxy) serve(client net.Conn) {
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		client.Close()
		return
	}
	var once sync.Once
	closeBoth := func() { once.Do(func() { client.Close(); server.Close() }) }
	go func() { io.Copy(client, server); closeBoth() }()
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if _, werr := server.Write(buf[:n]); werr != nil {
				closeBoth()
				return
			}
			if bytes.Contains(buf[:n], commitMessage) {
				if c := p.commits.Add(1); c%p.every.Load() == 0 && p.cuts.Load() < p.limit.Load() {
					p.cuts.Add(1)
					if tc, ok := client.(*net.TCPConn); ok {
						tc.SetLinger(0) // a reset, not a polite close
					}
					client.Close()
					time.Sleep(500 * time.Millisecond) // the server commits meanwhile
					closeBoth()
					return
				}
			}
		}
		if err != nil {
			closeBoth()
			return
		}
	}
}

// retried is what a mutation sent once on each of a list of cases, and
// again with the same input while the answer was UNAVAILABLE, was
// answered.
type retried struct {
	acked, afterUnknown, refusedAfterUnknown []string
}

// retryMutation sends a mutation once for each case, with vars(case), and
// sends it again with the same variables (and so the same
// clientMutationId) while the answer is UNAVAILABLE, as a client does.
func retryMutation(t *testing.T, base, name, query string, cases []string, vars func(c string) map[string]any) retried {
	t.Helper()
	var out retried
	for _, c := range cases {
		unknown := false
		for attempt := 0; ; attempt++ {
			r, err := gqlTry(t.Context(), base, faultPolice, query, vars(c))
			if errors.Is(err, errScopeUnavailable) && attempt < 50 {
				// Refused before the mutation ran: try again.
				time.Sleep(200 * time.Millisecond)
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			code := r.errCode()
			if code == "" {
				out.acked = append(out.acked, c)
				if unknown {
					out.afterUnknown = append(out.afterUnknown, c)
				}
				break
			}
			if code != casegraph.EUNAVAILABLE {
				if !unknown {
					t.Fatalf("%s on %s: %s", name, c, r.raw)
				}
				// Refused on the retry: the first attempt committed.
				out.acked = append(out.acked, c)
				out.refusedAfterUnknown = append(out.refusedAfterUnknown, c+": "+string(r.raw))
				break
			}
			if attempt > 50 {
				t.Fatalf("%s on %s still UNAVAILABLE after %d attempts", name, c, attempt)
			}
			unknown = true
			time.Sleep(200 * time.Millisecond)
		}
	}
	t.Logf("%s: %d acknowledged, %d only after a retry, %d refused on the retry %v",
		name, len(out.acked), len(out.afterUnknown), len(out.refusedAfterUnknown), out.refusedAfterUnknown)
	if len(out.refusedAfterUnknown) > 0 {
		t.Errorf("%s: a retry with the same clientMutationId was refused instead of answering the first result: %v", name, out.refusedAfterUnknown)
	}
	return out
}

// boltResets runs ingest jobs, openCase and reads, then custody measures
// and decisions (each with a clientMutationId), through a proxy that cuts
// every Nth commit, and compares the graph with what was acknowledged.
func boltResets(t *testing.T, every, limit int64, jobs, opened int) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	target := strings.TrimPrefix(neo4jtest.Config().URI, "bolt://")
	proxy := startBoltProxy(t, target, every, limit)
	data := t.TempDir()
	srv := startServe(t, "CASEGRAPH_NEO4J_URI="+proxy.uri(), "CASEGRAPH_DATA_DIR="+data, "CASEGRAPH_DEMO=0", faultRate)
	waitReady(t, srv.base, 90*time.Second)

	load := newFaultLoad(srv.base, fmt.Sprintf("B%d", time.Now().UnixNano()%1e6))
	const measured = 6
	body, setup := faultBatch(load.prefix+"S", measured)
	for _, u := range setup {
		load.attempted[u], load.acked[u] = true, true
	}
	for {
		st, err := runJob(t.Context(), srv.base, body)
		if err != nil {
			t.Fatal(err)
		}
		if st == "DONE" {
			break
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	load.start(ctx)
	load.waitProgress(t, jobs, opened, 4*time.Minute)
	cancel()
	load.wg.Wait()

	persons := map[string]string{}
	for i, c := range setup {
		persons[c] = ingest.PersonUID("", ingest.Source{Agency: faultAgency, System: "fault-test"}, fmt.Sprintf("P%sS-%d", load.prefix, i))
	}
	loadCuts := proxy.cuts.Load()
	proxy.arm(2, measured)
	at := time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)
	ml := retryMutation(t, srv.base, "recordMeasure", `mutation($c: ID!, $p: ID!, $at: Time, $key: String) {
	  recordMeasure(input: {case: $c, person: $p, kind: "取保候审", at: $at, clientMutationId: $key}) { id } }`, setup,
		func(c string) map[string]any {
			return map[string]any{"c": c, "p": persons[c], "at": at, "key": "bail-" + c}
		})
	measureCuts := proxy.cuts.Load()
	proxy.arm(2, measured)
	// 撤销案件 without a time: the retry's "now" differs, the key holds.
	dl := retryMutation(t, srv.base, "recordDecision", `mutation($c: ID!, $key: String) {
	  recordDecision(input: {case: $c, kind: "WITHDRAW_CASE", clientMutationId: $key}) { id } }`, setup,
		func(c string) map[string]any { return map[string]any{"c": c, "key": "withdraw-" + c} })
	t.Logf("proxy: %d commits seen, %d cut after the commit was sent (%d during the load, %d during the measures, %d during the decisions)",
		proxy.commits.Load(), proxy.cuts.Load(), loadCuts, measureCuts-loadCuts, proxy.cuts.Load()-measureCuts)
	if proxy.cuts.Load() == 0 {
		t.Error("the proxy cut no commit; nothing was tested")
	}
	load.check(t, db)
	load.checkStages(t, db)
	logFailedJobs(t, srv)
	noInternalErrors(t, srv)

	// Each case got one 取保候审 and one 撤销案件, as the client saw it.
	sys := casegraph.WithScope(t.Context(), casegraph.SystemScope)
	var doubled []string
	for _, c := range setup {
		f, err := db.LineageFacts(sys, c)
		if err != nil {
			t.Fatal(err)
		}
		bails, withdrawals := 0, 0
		for _, m := range f.Measures {
			if m.Case == c && m.Kind == "取保候审" {
				bails++
			}
		}
		for _, d := range f.Decisions {
			if d.Case == c && d.Kind == "WITHDRAW_CASE" {
				withdrawals++
			}
		}
		if bails != 1 || withdrawals != 1 {
			doubled = append(doubled, fmt.Sprintf("%s: %d 取保候审, %d 撤销案件", c, bails, withdrawals))
		}
	}
	if len(doubled) > 0 || len(ml.acked) != len(setup) || len(dl.acked) != len(setup) {
		t.Errorf("mutations retried with a clientMutationId after an unknown outcome: want one record each on %d cases (%d and %d acknowledged), got %v",
			len(setup), len(ml.acked), len(dl.acked), doubled)
	}
	stopServe(t, srv)
	auditVerify(t, data)
}

// TestFaultBoltResetDuringCommit cuts every third commit (six at most)
// between casegraph and Neo4j.
func TestFaultBoltResetDuringCommit(t *testing.T) {
	boltResets(t, 3, 6, 4, 6)
}

// faultRate lifts the per-subject rate limit for the fault loads: their
// clients answer UNAVAILABLE by trying again at once, which the default
// (600 a minute) would turn into RATE_LIMITED.
const faultRate = "CASEGRAPH_RATE_PER_MINUTE=1000000"
