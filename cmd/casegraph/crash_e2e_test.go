package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// writeJob writes n cases with a suspect (some with identity numbers, some
// local), a party, a charge and a handover chain, as canonical NDJSON.
func writeJob(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := ingest.NewEncoder(w)
	at := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	src := func(agency, id string) ingest.Envelope {
		return ingest.Envelope{Source: ingest.Source{Agency: agency, System: "crash-test", RecordID: id, At: at}}
	}
	env := func(typ, agency, id string) ingest.Envelope { e := src(agency, id); e.Type = typ; return e }
	enc.Encode(&ingest.Agency{Envelope: env("agency", "K-GA", "a1"), Code: "K-GA", Name: "测试公安分局", Kind: "POLICE"})
	enc.Encode(&ingest.Agency{Envelope: env("agency", "K-JC", "a2"), Code: "K-JC", Name: "测试检察院", Kind: "PROCURATORATE"})
	for i := 0; i < n; i++ {
		no := fmt.Sprintf("A%06d", i)
		enc.Encode(&ingest.Case{Envelope: env("case", "K-GA", "c"+no), CaseRef: ingest.CaseRef{CaseNo: no},
			Title: "盗窃案", Stage: "PROSECUTION_REVIEW", FiledAt: at.AddDate(0, 0, -i%300).Format(time.DateOnly)})
		p := ingest.PersonRef{Ref: fmt.Sprintf("P%06d", i), Name: fmt.Sprintf("人%d", i%500)}
		enc.Encode(&ingest.Person{Envelope: env("person", "K-GA", "p"+no), PersonRef: p, BirthDate: "1990-01-01"})
		enc.Encode(&ingest.Party{Envelope: env("party", "K-GA", "r"+no), Case: ingest.CaseRef{CaseNo: no}, Person: p, Role: "SUSPECT"})
		enc.Encode(&ingest.Charge{Envelope: env("charge", "K-GA", "x"+no), Case: ingest.CaseRef{CaseNo: no}, Person: p, Offense: "盗窃罪", Article: "264"})
		enc.Encode(&ingest.Handover{Envelope: env("handover", "K-GA", "h"+no), HandoverID: "H" + no, Kind: "PROSECUTION",
			From: ingest.CaseRef{CaseNo: no}, To: &ingest.CaseRef{Agency: "K-JC", CaseNo: "J" + no}, SentAt: "2024-06-01", ReceivedAt: "2024-06-01"})
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	w.Flush()
}

// TestKillNineMidJob kills `casegraph ingest` with SIGKILL in the middle of
// a job, runs the job again, and compares the graph with one clean run.
func TestKillNineMidJob(t *testing.T) {
	db := neo4jtest.Open(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "job.ndjson")
	const cases = 4000
	writeJob(t, path, cases)

	neo4jtest.Clean(t, db)
	if out, err := exec.Command(binary, "ingest", "--batch", "100", path).CombinedOutput(); err != nil {
		t.Fatalf("clean run: %v\n%s", err, out)
	}
	clean, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}

	neo4jtest.Clean(t, db)
	cmd := exec.Command(binary, "ingest", "--batch", "100", path)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := db.CaseCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n > cases/4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the job wrote too little to be killed in the middle")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	n, _ := db.CaseCount(ctx)
	if n >= 2*cases {
		t.Fatalf("the job had finished (%d cases) before it was killed; nothing was tested", n)
	}
	t.Logf("killed with %d of %d cases written", n, 2*cases)

	if out, err := exec.Command(binary, "ingest", "--batch", "100", path).CombinedOutput(); err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	again, err := db.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(clean, again); d != "" {
		t.Errorf("after kill -9 and a second run the graph differs from a clean run (-clean +rerun):\n%.3000s", d)
	}
}

// indexDirs lists the index directories under a data directory's search
// index root.
func indexDirs(t *testing.T, data string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(data, "search"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && strings.HasPrefix(e.Name(), "index-") {
			dirs = append(dirs, e.Name())
		}
	}
	return dirs
}

// waitIndexIsGraph waits until the server's index holds exactly the cases
// of the graph.
func waitIndexIsGraph(t *testing.T, db *neo4jdb.DB, srv *proc, within time.Duration) []string {
	t.Helper()
	want, err := db.CaseUIDs(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(time.Second) {
		if got = indexedCases(t, srv.base); cmp.Equal(got, want) {
			return want
		}
	}
	t.Fatalf("the index does not hold the graph's cases (-graph +index):\n%.2000s\nlogs:\n%.5000s", cmp.Diff(want, got), srv.Logs())
	return nil
}

// TestFaultKillNineDuringJobAndReindex kills `casegraph serve` with SIGKILL in
// the middle of an ingest job submitted over HTTP, and again in the middle
// of a reindex. After each restart the job submitted again completes, the
// index holds exactly the graph's cases, the interrupted rebuild's
// directory is gone and the audit chain verifies (a torn last line is
// repaired when the log is reopened, docs/security.md).
func TestFaultKillNineDuringJobAndReindex(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	ctx := context.Background()
	data := t.TempDir()
	path := filepath.Join(t.TempDir(), "job.ndjson")
	const cases = 2000
	writeJob(t, path, cases)
	body, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{"CASEGRAPH_DATA_DIR=" + data, "CASEGRAPH_DEMO=0"}

	// 1. kill -9 during the ingest job.
	srv := startServe(t, env...)
	waitReady(t, srv.base, 60*time.Second)
	if _, err := runJobAsync(srv.base, body); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		n, err := db.CaseCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n > cases/3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the job wrote too little to be killed in the middle:\n%s", srv.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	srv.cmd.Process.Kill()
	<-srv.done
	killedAt, _ := db.CaseCount(ctx)
	if killedAt >= 2*cases {
		t.Fatal("the job had finished before the kill; nothing was tested")
	}
	t.Logf("job killed with %d of %d cases in the graph", killedAt, 2*cases)

	srv = startServe(t, env...)
	waitReady(t, srv.base, 60*time.Second)
	if st, err := runJob(ctx, srv.base, body); err != nil || st != "DONE" {
		t.Fatalf("the job submitted again: %s %v", st, err)
	}
	if n, err := db.CaseCount(ctx); err != nil || n != 2*cases {
		t.Fatalf("after the job ran again the graph has %d cases (%v), want %d", n, err, 2*cases)
	}
	waitIndexIsGraph(t, db, srv, 2*time.Minute)

	// 2. kill -9 during a reindex: the new index is being filled beside
	// the live one.
	before := indexDirs(t, data)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, srv.base+"/api/search/reindex", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	deadline = time.Now().Add(time.Minute)
	for len(indexDirs(t, data)) <= len(before) {
		if time.Now().After(deadline) {
			t.Fatalf("no second index directory appeared during the reindex:\n%s", srv.Logs())
		}
		time.Sleep(5 * time.Millisecond)
	}
	srv.cmd.Process.Kill()
	<-srv.done
	if strings.Contains(srv.Logs(), "swapped") {
		t.Logf("the reindex may have finished before the kill")
	}
	t.Logf("killed during the reindex with index directories %v (live before: %v)", indexDirs(t, data), before)

	srv = startServe(t, env...)
	waitReady(t, srv.base, 60*time.Second)
	waitIndexIsGraph(t, db, srv, 2*time.Minute)
	if dirs := indexDirs(t, data); len(dirs) != 1 {
		t.Errorf("after the restart the search root holds %v, want the live index alone", dirs)
	}
	out, err := exec.Command(binary, "reindex", "--server", srv.base).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "swapped in") {
		t.Fatalf("casegraph reindex after the restart: %v\n%s", err, out)
	}
	waitIndexIsGraph(t, db, srv, time.Minute)
	stopServe(t, srv)
	auditVerify(t, data)
}

// runJobAsync submits an ingest body and returns the job's id without
// waiting for it.
func runJobAsync(base string, body []byte) (string, error) {
	resp, err := http.Post(base+"/api/ingest", "application/x-ndjson", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var accepted struct{ Job string }
	json.NewDecoder(resp.Body).Decode(&accepted)
	if resp.StatusCode != http.StatusAccepted {
		return "", fmt.Errorf("POST /api/ingest: %d", resp.StatusCode)
	}
	return accepted.Job, nil
}
