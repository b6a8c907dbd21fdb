//go:build faults

package main

// The long fault tests: `make test-faults` (go test -tags faults -run Fault).
// They run longer than CI allows, and the disk-full test mounts a tmpfs,
// which needs root. They check what the short tests check, with more
// faults (see docs/operations.md, Faults).

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// TestFaultNeo4jRestartUnderLoadLong stops Neo4j three times under load,
// for 20 s each, so that ingest batches and mutations are cut in every
// phase.
func TestFaultNeo4jRestartUnderLoadLong(t *testing.T) {
	neo4jRestartUnderLoad(t, 3, 20*time.Second)
}

// TestFaultBoltResetDuringCommitLong cuts every other commit, 40 times,
// under a longer load.
func TestFaultBoltResetDuringCommitLong(t *testing.T) {
	boltResets(t, 2, 40, 20, 30)
}

// TestFaultIndexDiskFull puts the search index on a 30 MB tmpfs, fills it,
// writes cases, and checks that the index falls behind with a clear error
// while search keeps answering, then catches up once there is room.
func TestFaultIndexDiskFull(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	data := t.TempDir()
	fs := filepath.Join(data, "search")
	if err := os.MkdirAll(fs, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=30m", "tmpfs", fs).CombinedOutput(); err != nil {
		t.Fatalf("this test mounts a 30 MB tmpfs for the index and needs root: mount: %v\n%s", err, out)
	}
	t.Cleanup(func() { // after the server stopped (cleanups run last first)
		if out, err := exec.Command("umount", fs).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", fs, err, out)
			exec.Command("umount", "-l", fs).Run()
		}
	})
	metrics := fmt.Sprintf("127.0.0.1:%d", freePort(t))
	srv := startServe(t, "CASEGRAPH_DATA_DIR="+data, "CASEGRAPH_DEMO=0", "CASEGRAPH_METRICS_ADDR="+metrics)
	waitReady(t, srv.base, 90*time.Second)

	body, _ := faultBatch("D0", 50)
	if st, err := runJob(t.Context(), srv.base, body); err != nil || st != "DONE" {
		t.Fatalf("first job: %s %v", st, err)
	}
	waitIndexIsGraph(t, db, srv, 2*time.Minute)

	// Fill the file system.
	filler := filepath.Join(fs, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !strings.Contains(err.Error(), "no space left") {
				t.Fatalf("filling the tmpfs: %v", err)
			}
			break
		}
	}
	f.Close()
	var st syscall.Statfs_t
	syscall.Statfs(fs, &st)
	t.Logf("tmpfs full: %d bytes free", st.Bavail*uint64(st.Bsize))

	body, _ = faultBatch("D1", 200)
	if st, err := runJob(t.Context(), srv.base, body); err != nil || st != "DONE" {
		t.Fatalf("the job while the index's disk is full: %s %v (the graph is not on that disk)", st, err)
	}
	// The index cannot take the new cases: a clear error in the log.
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(srv.Logs(), "no space left on device") {
		if time.Now().After(deadline) {
			t.Fatalf("no 'no space left on device' in the log within a minute:\n%.5000s", srv.Logs())
		}
		time.Sleep(time.Second)
	}
	for _, line := range strings.Split(srv.Logs(), "\n") {
		if strings.Contains(line, "no space left on device") {
			t.Logf("the log says: %.400s", line)
			break
		}
	}
	if strings.Contains(srv.Logs(), `"msg":"panic`) {
		t.Errorf("a panic in the log:\n%.5000s", srv.Logs())
	}
	// Search answers from what the index holds, unless bleve broke the
	// live index (see searchsync.Syncer.apply): then it answers
	// UNAVAILABLE until the index is rebuilt, which needs room on the disk.
	r, err := gqlTry(t.Context(), srv.base, operator, `{ search(query: "", filter: {types: [CASE]}, first: 1) { totalCount } }`, nil)
	switch {
	case err != nil:
		t.Errorf("search with the disk full: %v", err)
	case r.errCode() == "":
		t.Logf("search with the disk full answers: %s", r.Data)
	case r.errCode() == "UNAVAILABLE" && logSays(srv, "bleve panicked", 10*time.Second):
		t.Logf("after a segment failed to persist, bleve v2.6.3 panics on every batch and search of the live index; search answers UNAVAILABLE until the index is rebuilt: %s", r.raw)
	default:
		t.Errorf("search with the disk full: %s", r.raw)
	}
	time.Sleep(6 * time.Second) // a lag measurement after a failed catch-up
	if lag := metricValue(t, metrics, "casegraph_search_index_lag_seconds"); lag <= 0 {
		t.Errorf("casegraph_search_index_lag_seconds is %v with the index behind", lag)
	} else {
		t.Logf("casegraph_search_index_lag_seconds %v with the disk full", lag)
	}

	// Room again: the catch-up repairs the index by itself.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	waitIndexIsGraph(t, db, srv, 2*time.Minute)
	stopServe(t, srv)
	auditVerify(t, data)
}

// logSays waits until casegraph's log has s.
func logSays(p *proc, s string, within time.Duration) bool {
	for end := time.Now().Add(within); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if strings.Contains(p.Logs(), s) {
			return true
		}
	}
	return false
}

// metricValue reads one unlabelled metric from the metrics listener.
func metricValue(t *testing.T, addr, name string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, name+" ") {
			var v float64
			fmt.Sscan(strings.TrimPrefix(line, name+" "), &v)
			return v
		}
	}
	t.Fatalf("no %s in /metrics", name)
	return 0
}
