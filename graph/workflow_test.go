package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// TestHandoverWorkflowOverGraphQL drives the mutations, the inbox, the
// timeline and the alerts through the GraphQL handler on the real Neo4j.
func TestHandoverWorkflowOverGraphQL(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	var buf bytes.Buffer
	for _, r := range []map[string]any{
		{"type": "agency", "source": map[string]any{"agency": "GGA", "system": "t", "recordId": "1", "at": "2024-01-01T00:00:00+08:00"}, "code": "GGA", "name": "测试公安分局", "kind": "POLICE", "region": "330203"},
		{"type": "agency", "source": map[string]any{"agency": "GJC", "system": "t", "recordId": "2", "at": "2024-01-01T00:00:00+08:00"}, "code": "GJC", "name": "测试区人民检察院", "kind": "PROCURATORATE", "region": "330203"},
	} {
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
	}
	if rep, err := ingest.Run(context.Background(), db, ingest.NewNDJSONDecoder(&buf, "t"), ingest.Options{}); err != nil || rep.Refused > 0 {
		t.Fatalf("agencies: %v %+v", err, rep)
	}
	h := newHandler(t, db, graph.Options{})
	police, procuratorate := as(t, h, officer("GGA", authz.RolePoliceLegal)), as(t, h, officer("GJC", authz.RoleCaseManager))

	ok := func(resp gqlResponse) gqlResponse {
		t.Helper()
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		return resp
	}
	resp := ok(post(t, police, `mutation { openCase(input: {agency: "GGA", caseNo: "A1", title: "测试盗窃案", at: "2024-03-01T01:00:00Z"}) { id stage } }`, nil))
	var opened struct{ OpenCase struct{ ID, Stage string } }
	json.Unmarshal(resp.Data, &opened)
	if opened.OpenCase.Stage != "RECEIVED" {
		t.Fatalf("openCase: %s", resp.Data)
	}
	id := opened.OpenCase.ID
	ok(post(t, police, `mutation($c: ID!) { recordDecision(input: {case: $c, kind: "FILE_CASE", at: "2024-03-02T01:00:00Z"}) { stage } }`, map[string]any{"c": id}))

	// A transition the law does not allow: refused, cited, nothing changed.
	before, _ := db.Snapshot(context.Background())
	resp = post(t, police, `mutation($c: ID!) { transferCase(input: {case: $c, type: INDICTMENT, toAgency: "GJC", at: "2024-03-03T01:00:00Z"}) { id } }`, map[string]any{"c": id})
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != casegraph.EINVALIDTRANSITION || !strings.Contains(resp.Errors[0].Message, "刑事诉讼法") {
		t.Errorf("illegal transfer: %+v", resp.Errors)
	}
	after, _ := db.Snapshot(context.Background())
	if strings.Join(before, "\n") != strings.Join(after, "\n") {
		t.Errorf("a refused mutation changed the graph")
	}
	// Without a token: refused before GraphQL; without the permission: FORBIDDEN.
	if rec := postRaw(t, h, `mutation($c: ID!) { recordMeasure(input: {case: $c, person: "p", kind: "拘留"}) { id } }`, map[string]any{"c": id}); rec.Code != 401 {
		t.Errorf("anonymous mutation: %d %s", rec.Code, rec.Body)
	}
	resp = post(t, as(t, h, admin), `mutation($c: ID!) { recordMeasure(input: {case: $c, person: "p", kind: "拘留"}) { id } }`, map[string]any{"c": id})
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != casegraph.EFORBIDDEN {
		t.Errorf("a mutation by the admin: %+v", resp.Errors)
	}

	resp = ok(post(t, police, `mutation($c: ID!) { transferCase(input: {case: $c, type: PROSECUTION, toAgency: "GJC", at: "2024-04-01T01:00:00Z"}) { id status } }`, map[string]any{"c": id}))
	var sent struct{ TransferCase struct{ ID, Status string } }
	json.Unmarshal(resp.Data, &sent)
	resp = ok(post(t, procuratorate, `{ handoverInbox { edges { node { id name waitedHours fromCase { caseNo } startsClocks { rule limit citation } } } } }`, nil))
	var inbox struct {
		HandoverInbox struct {
			Edges []struct {
				Node struct {
					ID, Name     string
					WaitedHours  float64
					StartsClocks []struct{ Rule, Limit, Citation string }
				}
			}
		}
	}
	json.Unmarshal(resp.Data, &inbox)
	if len(inbox.HandoverInbox.Edges) != 1 || inbox.HandoverInbox.Edges[0].Node.ID != sent.TransferCase.ID ||
		inbox.HandoverInbox.Edges[0].Node.WaitedHours <= 0 || len(inbox.HandoverInbox.Edges[0].Node.StartsClocks) == 0 {
		t.Fatalf("inbox: %s", resp.Data)
	}
	if c := inbox.HandoverInbox.Edges[0].Node.StartsClocks[0]; c.Rule != "T35" || c.Citation == "" {
		t.Errorf("the inbox should show 审查起诉 (T35) starting: %+v", c)
	}
	// The police cannot accept what was sent to the procuratorate.
	resp = post(t, police, `mutation($h: ID!) { receiveHandover(input: {handover: $h, accept: true, caseNo: "X"}) { id } }`, map[string]any{"h": sent.TransferCase.ID})
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != casegraph.EFORBIDDEN {
		t.Errorf("accept by the wrong agency: %+v", resp.Errors)
	}
	resp = ok(post(t, procuratorate, `mutation($h: ID!) { receiveHandover(input: {handover: $h, accept: true, caseNo: "检诉1", at: "2024-04-01T05:00:00Z"}) { status toCase { stage timeline { kind name status citation } procedure { stage clocks { rule status due citation } } } } }`, map[string]any{"h": sent.TransferCase.ID}))
	var acc struct {
		ReceiveHandover struct {
			Status string
			ToCase struct {
				Stage     string
				Timeline  []struct{ Kind, Name, Status, Citation string }
				Procedure struct {
					Stage  string
					Clocks []struct{ Rule, Status, Citation string }
				}
			}
		}
	}
	json.Unmarshal(resp.Data, &acc)
	r := acc.ReceiveHandover
	if r.Status != "ACCEPTED" || r.ToCase.Stage != "PROSECUTION_REVIEW" || r.ToCase.Procedure.Stage != "PROSECUTION_REVIEW" {
		t.Fatalf("accepted: %s", resp.Data)
	}
	var kinds []string
	for _, ev := range r.ToCase.Timeline {
		kinds = append(kinds, ev.Kind)
	}
	if got := strings.Join(kinds, ","); got != "CASE_RECEIVED,A01,A03,,A12" {
		t.Errorf("timeline kinds: %s", got)
	}
	found := false
	for _, c := range r.ToCase.Procedure.Clocks {
		if c.Rule == "T35" && c.Status == "OVERDUE" && strings.Contains(c.Citation, "刑事诉讼法第一百七十二条") {
			found = true
		}
	}
	if !found {
		t.Errorf("T35 should be overdue today: %+v", r.ToCase.Procedure.Clocks)
	}

	sup := as(t, h, casegraph.Caller{Subject: "sup", Roles: []string{authz.RoleSupervisor}, Region: "33"})
	resp = ok(post(t, sup, `{ supervisionAlerts(filter: {agencies: ["GJC"]}) { totalCount edges { node { rule kind severity citation facts case { caseNo } overdueDays } } } }`, nil))
	var al struct {
		SupervisionAlerts struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Rule, Kind, Severity, Citation string
					Facts                          []string
					OverdueDays                    int
				}
			}
		}
	}
	json.Unmarshal(resp.Data, &al)
	if al.SupervisionAlerts.TotalCount != 1 || len(al.SupervisionAlerts.Edges) != 1 {
		t.Fatalf("alerts: %s", resp.Data)
	}
	if n := al.SupervisionAlerts.Edges[0].Node; n.Rule != "T35" || n.Kind != "OVERDUE" || n.Severity != "MEDIUM" || n.OverdueDays < 300 || len(n.Facts) == 0 {
		t.Errorf("alert: %+v", n)
	}
	// Bad input to the queries.
	resp = post(t, sup, `{ supervisionAlerts(first: 1000) { totalCount } }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != casegraph.EINVALID {
		t.Errorf("first: 1000: %+v", resp.Errors)
	}
	resp = post(t, as(t, h, admin), `{ handoverInbox { edges { cursor } } }`, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != casegraph.EUNAUTHENTICATED {
		t.Errorf("inbox without an agency: %+v", resp.Errors)
	}
}
