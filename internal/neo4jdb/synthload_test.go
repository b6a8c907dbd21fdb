package neo4jdb_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/synth"
	"github.com/casegraph/casegraph/internal/workflow"
)

// Helpers of the tests that load generated cases through ingest and the
// procedure sync and then check derived counts (roll-ups, alert counters).

// synthRecords generates the NDJSON records of n valid cases.
func synthRecords(t *testing.T, n int, seed uint64) []byte {
	t.Helper()
	opts := synth.Defaults()
	opts.Cases, opts.Seed, opts.InvalidRate = n, seed, 0
	var buf bytes.Buffer
	enc := ingest.NewEncoder(&buf)
	if _, err := synth.Generate(opts, enc); err != nil {
		t.Fatal(err)
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// syncLoader returns a function that ingests NDJSON records into db with
// the procedure sync after each batch, as casegraph ingest does, and fails
// the test on any error or refused record.
func syncLoader(t *testing.T, db *neo4jdb.DB) func(data []byte) {
	wf := workflow.New(db, nil, workflow.Options{})
	return func(data []byte) {
		t.Helper()
		var syncErr error
		rep, err := ingest.Run(context.Background(), db, ingest.NewNDJSONDecoder(bytes.NewReader(data), "synth"), ingest.Options{
			OnCommit: func(ctx context.Context, uids []string) {
				if err := wf.Sync(ctx, uids); err != nil {
					syncErr = err
				}
			}})
		if err != nil || syncErr != nil || rep.Refused > 0 {
			t.Fatalf("load: %v %v refused %d", err, syncErr, rep.Refused)
		}
	}
}

// rewriteRecords returns new versions of the records edit changes: edit
// gets each record and its source and reports whether it changed it; a
// changed record's source.at moves an hour later, so that it replaces the
// stored version.
func rewriteRecords(t *testing.T, records []byte, edit func(rec, src map[string]any) bool) []byte {
	t.Helper()
	var changed bytes.Buffer
	sc := bufio.NewScanner(bytes.NewReader(records))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatal(err)
		}
		src, _ := rec["source"].(map[string]any)
		if !edit(rec, src) {
			continue
		}
		at, _ := time.Parse(time.RFC3339, fmt.Sprint(src["at"]))
		src["at"] = at.Add(time.Hour).Format(time.RFC3339)
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		changed.Write(append(b, '\n'))
	}
	return changed.Bytes()
}

// dropScopes makes 60 cases look stored before scope tokens existed: no
// tokens, and counted under no scope.
func dropScopes(t *testing.T, ctx context.Context, db *neo4jdb.DB) {
	t.Helper()
	if err := db.ExecForTest(ctx, `MATCH (c:Case) WITH c ORDER BY c.uid LIMIT 60 REMOVE c.scope`, nil); err != nil {
		t.Fatal(err)
	}
	if err := db.ResyncScopelessForTest(ctx); err != nil {
		t.Fatal(err)
	}
}

// repairScopes runs serve's start-up repair of scope tokens until no case
// is left without them.
func repairScopes(t *testing.T, ctx context.Context, db *neo4jdb.DB) {
	t.Helper()
	for {
		uids, err := db.RepairScopes(ctx, 25)
		if err != nil {
			t.Fatal(err)
		}
		if len(uids) == 0 {
			return
		}
	}
}
