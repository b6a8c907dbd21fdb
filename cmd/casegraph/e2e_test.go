package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// binary is the casegraph executable the end-to-end tests run.
var binary string

// e2eSecret is the HS256 secret of the servers the tests start (through
// the environment they inherit) and of the tokens they send.
var e2eSecret = strings.Repeat("e", 32)

// operator is the default caller of the end-to-end requests: the admin
// (every case, masked identifiers) who also ingests.
var operator = casegraph.Caller{Subject: "e2e-operator", Roles: []string{authz.RoleAdmin, authz.RoleIntegrator}}

func mint(c casegraph.Caller) string {
	tok, err := authz.Mint(e2eSecret, c, time.Hour)
	if err != nil {
		panic(err)
	}
	return tok
}

// bearerTransport adds the operator's token to requests that carry none,
// as any client of the API must.
type bearerTransport struct{ base http.RoundTripper }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Header.Get("Authorization") == "" && r.URL.Path != "/healthz" && r.URL.Path != "/readyz" {
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer "+mint(operator))
	}
	return b.base.RoundTrip(r)
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Setenv("CASEGRAPH_JWT_SECRET", e2eSecret)
	http.DefaultTransport = bearerTransport{base: http.DefaultTransport}
	if !testing.Short() {
		dir, err := os.MkdirTemp("", "casegraph-e2e")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		binary = filepath.Join(dir, "casegraph")
		args := []string{"build", "-o", binary}
		if raceEnabled {
			args = append(args, "-race")
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "building casegraph: %v\n%s", err, out)
			os.Exit(1)
		}
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// proc is a running casegraph serve.
type proc struct {
	cmd  *exec.Cmd
	base string
	mu   sync.Mutex
	logs bytes.Buffer
	done chan struct{}
}

func (p *proc) Logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// startServe runs the real binary on 127.0.0.1:0 and waits until it says
// where it listens. env adds to (and overrides) the test's environment.
func startServe(t *testing.T, env ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, "serve", "--addr", "127.0.0.1:0", "--log-format", "json")
	cmd.Env = append(os.Environ(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.logs.WriteString(line + "\n")
			p.mu.Unlock()
			var rec struct{ Msg, Addr string }
			if json.Unmarshal([]byte(line), &rec) == nil && rec.Msg == "listening" {
				addr <- rec.Addr
			}
		}
		cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
		}
		if t.Failed() {
			t.Logf("casegraph logs:\n%s", p.Logs())
		}
	})
	select {
	case a := <-addr:
		p.base = "http://" + a
	case <-p.done:
		t.Fatalf("casegraph exited before listening:\n%s", p.Logs())
	case <-time.After(30 * time.Second):
		t.Fatalf("casegraph did not listen within 30s:\n%s", p.Logs())
	}
	return p
}

// waitReady polls /readyz until it answers 200.
func waitReady(t *testing.T, base string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	var last string
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/readyz")
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
			last = fmt.Sprintf("%d %s", resp.StatusCode, b)
		} else {
			last = err.Error()
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("not ready within %s; last /readyz: %s", within, last)
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResult struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	raw    []byte
}

func gql(t *testing.T, base, query string, vars map[string]any) gqlResult {
	t.Helper()
	return gqlAs(t, base, operator, query, vars)
}

// gqlAs posts a query with a token for the caller.
func gqlAs(t *testing.T, base string, c casegraph.Caller, query string, vars map[string]any) gqlResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+mint(c))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST /graphql: %d %s", resp.StatusCode, raw)
	}
	var r gqlResult
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("not JSON: %v: %s", err, raw)
	}
	r.raw = raw
	return r
}

func (r gqlResult) ok(t *testing.T) gqlResult {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("unexpected errors: %s", r.raw)
	}
	return r
}

func (r gqlResult) code(t *testing.T, want string) gqlError {
	t.Helper()
	if len(r.Errors) == 0 || r.Errors[0].Extensions["code"] != want {
		t.Fatalf("want error code %s, got %s", want, r.raw)
	}
	return r.Errors[0]
}

func day(s string) *time.Time {
	d, _ := time.Parse(time.DateOnly, s)
	return &d
}

// lineage writes a police → procuratorate → court lineage and a second
// police case under prefix p.
func lineage(t *testing.T, db *neo4jdb.DB, p string) {
	t.Helper()
	g := neo4jdb.Graph{
		Agencies: []casegraph.Agency{
			{Code: p + "GA", Name: "宁波市公安局测试分局", Kind: casegraph.AgencyPolice, Region: "330203"},
			{Code: p + "JC", Name: "宁波市测试区人民检察院", Kind: casegraph.AgencyProcuratorate, Region: "330203"},
			{Code: p + "FY", Name: "宁波市测试区人民法院", Kind: casegraph.AgencyCourt, Region: "330203"},
		},
		Offenses: []casegraph.Offense{{Code: p + "CL264", Name: "盗窃罪", Article: "264"}},
		Cases: []casegraph.Case{
			{UID: p + "police-1", AgencyCode: p + "GA", CaseNo: "A3302032024010001", Kind: casegraph.CasePolice, Title: "鼓楼街道盗窃案", Summary: "2024年1月5日，犯罪嫌疑人在鼓楼街道盗窃电动车一辆。", Stage: casegraph.StageProsecutionReview, FiledAt: day("2024-01-05"), District: "海曙区"},
			{UID: p + "pros-1", AgencyCode: p + "JC", CaseNo: "甬海检刑诉受〔2024〕1号", Kind: casegraph.CaseProsecution, Title: "鼓楼街道盗窃案", Stage: casegraph.StageIndicted, FiledAt: day("2024-03-01"), District: "海曙区"},
			{UID: p + "court-1", AgencyCode: p + "FY", CaseNo: "(2024)浙0203刑初1号", Kind: casegraph.CaseCourt, Title: "鼓楼街道盗窃案", Stage: casegraph.StageFirstInstance, FiledAt: day("2024-04-10"), District: "海曙区"},
			{UID: p + "police-2", AgencyCode: p + "GA", CaseNo: "A3302032024020002", Kind: casegraph.CasePolice, Title: "南门街道盗窃案", Stage: casegraph.StageInvestigating, FiledAt: day("2024-02-20"), District: "海曙区"},
			{UID: p + "police-3", AgencyCode: p + "GA", CaseNo: "A3302032024020003", Kind: casegraph.CasePolice, Title: "受案登记", Stage: casegraph.StageReceived, District: "海曙区"},
		},
		Persons: []casegraph.Person{
			{UID: p + "person-1", Name: "张三", IDNumber: "", Gender: "M", BirthDate: day("1990-01-01")},
			{UID: p + "person-2", Name: "李四"},
		},
		Parties: []neo4jdb.PartyRef{
			{CaseUID: p + "police-1", PersonUID: p + "person-1", Role: casegraph.RoleSuspect},
			{CaseUID: p + "pros-1", PersonUID: p + "person-1", Role: casegraph.RoleSuspect},
			{CaseUID: p + "court-1", PersonUID: p + "person-1", Role: casegraph.RoleDefendant},
			{CaseUID: p + "police-1", PersonUID: p + "person-2", Role: casegraph.RoleVictim},
		},
		Charges: []neo4jdb.ChargeRef{
			{UID: p + "charge-1", CaseUID: p + "police-1", PersonUID: p + "person-1", OffenseCode: p + "CL264"},
			{UID: p + "charge-2", CaseUID: p + "court-1", PersonUID: p + "person-1", OffenseCode: p + "CL264"},
		},
		Transfers: []neo4jdb.TransferRef{
			{HandoverUID: p + "handover-1", Type: casegraph.HandoverProsecution, FromCaseUID: p + "police-1", ToCaseUID: p + "pros-1", At: time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)},
			{HandoverUID: p + "handover-2", Type: casegraph.HandoverIndictment, FromCaseUID: p + "pros-1", ToCaseUID: p + "court-1", At: time.Date(2024, 4, 10, 10, 0, 0, 0, time.UTC)},
		},
	}
	if err := db.WriteGraph(context.Background(), g); err != nil {
		t.Fatal(err)
	}
}

const caseDetail = `query($id: ID!) {
  case(id: $id) {
    id caseNo kind title summary stage filedAt closedAt district sealed
    agency { code name kind region }
    parties { role person { id name idNumber birthDate gender cases { role case { id caseNo kind } } } }
    offenses { code name article }
    transferredFrom { handover type at case { id caseNo agency { code } } }
    transferredTo { handover type at case { id caseNo agency { code } } }
  }
}`

// golden compares got, with the test's prefix replaced by "P-", against
// testdata/name; -update rewrites the file.
func golden(t *testing.T, name string, got []byte, prefix string) {
	t.Helper()
	var v any
	if err := json.Unmarshal(got, &v); err != nil {
		t.Fatal(err)
	}
	pretty, _ := json.MarshalIndent(v, "", "  ")
	pretty = bytes.ReplaceAll(pretty, []byte(prefix), []byte("P-"))
	pretty = append(pretty, '\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, pretty, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(want, pretty) {
		t.Errorf("%s differs from the golden file (run with -update if the change is right)\ngot:\n%s", name, pretty)
	}
}

func TestServeEndToEnd(t *testing.T) {
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t, db)
	lineage(t, db, p)
	srv := startServe(t)
	waitReady(t, srv.base, 60*time.Second)

	t.Run("health", func(t *testing.T) {
		resp, err := http.Get(srv.base + "/healthz")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v %v", resp, err)
		}
		if id := resp.Header.Get("X-Request-Id"); id == "" {
			t.Error("no X-Request-Id header")
		}
	})

	t.Run("case detail", func(t *testing.T) {
		r := gql(t, srv.base, caseDetail, map[string]any{"id": p + "pros-1"}).ok(t)
		golden(t, "case_detail.golden.json", r.raw, p)
	})

	t.Run("case by number and person history", func(t *testing.T) {
		r := gql(t, srv.base, `query($a: String!, $n: String!, $p: ID!) {
		  caseByNumber(agency: $a, number: $n) { id }
		  person(id: $p) { name cases { role case { caseNo agency { kind } } } }
		}`, map[string]any{"a": p + "FY", "n": "(2024)浙0203刑初1号", "p": p + "person-1"}).ok(t)
		golden(t, "person_history.golden.json", r.raw, p)
	})

	t.Run("agencies", func(t *testing.T) {
		r := gql(t, srv.base, `{ agencies { code kind } }`, nil).ok(t)
		for _, code := range []string{p + "GA", p + "JC", p + "FY"} {
			if !strings.Contains(string(r.Data), `"`+code+`"`) {
				t.Errorf("agencies lack %s", code)
			}
		}
	})

	t.Run("paging", func(t *testing.T) {
		var seen []string
		var after any
		total := -1
		for page := 0; page < 10; page++ {
			r := gql(t, srv.base, `query($a: String!, $after: String) {
			  cases(filter: {agency: $a}, first: 2, after: $after) {
			    totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor }
			  }
			}`, map[string]any{"a": p + "GA", "after": after}).ok(t)
			var d struct {
				Cases struct {
					TotalCount int
					Edges      []struct{ Node struct{ ID string } }
					PageInfo   struct {
						HasNextPage, HasPreviousPage bool
						EndCursor                    string
					}
				}
			}
			json.Unmarshal(r.Data, &d)
			total = d.Cases.TotalCount
			for _, e := range d.Cases.Edges {
				seen = append(seen, strings.TrimPrefix(e.Node.ID, p))
			}
			if d.Cases.PageInfo.HasPreviousPage != (page > 0) {
				t.Errorf("page %d: hasPreviousPage %v", page, d.Cases.PageInfo.HasPreviousPage)
			}
			if !d.Cases.PageInfo.HasNextPage {
				break
			}
			after = d.Cases.PageInfo.EndCursor
		}
		want := []string{"police-2", "police-1", "police-3"}
		if strings.Join(seen, ",") != strings.Join(want, ",") || total != 3 {
			t.Errorf("paged %v (total %d), want %v (total 3)", seen, total, want)
		}
	})

	t.Run("filters", func(t *testing.T) {
		r := gql(t, srv.base, `query($o: String!) {
		  byOffense: cases(filter: {offense: $o}) { totalCount }
		  byStageAndDate: cases(filter: {offense: $o, stage: FIRST_INSTANCE, filedFrom: "2024-04-01", filedTo: "2024-04-30"}) { edges { node { caseNo } } }
		  byKind: cases(filter: {offense: $o, kind: POLICE}) { totalCount }
		}`, map[string]any{"o": p + "CL264"}).ok(t)
		want := `{"byOffense":{"totalCount":2},"byStageAndDate":{"edges":[{"node":{"caseNo":"(2024)浙0203刑初1号"}}]},"byKind":{"totalCount":1}}`
		if string(r.Data) != want {
			t.Errorf("got %s\nwant %s", r.Data, want)
		}
	})

	t.Run("unknown ids are null", func(t *testing.T) {
		r := gql(t, srv.base, `{ case(id: "no-such") { id } person(id: "no-such") { id } caseByNumber(agency: "x", number: "y") { id } }`, nil).ok(t)
		if string(r.Data) != `{"case":null,"person":null,"caseByNumber":null}` {
			t.Errorf("got %s", r.Data)
		}
	})

	t.Run("bad input is INVALID", func(t *testing.T) {
		e := gql(t, srv.base, `{ cases(after: "garbage") { totalCount } }`, nil).code(t, "INVALID")
		if !strings.Contains(e.Message, "cursor") {
			t.Errorf("message %q does not mention the cursor", e.Message)
		}
		e = gql(t, srv.base, `{ cases(filter: {filedFrom: "2024-02-30"}) { totalCount } }`, nil).code(t, "INVALID")
		if !strings.Contains(e.Message, "2024-02-30") {
			t.Errorf("message %q does not quote the bad date", e.Message)
		}
		gql(t, srv.base, `{ cases(first: 0) { totalCount } }`, nil).code(t, "INVALID")
	})

	t.Run("limits", func(t *testing.T) {
		gql(t, srv.base, `{ cases(first: 100) { edges { node { parties { person { cases { case { parties { person { name } } } } } } } } } }`, nil).code(t, "COMPLEXITY_LIMIT_EXCEEDED")
	})

	t.Run("http", func(t *testing.T) {
		resp, err := http.Post(srv.base+"/graphql", "text/plain", strings.NewReader(`{"query":"{agencies{code}}"}`))
		if err != nil || resp.StatusCode != http.StatusUnsupportedMediaType {
			t.Errorf("text/plain body: %v %v, want 415", resp.StatusCode, err)
		}
		resp, err = http.Get(srv.base + "/graphql")
		if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET /graphql: %v %v, want 405", resp.StatusCode, err)
		}
		resp, err = http.Get(srv.base + "/graphiql")
		if err != nil || resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("GET /graphiql: %v %v", resp, err)
		}
		big := `{"query":"` + strings.Repeat(" ", 2<<20) + `{agencies{code}}"}`
		resp, err = http.Post(srv.base+"/graphql", "application/json", strings.NewReader(big))
		if err == nil && resp.StatusCode == 200 {
			body, _ := io.ReadAll(resp.Body)
			if !strings.Contains(string(body), "request body too large") {
				t.Errorf("a 2 MB body was answered: %s", body)
			}
		}
	})

	if strings.Contains(srv.Logs(), "neo4j_password=casegraph") || strings.Contains(srv.Logs(), `"neo4j_password":"casegraph`) {
		t.Error("the Neo4j password appears in the log")
	}
}

func TestGracefulShutdown(t *testing.T) {
	neo4jtest.Open(t)
	srv := startServe(t)
	waitReady(t, srv.base, 60*time.Second)
	srv.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-srv.done:
	case <-time.After(20 * time.Second):
		t.Fatal("casegraph did not exit within 20s of SIGTERM")
	}
	if code := srv.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	if !strings.Contains(srv.Logs(), "shutting down") {
		t.Errorf("no shutdown line in the log:\n%s", srv.Logs())
	}
}

func TestMigrateCommand(t *testing.T) {
	neo4jtest.Open(t) // the schema is current after this
	out, err := exec.Command(binary, "migrate").CombinedOutput()
	if err != nil {
		t.Fatalf("casegraph migrate: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "schema is up to date") {
		t.Errorf("second migrate said:\n%s", out)
	}
}

// freePort returns a loopback port nothing listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestNeo4jStopAndStart runs casegraph against a Neo4j of its own, stops
// that server, and starts it again: readiness and GraphQL say UNAVAILABLE
// during the gap, and casegraph recovers without a restart.
func TestNeo4jStopAndStart(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Neo4j server of its own")
	}
	script, err := filepath.Abs("../../scripts/neo4j")
	if err != nil {
		t.Fatal(err)
	}
	uri := fmt.Sprintf("bolt://127.0.0.1:%d", freePort(t))
	env := []string{
		"CASEGRAPH_NEO4J_URI=" + uri,
		"CASEGRAPH_NEO4J_HOME=" + t.TempDir(),
		"CASEGRAPH_NEO4J_HEAP=512m",
		"CASEGRAPH_NEO4J_PAGECACHE=128m",
	}
	neo4j := func(verb string) {
		t.Helper()
		cmd := exec.Command(script, verb)
		cmd.Env = append(os.Environ(), env...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("scripts/neo4j %s: %v\n%s", verb, err, out)
		}
	}
	neo4j("start")
	t.Cleanup(func() { neo4j("stop") }) // before TempDir's removal

	srv := startServe(t, env...)
	waitReady(t, srv.base, 60*time.Second)
	gql(t, srv.base, `{ agencies { code } }`, nil).ok(t)

	neo4j("stop")
	resp, err := http.Get(srv.base + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "unavailable") {
		t.Errorf("/readyz with Neo4j stopped: %d %s, want 503 with a reason", resp.StatusCode, body)
	}
	gql(t, srv.base, `{ agencies { code } }`, nil).code(t, "UNAVAILABLE")
	if resp, err := http.Get(srv.base + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Errorf("/healthz with Neo4j stopped: %v %v, want 200: the process is up", resp, err)
	}

	neo4j("start")
	waitReady(t, srv.base, 90*time.Second)
	gql(t, srv.base, `{ agencies { code } }`, nil).ok(t)
}
