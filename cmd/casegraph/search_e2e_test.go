package main

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// indexedCases pages through every case the running server's index finds.
func indexedCases(t *testing.T, base string) []string {
	t.Helper()
	var uids []string
	var after any
	for {
		g := gql(t, base, `query($after: String) { search(query: "", filter: {types: [CASE]}, sort: FILED_DESC, first: 100, after: $after) {
		  totalCount hits { id } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after}).ok(t)
		var r struct {
			Search struct {
				Hits     []struct{ ID string }
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		json.Unmarshal(g.Data, &r)
		for _, h := range r.Search.Hits {
			uids = append(uids, h.ID)
		}
		if !r.Search.PageInfo.HasNextPage {
			break
		}
		after = r.Search.PageInfo.EndCursor
	}
	sort.Strings(uids)
	return uids
}

// TestSearchIndexSurvivesKillNine kills the server with SIGKILL in the
// middle of a large ingest job, starts it again on the same data directory,
// and checks that the index comes to hold exactly the cases in the graph;
// then the operator commands search and reindex answer from the running
// server.
func TestSearchIndexSurvivesKillNine(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	ctx := context.Background()
	data := t.TempDir()
	path := filepath.Join(t.TempDir(), "job.ndjson")
	const cases = 3000
	writeJob(t, path, cases)

	srv := startServe(t, "CASEGRAPH_DATA_DIR="+data, "CASEGRAPH_DEMO=0")
	waitReady(t, srv.base, 60*time.Second)
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.base+"/api/ingest", "application/x-ndjson", f)
	f.Close()
	if err != nil || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("POST /api/ingest: %v %v", err, resp)
	}
	resp.Body.Close()
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
		t.Fatalf("the job had finished before the kill; nothing was tested")
	}
	t.Logf("killed with %d of %d cases in the graph", killedAt, 2*cases)

	srv2 := startServe(t, "CASEGRAPH_DATA_DIR="+data, "CASEGRAPH_DEMO=0")
	waitReady(t, srv2.base, 60*time.Second)
	want, err := db.CaseUIDs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for end := time.Now().Add(90 * time.Second); time.Now().Before(end); time.Sleep(time.Second) {
		if got = indexedCases(t, srv2.base); cmp.Equal(got, want) {
			break
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("after kill -9 and a restart the index does not hold the graph's cases (-graph +index):\n%.2000s\nlogs:\n%s", d, srv2.Logs())
	}

	// The operator commands talk to the running server.
	out, err := exec.Command(binary, "search", "--server", srv2.base, "--first", "3", "盗窃").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "matches") || !strings.Contains(string(out), "【盗窃】") {
		t.Errorf("casegraph search: %v\n%s", err, out)
	}
	out, err = exec.Command(binary, "search", "--server", srv2.base, `"盗窃`).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "引号未闭合") {
		t.Errorf("casegraph search with an unbalanced quote: %v\n%s", err, out)
	}
	out, err = exec.Command(binary, "reindex", "--server", srv2.base).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "swapped in") {
		t.Fatalf("casegraph reindex: %v\n%s", err, out)
	}
	if got := indexedCases(t, srv2.base); !cmp.Equal(got, want) {
		t.Errorf("after reindex the index holds %d cases, the graph %d", len(got), len(want))
	}
}
