package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph/internal/ingest"
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
