package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jtest"
	"github.com/casegraph/casegraph/internal/workflow"
)

// TestRisingCharges builds two 30-day windows of cases with known counts per
// charge and checks the ranking and the significance: a big rise is
// flagged, three cases against none is not (noise), an equal count is not
// listed, and a supervisor sees only charges with five or more cases in
// both windows.
func TestRisingCharges(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	var buf bytes.Buffer
	n := 0
	rec := func(r map[string]any) {
		n++
		r["source"] = map[string]any{"agency": "R-GA", "system": "t", "recordId": fmt.Sprintf("r%d", n), "at": "2024-07-01T00:00:00+08:00"}
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
	}
	rec(map[string]any{"type": "agency", "code": "R-GA", "name": "R", "kind": "POLICE", "region": "330203"})
	end := time.Date(2024, 6, 30, 0, 0, 0, 0, time.UTC)
	add := func(charge string, previous, current int) {
		for i := range previous + current {
			filed := end.AddDate(0, 0, -40-i%20) // (2024-05-01, 2024-05-31]
			if i >= previous {
				filed = end.AddDate(0, 0, -(i % 25)) // (2024-05-31, 2024-06-30]
			}
			no := fmt.Sprintf("%s-%d", charge, i)
			rec(map[string]any{"type": "case", "caseNo": no, "title": no, "filedAt": filed.Format(time.DateOnly), "district": "海曙区", "stage": "INVESTIGATING"})
			rec(map[string]any{"type": "party", "case": map[string]any{"caseNo": no}, "person": map[string]any{"ref": no, "name": "某"}, "role": "SUSPECT"})
			rec(map[string]any{"type": "charge", "case": map[string]any{"caseNo": no}, "person": map[string]any{"ref": no}, "offense": charge, "article": "1"})
		}
	}
	add("盗窃罪", 2, 30)
	add("诈骗罪", 0, 3)
	add("故意伤害罪", 10, 10)
	add("抢劫罪", 6, 12)
	wf := workflow.New(db, nil, workflow.Options{})
	var syncErr error
	rep, err := ingest.Run(context.Background(), db, ingest.NewNDJSONDecoder(&buf, "t"), ingest.Options{
		OnCommit: func(ctx context.Context, uids []string) {
			if err := wf.Sync(ctx, uids); err != nil {
				syncErr = err
			}
		}})
	if err != nil || syncErr != nil || rep.Refused > 0 {
		t.Fatalf("load: %v %v %+v", err, syncErr, rep)
	}
	h := newHandler(t, db, graph.Options{})
	const q = `{ risingCharges(windowDays: 30) { end windowDays charges { charge current previous pValue significant } } }`
	run := func(c casegraph.Caller) string {
		t.Helper()
		resp := post(t, as(t, h, c), q, nil)
		if len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", c.Subject, resp.Errors)
		}
		var a struct {
			RisingCharges struct {
				End     string
				Charges []struct {
					Charge            string
					Current, Previous int
					PValue            float64
					Significant       bool
				}
			}
		}
		json.Unmarshal(resp.Data, &a)
		if a.RisingCharges.End != "2024-06-30" {
			t.Errorf("end = %s, want the latest filed date 2024-06-30", a.RisingCharges.End)
		}
		var out []string
		for _, c := range a.RisingCharges.Charges {
			out = append(out, fmt.Sprintf("%s %d/%d %v", c.Charge, c.Current, c.Previous, c.Significant))
		}
		return strings.Join(out, ", ")
	}
	if got, want := run(officer("R-GA", authz.RolePoliceLegal)), "盗窃罪 30/2 true, 抢劫罪 12/6 false, 诈骗罪 3/0 false"; got != want {
		t.Errorf("legal officer:\n got %s\nwant %s", got, want)
	}
	if got, want := run(casegraph.Caller{Subject: "sup", Roles: []string{authz.RoleSupervisor}, Region: "330203"}), "抢劫罪 12/6 false"; got != want {
		t.Errorf("supervisor:\n got %s\nwant %s", got, want)
	}
}
