package main

import (
	"bytes"
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

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

// matrixExtra adds to the lineage of internal/ingest/testdata (T-GA → T-JC
// → T-FY, region 330203): a police case of T-GA that was never handed over
// (N1), a sealed juvenile case of T-GA (S1), and a police station of
// another district (U-GA, 330212) with its own case (U1).
const matrixExtra = `{"type":"agency","source":{"agency":"U-GA","system":"police-cms","recordId":"ag-U","at":"2024-01-05T10:00:00+08:00"},"code":"U-GA","name":"宁波市公安局无关分局","kind":"POLICE","region":"330212"}
{"type":"case","source":{"agency":"U-GA","system":"police-cms","recordId":"case-u1","at":"2024-02-01T10:00:00+08:00"},"caseNo":"U1","title":"无关分局盗窃案","summary":"盗窃自行车一辆","stage":"INVESTIGATING","filedAt":"2024-02-01","district":"鄞州区"}
{"type":"person","source":{"agency":"U-GA","system":"police-cms","recordId":"per-u1","at":"2024-02-01T10:00:00+08:00"},"ref":"U-P1","idNumber":"330212198805050013","name":"周六"}
{"type":"party","source":{"agency":"U-GA","system":"police-cms","recordId":"pty-u1","at":"2024-02-01T10:00:00+08:00"},"case":{"caseNo":"U1"},"person":{"ref":"U-P1","idNumber":"330212198805050013"},"role":"SUSPECT"}
{"type":"link","source":{"agency":"U-GA","system":"police-cms","recordId":"lnk-u1","at":"2024-02-01T10:00:00+08:00"},"kind":"KNOWS","from":{"person":{"ref":"U-P1","idNumber":"330212198805050013"}},"to":{"person":{"ref":"P001","idNumber":"330203199001011236"}}}
{"type":"case","source":{"agency":"T-GA","system":"police-cms","recordId":"case-n1","at":"2024-02-02T10:00:00+08:00"},"caseNo":"N1","title":"未移送的盗窃案","summary":"盗窃手机一部","stage":"INVESTIGATING","filedAt":"2024-02-02","district":"海曙区"}
{"type":"case","source":{"agency":"T-GA","system":"police-cms","recordId":"case-s1","at":"2024-02-03T10:00:00+08:00"},"caseNo":"S1","title":"封存的盗窃案","summary":"未成年人盗窃","stage":"INVESTIGATING","filedAt":"2024-02-03","district":"海曙区","sealed":true}
`

// TestAuthorizationMatrix runs every role against every kind of case —
// its own agency's, another agency's in the same lineage, an unrelated
// agency's, a sealed one — over HTTP against the real server and Neo4j,
// through the operations that read and write case data: case detail,
// lists and their totals, search totals and facets, a person's identity
// number, timelines, supervision alerts, a mutation, the audit log and the
// ingest API.
func TestAuthorizationMatrix(t *testing.T) {
	db := neo4jtest.Open(t)
	neo4jtest.Clean(t, db)
	dataDir := t.TempDir()
	srv := startServe(t, "CASEGRAPH_DATA_DIR="+dataDir, "CASEGRAPH_RATE_PER_MINUTE=100000")
	waitReady(t, srv.base, 60*time.Second)

	lineage, err := os.ReadFile("../../internal/ingest/testdata/lineage.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(srv.base+"/api/ingest", "application/x-ndjson", bytes.NewReader(append(lineage, matrixExtra...)))
	if err != nil {
		t.Fatal(err)
	}
	var accepted struct{ Job string }
	json.NewDecoder(resp.Body).Decode(&accepted)
	resp.Body.Close()
	if st := waitJob(t, srv.base, accepted.Job); st.State != "DONE" || st.Report.Refused != 0 {
		t.Fatalf("ingest: %+v", st)
	}

	// The cases' ids, read by the admin (every unsealed case) and by T-GA's
	// legal officer who unseals with a reason.
	uid := func(c casegraph.Caller, agency, no string, hdr ...string) string {
		t.Helper()
		r := gqlHeaders(t, srv.base, c, hdr, `query($a: String!, $n: String!) { caseByNumber(agency: $a, number: $n) { id } }`,
			map[string]any{"a": agency, "n": no}).ok(t)
		var d struct{ CaseByNumber *struct{ ID string } }
		json.Unmarshal(r.Data, &d)
		if d.CaseByNumber == nil {
			t.Fatalf("case %s/%s not found: %s", agency, no, r.raw)
		}
		return d.CaseByNumber.ID
	}
	admin := casegraph.Caller{Subject: "admin", Roles: []string{authz.RoleAdmin}}
	legal := casegraph.Caller{Subject: "legal@T-GA", Agency: "T-GA", Roles: []string{authz.RolePoliceLegal}, Region: "330203"}
	reason := []string{authz.UnsealHeader, "复核未成年人前科记录"}
	cases := map[string]string{
		"police":  uid(admin, "T-GA", "A3302032024010001"),
		"procur":  uid(admin, "T-JC", "甬测检刑诉受〔2024〕1号"),
		"court":   uid(admin, "T-FY", "（2024）浙0203刑初1号"),
		"pending": uid(admin, "T-GA", "N1"),
		"other":   uid(admin, "U-GA", "U1"),
		"sealed":  uid(legal, "T-GA", "S1", reason...),
	}

	user := func(sub, agency, role, region string) casegraph.Caller {
		return casegraph.Caller{Subject: sub, Agency: agency, Roles: []string{role}, Region: region}
	}
	const (
		see  = "SEE"
		null = "NULL"
		deny = "FORBIDDEN"
	)
	lineageOnly := map[string]string{"police": see, "procur": see, "court": see, "pending": null, "other": null, "sealed": null}
	police := map[string]string{"police": see, "procur": see, "court": see, "pending": see, "other": null, "sealed": null}
	manager := map[string]string{"police": see, "procur": see, "court": see, "pending": see, "other": null, "sealed": null}
	none := map[string]string{"police": deny, "procur": deny, "court": deny, "pending": deny, "other": deny, "sealed": deny}
	all := map[string]string{"police": see, "procur": see, "court": see, "pending": see, "other": see, "sealed": null}
	rows := []struct {
		name   string
		c      casegraph.Caller
		cases  map[string]string // case(id) per case
		pii    bool              // the defendant's identity number unmasked
		write  bool              // may run a mutation
		alerts bool              // may read supervision alerts
		audit  bool              // may read the audit log
		ingest bool              // may read the ingest API's job states
	}{
		{"police investigator (own agency)", user("inv@T-GA", "T-GA", authz.RolePoliceInvestigator, "330203"), police, true, true, false, false, false},
		{"police legal officer", legal, police, true, true, true, false, false},
		{"police investigator (unrelated agency)", user("inv@U-GA", "U-GA", authz.RolePoliceInvestigator, "330212"),
			map[string]string{"police": null, "procur": null, "court": null, "pending": null, "other": see, "sealed": null}, true, true, false, false, false},
		{"prosecutor (lineage)", user("pro@T-JC", "T-JC", authz.RoleProsecutor, "330203"), lineageOnly, true, true, false, false, false},
		{"prosecution case manager (立案监督)", user("mgr@T-JC", "T-JC", authz.RoleCaseManager, "330203"), manager, true, true, true, false, false},
		{"judge (lineage)", user("judge@T-FY", "T-FY", authz.RoleJudge, "330203"), lineageOnly, true, true, false, false, false},
		{"court clerk", user("clerk@T-FY", "T-FY", authz.RoleCourtClerk, "330203"), lineageOnly, false, true, false, false, false},
		{"supervisor (政法委)", user("sup", "", authz.RoleSupervisor, "330200"), none, false, false, true, false, false},
		{"integrator", user("int", "", authz.RoleIntegrator, ""), none, false, false, false, false, true},
		{"auditor", user("aud", "", authz.RoleAuditor, ""), none, false, false, false, true, false},
		{"admin", admin, all, false, false, true, false, true},
		{"judge's role in a police agency", user("judge@T-GA", "T-GA", authz.RoleJudge, "330203"), none, false, false, false, false, false},
	}

	policy := authorizerForTest()
	var otherSuspect string
	{
		r := gqlAs(t, srv.base, admin, `query($id: ID!) { case(id: $id) { parties { person { id } } } }`, map[string]any{"id": cases["other"]}).ok(t)
		var d struct {
			Case struct {
				Parties []struct{ Person struct{ ID string } }
			}
		}
		json.Unmarshal(r.Data, &d)
		if len(d.Case.Parties) != 1 {
			t.Fatalf("U1's parties: %s", r.raw)
		}
		otherSuspect = d.Case.Parties[0].Person.ID
	}

	const caseQ = `query($id: ID!) { case(id: $id) { caseNo title agency { code } } }`
	const listQ = `{ cases(first: 100) { totalCount edges { node { id } } } }`
	const searchQ = `{ search(query: "盗窃", filter: {types: [CASE]}, first: 100) { totalCount hits { id } facets { field values { value count } } } }`
	const personQ = `query($id: ID!) { case(id: $id) { parties { role person { id idNumber cases { case { id } } } } } }`
	const timelineQ = `query($id: ID!) { case(id: $id) { timeline { case { id } } } }`
	const alertsQ = `{ supervisionAlerts(first: 100) { totalCount edges { node { case { id } person { id } } } } }`
	const writeQ = `mutation($id: ID!) { recordDecision(input: {case: $id, kind: "NO_SUCH_DECISION"}) { id } }`
	const personByIDQ = `query($id: ID!) { person(id: $id) { name } }`
	const inboxQ = `{ handoverInbox(status: ACCEPTED) { edges { node { id fromCase { id } } } } }`
	const auditQ = `{ auditEvents(first: 5) { edges { node { seq subject operation outcome cases } } } }`

	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			visible := map[string]bool{}
			for name, want := range row.cases {
				r := gqlAs(t, srv.base, row.c, caseQ, map[string]any{"id": cases[name]})
				got := outcomeOf(r, "case")
				if got != want {
					t.Errorf("case(%s) = %s, want %s: %s", name, got, want, r.raw)
				}
				visible[cases[name]] = want == see
			}
			// The list and its total, and search totals and facets, are those
			// of the visible cases exactly.
			var wantIDs []string
			for _, id := range cases {
				if visible[id] {
					wantIDs = append(wantIDs, id)
				}
			}
			sort.Strings(wantIDs)
			for _, q := range []struct{ name, query, field string }{{"cases", listQ, "cases"}, {"search", searchQ, "search"}} {
				r := gqlAs(t, srv.base, row.c, q.query, nil)
				if row.cases["police"] == deny {
					if got := outcomeOf(r, q.field); got != deny {
						t.Errorf("%s = %s, want FORBIDDEN: %s", q.name, got, r.raw)
					}
					continue
				}
				ids, total, facets := listed(t, r, q.field)
				if strings.Join(ids, ",") != strings.Join(wantIDs, ",") || total != len(wantIDs) {
					t.Errorf("%s: ids %v (total %d), want %v", q.name, ids, total, wantIDs)
				}
				sum := 0
				for _, v := range facets["agency"] {
					sum += v
				}
				if q.name == "search" && sum != len(wantIDs) {
					t.Errorf("search: agency facet counts %v, want %d cases in all", facets["agency"], len(wantIDs))
				}
			}
			// The defendant's identity number: whole with PII, masked without.
			if row.cases["court"] == see {
				r := gqlAs(t, srv.base, row.c, personQ, map[string]any{"id": cases["court"]}).ok(t)
				body := string(r.Data)
				if row.pii != strings.Contains(body, "330203199001011236") || !row.pii && !strings.Contains(body, "330203**********36") {
					t.Errorf("identity number with pii=%v: %s", row.pii, body)
				}
				// A person's history lists only the cases the caller sees.
				for name, id := range cases {
					if !visible[id] && strings.Contains(body, id) {
						t.Errorf("a person's history reveals the %s case: %s", name, body)
					}
				}
				tl := gqlAs(t, srv.base, row.c, timelineQ, map[string]any{"id": cases["police"]}).ok(t)
				if !strings.Contains(string(tl.Data), cases["procur"]) {
					t.Errorf("the lineage's timeline lacks the procuratorate's events: %s", tl.Data)
				}
			}
			// person(id): U1's suspect is seen exactly by those who see U1.
			personRead, err := policy.Allowed(t.Context(), row.c, authz.PersonRead)
			if err != nil {
				t.Fatal(err)
			}
			pr := gqlAs(t, srv.base, row.c, personByIDQ, map[string]any{"id": otherSuspect})
			wantPerson := row.cases["other"]
			if row.cases["other"] == see && !personRead {
				wantPerson = deny
			}
			if row.cases["other"] == deny && personRead {
				wantPerson = null
			}
			if got := outcomeOf(pr, "person"); got != wantPerson {
				t.Errorf("person(U1's suspect) = %s, want %s: %s", got, wantPerson, pr.raw)
			}
			// personNetwork of the lineage's defendant, who knows U1's suspect:
			// that acquaintance appears only to those who see U1.
			if personRead && row.cases["court"] == see {
				nw := gqlAs(t, srv.base, row.c, `query($id: ID!) { personNetwork(id: $id, depth: 2) { nodes { person { id } } links { kind } } }`,
					map[string]any{"id": ingest.IDNumberUID("330203199001011236")}).ok(t)
				if strings.Contains(string(nw.Data), otherSuspect) != (row.cases["other"] == see) {
					t.Errorf("personNetwork and U1's suspect (sees U1: %v): %s", row.cases["other"] == see, nw.Data)
				}
			}
			// The trend aggregate of 2024 (every test case is filed then)
			// counts exactly the visible cases, or is refused.
			statsOK, err := policy.Allowed(t.Context(), row.c, authz.StatsRead)
			if err != nil {
				t.Fatal(err)
			}
			tr := gqlAs(t, srv.base, row.c, `{ crimeTrend(filter: {from: "2024-01-01", to: "2024-12-31"}, interval: YEAR) { periods { groups { count suppressed } } } }`, nil)
			if got := outcomeOf(tr, "crimeTrend"); (got == deny) == statsOK {
				t.Errorf("crimeTrend: %s, may read %v: %s", got, statsOK, tr.raw)
			} else if statsOK {
				var d struct {
					CrimeTrend struct {
						Periods []struct {
							Groups []struct {
								Count      *int
								Suppressed bool
							}
						}
					}
				}
				json.Unmarshal(tr.Data, &d)
				want := len(wantIDs)
				if row.cases["police"] == deny { // the supervisor: every case of the region's scope
					want = 5
				}
				if len(d.CrimeTrend.Periods) != 1 || len(d.CrimeTrend.Periods[0].Groups) != 1 || d.CrimeTrend.Periods[0].Groups[0].Count == nil ||
					*d.CrimeTrend.Periods[0].Groups[0].Count != want {
					t.Errorf("crimeTrend of 2024: %s, want %d cases", tr.Data, want)
				}
			}
			// The inbox: the handovers addressed to the caller's agency.
			in := gqlAs(t, srv.base, row.c, inboxQ, nil)
			switch got := outcomeOf(in, "handoverInbox"); {
			case row.cases["police"] == deny && got != deny:
				t.Errorf("handoverInbox = %s, want FORBIDDEN: %s", got, in.raw)
			case row.cases["police"] != deny && got == deny:
				t.Errorf("handoverInbox refused: %s", in.raw)
			case row.c.Agency == "T-JC" && !strings.Contains(string(in.Data), cases["police"]):
				t.Errorf("the procuratorate's inbox lacks the police case's handover: %s", in.raw)
			case row.c.Agency == "U-GA" && strings.Contains(string(in.Data), `"node"`):
				t.Errorf("the unrelated station's inbox is not empty: %s", in.raw)
			}
			// A mutation: refused by policy (FORBIDDEN) or let through to the
			// procedure, which refuses the unknown decision (nothing changes).
			w := gqlAs(t, srv.base, row.c, writeQ, map[string]any{"id": cases["pending"]})
			if got := outcomeOf(w, "recordDecision"); (got == deny) == row.write {
				t.Errorf("mutation: %s, may write %v: %s", got, row.write, w.raw)
			}
			a := gqlAs(t, srv.base, row.c, alertsQ, nil)
			if got := outcomeOf(a, "supervisionAlerts"); (got == deny) == row.alerts {
				t.Errorf("alerts: %s, may read %v: %s", got, row.alerts, a.raw)
			} else if row.alerts {
				for name, id := range cases {
					if row.cases[name] == null && strings.Contains(string(a.Data), id) {
						t.Errorf("alerts reveal the %s case: %s", name, a.Data)
					}
				}
				if strings.Contains(string(a.Data), cases["sealed"]) {
					t.Errorf("alerts reveal the sealed case")
				}
				// Without the person permission, no alert names a person.
				if row.c.Roles[0] == authz.RoleSupervisor && strings.Contains(string(a.Data), `"person":{`) {
					t.Errorf("the supervisor's alerts name persons: %s", a.Data)
				}
			}
			au := gqlAs(t, srv.base, row.c, auditQ, nil)
			if got := outcomeOf(au, "auditEvents"); (got == deny) == row.audit {
				t.Errorf("auditEvents: %s, may read %v: %s", got, row.audit, au.raw)
			}
			req, _ := http.NewRequest(http.MethodGet, srv.base+"/api/ingest/"+accepted.Job, nil)
			req.Header.Set("Authorization", "Bearer "+mint(row.c))
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if (res.StatusCode == http.StatusOK) != row.ingest || (!row.ingest && res.StatusCode != http.StatusForbidden) {
				t.Errorf("ingest job state: %d, may read %v", res.StatusCode, row.ingest)
			}
		})
	}

	t.Run("unsealing", func(t *testing.T) {
		// Only with the permission and a reason; the reason is audited.
		r := gqlHeaders(t, srv.base, legal, reason, caseQ, map[string]any{"id": cases["sealed"]}).ok(t)
		if outcomeOf(r, "case") != see {
			t.Errorf("the legal officer with a reason: %s", r.raw)
		}
		inv := user("inv@T-GA", "T-GA", authz.RolePoliceInvestigator, "330203")
		body, _ := json.Marshal(map[string]any{"query": caseQ, "variables": map[string]any{"id": cases["sealed"]}})
		req, _ := http.NewRequest(http.MethodPost, srv.base+"/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+mint(inv))
		req.Header.Set(reason[0], reason[1])
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("an investigator's reason: %d, want 403", res.StatusCode)
		}
	})

	t.Run("audit", func(t *testing.T) {
		aud := user("aud", "", authz.RoleAuditor, "")
		r := gqlAs(t, srv.base, aud, `query($s: String!) { auditEvents(filter: {subject: $s}, first: 100) { edges { node { action reason cases outcome } } } }`,
			map[string]any{"s": legal.Subject}).ok(t)
		var d struct {
			AuditEvents struct {
				Edges []struct {
					Node struct {
						Action, Reason, Outcome string
						Cases                   []string
					}
				}
			}
		}
		json.Unmarshal(r.Data, &d)
		unsealed, denied := false, false
		for _, e := range d.AuditEvents.Edges {
			if e.Node.Action == "UNSEAL" && e.Node.Reason == reason[1] && contains(e.Node.Cases, cases["sealed"]) {
				unsealed = true
			}
			denied = denied || e.Node.Outcome == "DENIED"
		}
		if !unsealed || !denied {
			t.Errorf("the legal officer's events lack the unsealing with its reason or a denied operation: %s", r.Data)
		}
		// The chain verifies; one edited line is found, by line.
		path := filepath.Join(dataDir, "audit", "audit.log")
		out, err := exec.Command(binary, "audit", "verify", "--file", path).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "hash chain intact") {
			t.Fatalf("audit verify: %v\n%s", err, out)
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitAfter(string(raw), "\n")
		lines[2] = strings.Replace(lines[2], `"outcome":"OK"`, `"outcome":"ERROR"`, 1)
		tampered := filepath.Join(t.TempDir(), "audit.log")
		os.WriteFile(tampered, []byte(strings.Join(lines, "")), 0o600)
		out, err = exec.Command(binary, "audit", "verify", "--file", tampered).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "line 3") || !strings.Contains(string(out), "EDITED") {
			t.Errorf("audit verify of an edited log: %v\n%s", err, out)
		}
	})
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// gqlHeaders is gqlAs with extra headers (pairs).
func gqlHeaders(t *testing.T, base string, c casegraph.Caller, hdr []string, query string, vars map[string]any) gqlResult {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, base+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+mint(c))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r gqlResult
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatalf("%d: not JSON: %v", resp.StatusCode, err)
	}
	r.raw, _ = json.Marshal(r)
	return r
}

// outcomeOf says what a query answered for its top-level field: SEE (a
// value), NULL (null without error) or the code of an error on the field
// itself (errors on fields inside it, such as a FORBIDDEN person of an
// alert, leave the field SEE).
func outcomeOf(r gqlResult, field string) string {
	for _, e := range r.Errors {
		if len(e.Path) > 1 {
			continue
		}
		if c, ok := e.Extensions["code"].(string); ok {
			return c
		}
		return "ERROR: " + e.Message
	}
	var d map[string]json.RawMessage
	json.Unmarshal(r.Data, &d)
	if v, ok := d[field]; !ok || string(v) == "null" {
		return "NULL"
	}
	return "SEE"
}

// listed reads the ids, total and facets of a cases or search answer.
func listed(t *testing.T, r gqlResult, field string) ([]string, int, map[string][]int) {
	t.Helper()
	if len(r.Errors) > 0 {
		t.Fatalf("%s: %s", field, r.raw)
	}
	var d map[string]struct {
		TotalCount int
		Edges      []struct{ Node struct{ ID string } }
		Hits       []struct{ ID string }
		Facets     []struct {
			Field  string
			Values []struct {
				Value string
				Count int
			}
		}
	}
	if err := json.Unmarshal(r.Data, &d); err != nil {
		t.Fatal(err)
	}
	v := d[field]
	var ids []string
	for _, e := range v.Edges {
		ids = append(ids, e.Node.ID)
	}
	for _, h := range v.Hits {
		ids = append(ids, h.ID)
	}
	sort.Strings(ids)
	facets := map[string][]int{}
	for _, f := range v.Facets {
		for _, x := range f.Values {
			facets[f.Field] = append(facets[f.Field], x.Count)
		}
	}
	return ids, v.TotalCount, facets
}

// authorizerForTest is the embedded policy with the test agencies' kinds.
func authorizerForTest() *authz.Authorizer {
	a, err := authz.NewAuthorizer("", "", func(_ context.Context, code string) (string, error) {
		switch {
		case strings.HasSuffix(code, "-GA"):
			return "POLICE", nil
		case strings.HasSuffix(code, "-JC"):
			return "PROCURATORATE", nil
		case strings.HasSuffix(code, "-FY"):
			return "COURT", nil
		}
		return "", nil
	})
	if err != nil {
		panic(err)
	}
	return a
}
