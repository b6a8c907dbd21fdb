package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

type jobStatus struct {
	ID     string
	State  string
	Bytes  int64
	Error  string
	Report struct {
		Read, Written, Refused int
		Rejects                []struct {
			File, Field, Reason string
			Line                int
		}
	}
}

func waitJob(t *testing.T, base, id string) jobStatus {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/api/ingest/" + id)
		if err != nil {
			t.Fatal(err)
		}
		var st jobStatus
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if st.State == "DONE" || st.State == "FAILED" {
			return st
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("job %s did not finish", id)
	return jobStatus{}
}

func TestIngestOverHTTP(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	srv := startServe(t, "CASEGRAPH_DATA_DIR="+t.TempDir())
	waitReady(t, srv.base, 60*time.Second)

	body, err := os.ReadFile("../../internal/ingest/testdata/lineage.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	body = append(body, []byte("{broken\n")...)
	resp, err := http.Post(srv.base+"/api/ingest", "application/x-ndjson", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var accepted struct{ Job string }
	json.NewDecoder(resp.Body).Decode(&accepted)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || accepted.Job == "" {
		t.Fatalf("POST /api/ingest: %d %+v", resp.StatusCode, accepted)
	}
	st := waitJob(t, srv.base, accepted.Job)
	if st.State != "DONE" || st.Report.Written != 27 || st.Report.Refused != 1 {
		t.Fatalf("job: %+v", st)
	}
	if r := st.Report.Rejects[0]; r.Line != 28 || !strings.Contains(r.Reason, "malformed JSON") {
		t.Errorf("reject: %+v", r)
	}
	g := gql(t, srv.base, `query($id: ID!) { ingestJob(id: $id) { state written refused rejects { line reason } }
	  caseByNumber(agency: "T-FY", number: "（2024）浙0203刑初1号") { parties { role person { idNumber cases { case { caseNo } } } } } }`,
		map[string]any{"id": accepted.Job}).ok(t)
	want := `{"ingestJob":{"state":"DONE","written":27,"refused":1,"rejects":[{"line":28,"reason":"malformed JSON: invalid character 'b' looking for beginning of object key string at byte 2"}]},"caseByNumber":{"parties":[{"role":"DEFENDANT","person":{"idNumber":"330203**********36","cases":[{"case":{"caseNo":"A3302032024010001"}},{"case":{"caseNo":"甬测检刑诉受〔2024〕1号"}},{"case":{"caseNo":"（2024）浙0203刑初1号"}}]}},{"role":"WITNESS","person":{"idNumber":null,"cases":[{"case":{"caseNo":"（2024）浙0203刑初1号"}}]}}]}}`
	if string(g.Data) != want {
		t.Errorf("GraphQL after HTTP ingest:\n got %s\nwant %s", g.Data, want)
	}
	// The admin above sees identity numbers masked; the court's judge, in
	// whose lineage the case is, sees them whole.
	judge := casegraph.Caller{Subject: "judge-1", Agency: "T-FY", Roles: []string{authz.RoleJudge}}
	j := gqlAs(t, srv.base, judge, `{ caseByNumber(agency: "T-FY", number: "（2024）浙0203刑初1号") { parties { role person { idNumber } } } }`, nil).ok(t)
	if !strings.Contains(string(j.Data), `"idNumber":"330203199001011236"`) {
		t.Errorf("the judge's view: %s", j.Data)
	}
	// Ingest is the integrator's: a judge's token is refused.
	req, _ := http.NewRequest(http.MethodPost, srv.base+"/api/ingest", strings.NewReader("{}\n"))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer "+mint(judge))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != http.StatusForbidden {
		t.Errorf("ingest with a judge's token: %v %v, want 403", resp.StatusCode, err)
	}
	if resp, _ := http.Get(srv.base + "/api/ingest/nope"); resp.StatusCode != 404 {
		t.Errorf("unknown job: %d, want 404", resp.StatusCode)
	}
	if g := gql(t, srv.base, `{ ingestJob(id: "nope") { id } }`, nil).ok(t); string(g.Data) != `{"ingestJob":null}` {
		t.Errorf("unknown job in GraphQL: %s", g.Data)
	}
}

// vmHWM reads a process's peak resident memory in kB.
func vmHWM(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			n, _ := strconv.Atoi(strings.Fields(line)[1])
			return n
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// longLines streams n lines of size bytes each without holding them.
type longLines struct {
	n, size, line, pos int
}

func (l *longLines) Read(p []byte) (int, error) {
	if l.line >= l.n {
		return 0, io.EOF
	}
	i := 0
	for i < len(p) && l.line < l.n {
		if l.pos == l.size-1 {
			p[i] = '\n'
			l.pos, l.line = 0, l.line+1
		} else {
			p[i] = 'x'
			l.pos++
		}
		i++
	}
	return i, nil
}

// TestOneGigabyteBodyKeepsMemoryFlat posts 1 GiB (1,024 lines of 1 MiB + 1
// byte, each too long to be a record) and checks that the server's peak
// resident memory grows by far less than the body.
func TestOneGigabyteBodyKeepsMemoryFlat(t *testing.T) {
	neo4jtest.Open(t)
	srv := startServe(t, "CASEGRAPH_DATA_DIR="+t.TempDir())
	waitReady(t, srv.base, 60*time.Second)
	before := vmHWM(t, srv.cmd.Process.Pid)
	const lines, size = 1024, 1<<20 + 2
	resp, err := http.Post(srv.base+"/api/ingest", "application/x-ndjson", &longLines{n: lines, size: size})
	if err != nil {
		t.Fatal(err)
	}
	var accepted struct{ Job string }
	json.NewDecoder(resp.Body).Decode(&accepted)
	resp.Body.Close()
	st := waitJob(t, srv.base, accepted.Job)
	if st.State != "DONE" || st.Bytes != lines*size || st.Report.Refused != lines {
		t.Fatalf("job: state %s bytes %d refused %d (%s)", st.State, st.Bytes, st.Report.Refused, st.Error)
	}
	after := vmHWM(t, srv.cmd.Process.Pid)
	t.Logf("peak RSS %d MB before, %d MB after a %d MB body", before/1024, after/1024, lines*size>>20)
	if grew := after - before; grew > 150*1024 {
		t.Errorf("peak RSS grew by %d MB for a 1 GiB body", grew/1024)
	}
}

func TestIngestCommand(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	dir := t.TempDir()
	in := "../../internal/ingest/testdata/lineage.ndjson"
	bad := filepath.Join(dir, "bad.ndjson")
	os.WriteFile(bad, []byte(`{"type":"case","source":{"agency":"T-GA","system":"s","recordId":"r","at":"2024-01-01T00:00:00Z"},"caseNo":"Z","stage":"NOWHERE"}`+"\n"), 0o644)
	rejects := filepath.Join(dir, "rejects.ndjson")
	out, err := exec.Command(binary, "ingest", "--batch", "10", "--rejects", rejects, in, bad).CombinedOutput()
	if err != nil {
		t.Fatalf("casegraph ingest: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "read 28, written 27, refused 1") {
		t.Errorf("summary: %s", out)
	}
	rj, _ := os.ReadFile(rejects)
	var r struct {
		File, RecordID, Field, Reason string
		Line                          int
	}
	if err := json.Unmarshal(rj, &r); err != nil || r.File != bad || r.Line != 1 || r.RecordID != "r" || r.Field != "stage" {
		t.Errorf("rejects file: %s (%v)", rj, err)
	}
	// Dry run: validates, writes nothing.
	neo4jtest.Clean(t, db)
	out, err = exec.Command(binary, "ingest", "--dry-run", in).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "dry run") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if n, err := db.CaseCount(t.Context()); err != nil || n != 0 {
		t.Errorf("dry run wrote %d cases (%v)", n, err)
	}
	// A job that cannot read its input fails with a non-zero status.
	if err := exec.Command(binary, "ingest", filepath.Join(dir, "missing.ndjson")).Run(); err == nil {
		t.Error("a missing input file did not fail the job")
	}
}
