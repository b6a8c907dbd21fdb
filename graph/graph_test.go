package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/neo4jtest"
)

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func post(t *testing.T, h http.Handler, query string, vars map[string]any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("response is not JSON: %v\n%s", err, rec.Body.String())
	}
	return resp
}

// manyCases writes n police cases of one agency, each with two parties.
func manyCases(t *testing.T, db *neo4jdb.DB, p string, n int) {
	t.Helper()
	g := neo4jdb.Graph{Agencies: []casegraph.Agency{{Code: p + "A", Name: "测试分局", Kind: casegraph.AgencyPolice}}}
	for i := 0; i < n; i++ {
		filed := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i)
		c := casegraph.Case{UID: fmt.Sprintf("%sc%03d", p, i), AgencyCode: p + "A", CaseNo: fmt.Sprintf("N%03d", i),
			Kind: casegraph.CasePolice, Stage: casegraph.StageInvestigating, FiledAt: &filed}
		g.Cases = append(g.Cases, c)
		for j, role := range []casegraph.Role{casegraph.RoleSuspect, casegraph.RoleVictim} {
			person := casegraph.Person{UID: fmt.Sprintf("%sp%03d-%d", p, i, j), Name: fmt.Sprintf("人%d", i)}
			g.Persons = append(g.Persons, person)
			g.Parties = append(g.Parties, neo4jdb.PartyRef{CaseUID: c.UID, PersonUID: person.UID, Role: role})
		}
	}
	if err := db.WriteGraph(context.Background(), g); err != nil {
		t.Fatal(err)
	}
}

const pageQuery = `query($agency: String!, $first: Int!) {
  cases(filter: {agency: $agency}, first: $first) {
    edges { node { id caseNo agency { code name } parties { role person { id name } } offenses { name } transferredTo { case { id } } } }
    pageInfo { hasNextPage endCursor }
  }
}`

// TestRoundTripsDoNotGrowWithPageSize proves the dataloaders: a page of 10
// and a page of 100 cases, with agencies, parties, offenses and transfers,
// cost the same small number of Neo4j queries.
func TestRoundTripsDoNotGrowWithPageSize(t *testing.T) {
	db := neo4jtest.Open(t)
	p := neo4jtest.Prefix(t, db)
	manyCases(t, db, p, 120)
	h := as(t, newHandler(t, db, graph.Options{}), admin)

	queries := map[int]int64{}
	for _, n := range []int{10, 100} {
		before := db.QueryCount()
		resp := post(t, h, pageQuery, map[string]any{"agency": p + "A", "first": n})
		queries[n] = db.QueryCount() - before
		if len(resp.Errors) > 0 {
			t.Fatalf("errors: %+v", resp.Errors)
		}
		var data struct {
			Cases struct {
				Edges []struct {
					Node struct {
						Agency  struct{ Code string }
						Parties []struct{ Role string }
					}
				}
			}
		}
		if err := json.Unmarshal(resp.Data, &data); err != nil {
			t.Fatal(err)
		}
		if len(data.Cases.Edges) != n {
			t.Fatalf("first %d: got %d cases", n, len(data.Cases.Edges))
		}
		for _, e := range data.Cases.Edges {
			if e.Node.Agency.Code != p+"A" || len(e.Node.Parties) != 2 {
				t.Fatalf("case incomplete: %+v", e.Node)
			}
		}
	}
	// One query for the page, one each for agencies, parties, offenses and
	// transfers.
	if queries[10] != 5 || queries[100] != 5 {
		t.Errorf("Neo4j queries: %d for 10 cases, %d for 100; want 5 and 5", queries[10], queries[100])
	}
}

// TestLimitsRefuseBeforeNeo4j shows that over-deep and over-complex queries
// are refused with a message before any query reaches Neo4j.
func TestLimitsRefuseBeforeNeo4j(t *testing.T) {
	db := neo4jtest.Open(t)
	h := as(t, newHandler(t, db, graph.Options{}), admin)
	tests := []struct{ name, query, code string }{
		{"deep", `{ cases { edges { node { transferredTo { case { transferredTo { case { transferredTo { case { transferredTo { case { parties { person { id } } } } } } } } } } } } } }`, "DEPTH_LIMIT_EXCEEDED"},
		{"complex", `{ cases(first: 100) { edges { node { parties { person { cases { case { parties { person { name } } } } } } } } } }`, "COMPLEXITY_LIMIT_EXCEEDED"},
		// Found by schemathesis: 13 s of Neo4j before timelines and repeat
		// offenders counted as lists.
		{"timelines", `{ repeatOffenders { cases { timeline { case { timeline { toCase { parties { role } timeline { case { sealed } toCase { sealed } } procedure { supplementaryRounds } } } } } } } }`, "COMPLEXITY_LIMIT_EXCEEDED"},
		{"deep through fragments", `{ cases { ...A } } fragment A on CaseConnection { edges { node { ...B } } } fragment B on Case { transferredTo { case { transferredTo { case { transferredTo { case { transferredTo { case { transferredTo { case { id } } } } } } } } } } }`, "DEPTH_LIMIT_EXCEEDED"},
	}
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range graph.MaxAliases + 1 {
		fmt.Fprintf(&aliases, " a%d: agencies { code }", i)
	}
	aliases.WriteString(" }")
	tests = append(tests, struct{ name, query, code string }{"aliases", aliases.String(), "ALIAS_LIMIT_EXCEEDED"})
	// graphql-cop's field-duplication and directive-overloading probes.
	tests = append(tests,
		struct{ name, query, code string }{"repeated field", "{ " + strings.Repeat("__typename ", 500) + "}", "FIELD_REPEAT_LIMIT_EXCEEDED"},
		struct{ name, query, code string }{"repeated through fragments",
			"{ agencies { ...A ...B ...C } } fragment A on Agency { " + strings.Repeat("code ", 8) + "} fragment B on Agency { ...A } fragment C on Agency { ...A ...B }",
			"FIELD_REPEAT_LIMIT_EXCEEDED"},
		struct{ name, query, code string }{"directive overloading", "{ __typename " + strings.Repeat("@aa", 10) + " }", "DIRECTIVE_LIMIT_EXCEEDED"},
		struct{ name, query, code string }{"too many tokens", "{ " + strings.Repeat("agencies { code } ", graph.MaxTokens/4) + "}", "GRAPHQL_PARSE_FAILED"})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := db.QueryCount()
			resp := post(t, h, tt.query, nil)
			if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != tt.code {
				t.Fatalf("errors = %+v, want one %s", resp.Errors, tt.code)
			}
			if n := db.QueryCount() - before; n != 0 {
				t.Errorf("%d queries reached Neo4j", n)
			}
		})
	}
}

func TestIntrospectionOffIsForbidden(t *testing.T) {
	db := neo4jtest.Open(t)
	h := as(t, newHandler(t, db, graph.Options{Introspection: false}), admin)
	for _, q := range []string{`{ __schema { types { name } } }`, `{ __type(name: "Case") { name } }`} {
		resp := post(t, h, q, nil)
		if len(resp.Errors) != 1 || resp.Errors[0].Extensions["code"] != "FORBIDDEN" {
			t.Errorf("%s: errors = %+v, want one FORBIDDEN", q, resp.Errors)
		}
	}
	// Nor do validation errors suggest field names.
	resp := post(t, h, `{ cases(first: 1) { edges { node { titel } } } }`, nil)
	if len(resp.Errors) == 0 || strings.Contains(resp.Errors[0].Message, "Did you mean") || strings.Contains(resp.Errors[0].Message, `"title"`) {
		t.Errorf("misspelled field without introspection: errors = %+v, want no suggestion", resp.Errors)
	}
	// With introspection on, suggestions help the developer.
	h = as(t, newHandler(t, db, graph.Options{Introspection: true}), admin)
	resp = post(t, h, `{ cases(first: 1) { edges { node { titel } } } }`, nil)
	if len(resp.Errors) == 0 || !strings.Contains(resp.Errors[0].Message, "Did you mean") {
		t.Errorf("misspelled field with introspection: errors = %+v, want a suggestion", resp.Errors)
	}
}
