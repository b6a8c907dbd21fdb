package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jtest"
	"github.com/casegraph/casegraph/internal/workflow"
)

// TestLinkedCases builds cases that share a suspect, a phone, or a charge
// near in place and time with C1 — and some that must not be candidates:
// outside the window, the same matter at the procuratorate, another
// station's case — and checks the candidates, scores and evidence per
// caller.
func TestLinkedCases(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	n := 0
	var buf bytes.Buffer
	rec := func(agency string, r map[string]any) {
		n++
		r["source"] = map[string]any{"agency": agency, "system": "t", "recordId": "r" + strings.Repeat("0", 3) + string(rune('a'+n%26)) + string(rune('a'+n/26)), "at": "2024-01-01T00:00:00+08:00"}
		b, _ := json.Marshal(r)
		buf.Write(append(b, '\n'))
	}
	for _, a := range [][3]string{{"L-GA", "POLICE", "330203"}, {"L-JC", "PROCURATORATE", "330203"}, {"M-GA", "POLICE", "330212"}} {
		rec(a[0], map[string]any{"type": "agency", "code": a[0], "name": a[0], "kind": a[1], "region": a[2]})
	}
	kase := func(agency, no, filed string) {
		rec(agency, map[string]any{"type": "case", "caseNo": no, "title": no + "盗窃案", "filedAt": filed, "district": "海曙区", "stage": "INVESTIGATING"})
	}
	suspect := func(agency, no, ref, id string) {
		rec(agency, map[string]any{"type": "party", "case": map[string]any{"caseNo": no}, "person": map[string]any{"ref": ref, "idNumber": id, "name": ref}, "role": "SUSPECT"})
	}
	charge := func(agency, no, ref, id string) {
		rec(agency, map[string]any{"type": "charge", "case": map[string]any{"caseNo": no}, "person": map[string]any{"ref": ref, "idNumber": id}, "offense": "盗窃罪", "article": "264"})
	}
	const p1, p2, p3 = "330203199001011236", "330203200506150026", "330212198805050013"
	kase("L-GA", "C1", "2024-03-01")
	suspect("L-GA", "C1", "P1", p1)
	charge("L-GA", "C1", "P1", p1)
	rec("L-GA", map[string]any{"type": "object", "kind": "PHONE", "value": "13800138000"})
	rec("L-GA", map[string]any{"type": "link", "kind": "USES", "from": map[string]any{"person": map[string]any{"ref": "P1", "idNumber": p1}}, "to": map[string]any{"object": map[string]any{"kind": "PHONE", "value": "13800138000"}}})
	kase("L-GA", "C2", "2023-01-01") // shares the suspect
	suspect("L-GA", "C2", "P1", p1)
	kase("L-GA", "C3", "2023-02-01") // its suspect uses the same phone
	suspect("L-GA", "C3", "P2", p2)
	rec("L-GA", map[string]any{"type": "link", "kind": "USES", "from": map[string]any{"person": map[string]any{"ref": "P2", "idNumber": p2}}, "to": map[string]any{"object": map[string]any{"kind": "PHONE", "value": "13800138000"}}})
	kase("L-GA", "C4", "2024-03-10") // same charge, district, 9 days
	suspect("L-GA", "C4", "P3", p3)
	charge("L-GA", "C4", "P3", p3)
	kase("L-GA", "C5", "2024-06-01") // same charge, too late
	suspect("L-GA", "C5", "P3", p3)
	charge("L-GA", "C5", "P3", p3)
	kase("M-GA", "C6", "2022-01-01") // another station's case of P1
	suspect("M-GA", "C6", "P1", p1)
	// The same matter at the procuratorate: not a candidate.
	rec("L-GA", map[string]any{"type": "handover", "handoverId": "H1", "kind": "PROSECUTION", "from": map[string]any{"caseNo": "C1"},
		"to": map[string]any{"agency": "L-JC", "caseNo": "J1"}, "sentAt": "2024-04-01T09:00:00+08:00", "receivedAt": "2024-04-01T10:00:00+08:00", "status": "ACCEPTED"})
	rec("L-JC", map[string]any{"type": "case", "caseNo": "J1", "title": "C1盗窃案", "filedAt": "2024-04-01", "district": "海曙区", "stage": "PROSECUTION_REVIEW"})
	suspect("L-JC", "J1", "P1", p1)

	wf := workflow.New(db, nil, workflow.Options{})
	var syncErr error
	rep, err := ingest.Run(context.Background(), db, ingest.NewNDJSONDecoder(&buf, "t"), ingest.Options{
		OnCommit: func(ctx context.Context, uids []string) { syncErr = wf.Sync(ctx, uids) }})
	if err != nil || syncErr != nil || rep.Refused > 0 {
		t.Fatalf("load: %v %v %+v", err, syncErr, rep)
	}
	h := newHandler(t, db, graph.Options{})
	const q = `query($id: ID!) { linkedCases(id: $id) { score case { caseNo } evidence { kind detail person } } }`
	type answer struct {
		LinkedCases []struct {
			Score    int
			Case     struct{ CaseNo string }
			Evidence []struct {
				Kind, Detail string
				Person       *string
			}
		}
	}
	ask := func(c casegraph.Caller) (answer, string) {
		t.Helper()
		resp := post(t, as(t, h, c), q, map[string]any{"id": "c/L-GA/C1"})
		if len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", c.Subject, resp.Errors)
		}
		var a answer
		json.Unmarshal(resp.Data, &a)
		var got []string
		for _, lc := range a.LinkedCases {
			got = append(got, lc.Case.CaseNo+":"+string(rune('0'+lc.Score)))
		}
		return a, strings.Join(got, ",")
	}
	a, got := ask(officer("L-GA", authz.RolePoliceInvestigator))
	if got != "C2:3,C3:2,C4:1" {
		t.Errorf("L-GA's candidates = %s, want C2:3,C3:2,C4:1", got)
	}
	for _, lc := range a.LinkedCases {
		ev := lc.Evidence[0]
		switch lc.Case.CaseNo {
		case "C2":
			if ev.Kind != "SHARED_PERSON" || ev.Person == nil || ev.Detail != "P1" {
				t.Errorf("C2 evidence: %+v", lc.Evidence)
			}
		case "C3":
			if ev.Kind != "SHARED_OBJECT" || ev.Detail != "PHONE 13800138000" {
				t.Errorf("C3 evidence: %+v", lc.Evidence)
			}
		case "C4":
			if ev.Kind != "SAME_CHARGE_PLACE_TIME" || !strings.Contains(ev.Detail, "盗窃罪") || !strings.Contains(ev.Detail, "9日") {
				t.Errorf("C4 evidence: %+v", lc.Evidence)
			}
		}
	}
	// The admin sees every station's cases, with the phone masked.
	a, got = ask(casegraph.Caller{Subject: "admin", Roles: []string{authz.RoleAdmin}})
	if got != "C2:3,C6:3,C3:2,C4:1" {
		t.Errorf("admin's candidates = %s, want C2:3,C6:3,C3:2,C4:1", got)
	}
	for _, lc := range a.LinkedCases {
		if lc.Case.CaseNo == "C3" && lc.Evidence[0].Detail != "PHONE 138****8000" {
			t.Errorf("admin's C3 evidence unmasked: %+v", lc.Evidence)
		}
	}
	// The other station does not see C1: null.
	resp := post(t, as(t, h, officer("M-GA", authz.RolePoliceInvestigator)), q, map[string]any{"id": "c/L-GA/C1"})
	if len(resp.Errors) > 0 || string(resp.Data) != `{"linkedCases":null}` {
		t.Errorf("M-GA: %s %+v", resp.Data, resp.Errors)
	}
}

// TestRepeatOffenders counts matters (lineages), not cases, in the caller's
// scope, on the data of TestLinkedCases.
func TestRepeatOffenders(t *testing.T) {
	TestLinkedCases(t)
	db := neo4jtest.Open(t)
	h := newHandler(t, db, graph.Options{})
	const q = `query($f: RepeatOffenderFilter) { repeatOffenders(filter: $f) { matters person { name } cases { caseNo } } }`
	run := func(c casegraph.Caller, f map[string]any) string {
		t.Helper()
		resp := post(t, as(t, h, c), q, map[string]any{"f": f})
		if len(resp.Errors) > 0 {
			t.Fatalf("%s: %+v", c.Subject, resp.Errors)
		}
		var a struct {
			RepeatOffenders []struct {
				Matters int
				Person  struct{ Name string }
				Cases   []struct{ CaseNo string }
			}
		}
		json.Unmarshal(resp.Data, &a)
		var out []string
		for _, ro := range a.RepeatOffenders {
			var cs []string
			for _, c := range ro.Cases {
				cs = append(cs, c.CaseNo)
			}
			out = append(out, fmt.Sprintf("%s:%d[%s]", ro.Person.Name, ro.Matters, strings.Join(cs, " ")))
		}
		return strings.Join(out, ",")
	}
	if got, want := run(officer("L-GA", authz.RolePoliceInvestigator), nil), "P1:2[J1 C1 C2],P3:2[C5 C4]"; got != want {
		t.Errorf("L-GA: %s, want %s", got, want)
	}
	if got, want := run(casegraph.Caller{Subject: "admin", Roles: []string{authz.RoleAdmin}}, nil), "P1:3[J1 C1 C2 C6],P3:2[C5 C4]"; got != want {
		t.Errorf("admin: %s, want %s", got, want)
	}
	if got := run(officer("M-GA", authz.RolePoliceInvestigator), nil); got != "" {
		t.Errorf("M-GA: %s, want none", got)
	}
	if got, want := run(casegraph.Caller{Subject: "admin", Roles: []string{authz.RoleAdmin}}, map[string]any{"minMatters": 3}), "P1:3[J1 C1 C2 C6]"; got != want {
		t.Errorf("admin, 3 matters: %s, want %s", got, want)
	}
	if got, want := run(casegraph.Caller{Subject: "admin", Roles: []string{authz.RoleAdmin}}, map[string]any{"charges": []string{"盗窃罪"}}), "P3:2[C5 C4]"; got != want {
		t.Errorf("admin, 盗窃罪 only: %s, want %s", got, want)
	}
	resp := post(t, as(t, h, casegraph.Caller{Subject: "sup", Roles: []string{authz.RoleSupervisor}, Region: "33"}), q, nil)
	if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != casegraph.EFORBIDDEN {
		t.Errorf("supervisor: %+v", resp.Errors)
	}
}
