package metrics_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/casegraph/casegraph/internal/audit"
	"github.com/casegraph/casegraph/internal/ingest"
	"github.com/casegraph/casegraph/internal/metrics"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/searchsync"
	"github.com/casegraph/casegraph/internal/server"
)

// The interfaces the reporting packages declare are all met by *Metrics.
var (
	_ neo4jdb.QueryObserver    = (*metrics.Metrics)(nil)
	_ ingest.RecordCounter     = (*metrics.Metrics)(nil)
	_ audit.FailureCounter     = (*metrics.Metrics)(nil)
	_ searchsync.LagGauge      = (*metrics.Metrics)(nil)
	_ server.HTTPObserver      = (*metrics.Metrics)(nil)
	_ graphql.HandlerExtension = (*metrics.Metrics)(nil).GraphQL()
)

var testSchema = gqlparser.MustLoadSchema(&ast.Source{Name: "test.graphql", Input: `
type Query { search: String cases: String broken: String odd: String refused: String gone: String }
type Mutation { handover: String }
`})

// fakeExec answers every top-level field with null, and some with an error:
// broken is UNAVAILABLE, handover FORBIDDEN, gone CANCELED (the client hung
// up), odd has a code that is not one.
func fakeExec(ctx context.Context) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	root := "Query"
	if oc.Operation.Operation == ast.Mutation {
		root = "Mutation"
	}
	data := map[string]any{}
	var errs gqlerror.List
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{root}) {
		data[f.Alias] = nil
		code := map[string]string{"broken": "UNAVAILABLE", "handover": "FORBIDDEN", "gone": "CANCELED", "odd": "not a code: 330203199001011234"}[f.Name]
		if code != "" {
			errs = append(errs, &gqlerror.Error{Message: "no", Path: ast.Path{ast.PathName(f.Alias)}, Extensions: map[string]any{"code": code}})
		}
	}
	b, _ := json.Marshal(data)
	return graphql.OneShot(&graphql.Response{Data: b, Errors: errs})
}

// refuseLimit refuses operations selecting "refused" the way the complexity
// and depth limits do: before they run, through gqlgen's error path.
type refuseLimit struct{}

func (refuseLimit) ExtensionName() string                   { return "RefuseLimit" }
func (refuseLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (refuseLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	for _, sel := range oc.Operation.SelectionSet {
		if f, ok := sel.(*ast.Field); ok && f.Name == "refused" {
			return &gqlerror.Error{Message: "too complex", Extensions: map[string]any{"code": "COMPLEXITY_LIMIT_EXCEEDED"}}
		}
	}
	return nil
}

// withholder answers mutations with an error of its own without running
// them, as the audit extension does when the log cannot be written.
type withholder struct{}

func (withholder) ExtensionName() string                   { return "Withholder" }
func (withholder) Validate(graphql.ExecutableSchema) error { return nil }
func (withholder) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if graphql.GetOperationContext(ctx).OperationName == "Withheld" {
		return graphql.OneShot(graphql.ErrorResponse(ctx, "the audit log cannot be written"))
	}
	return next(ctx)
}

func newGraphQL(m *metrics.Metrics) http.Handler {
	srv := handler.New(&graphql.ExecutableSchemaMock{
		SchemaFunc:     func() *ast.Schema { return testSchema },
		ExecFunc:       fakeExec,
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) { return 1, true },
	})
	srv.AddTransport(transport.POST{})
	srv.Use(m.GraphQL())
	srv.Use(refuseLimit{})
	srv.Use(withholder{})
	return srv
}

func post(t *testing.T, h http.Handler, query, opName string) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "operationName": opName})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
}

func TestGraphQLOperations(t *testing.T) {
	m := metrics.New()
	h := newGraphQL(m)
	post(t, h, `{ search }`, "")
	post(t, h, `query Person330203199001011234 { a: search b: search x: cases }`, "Person330203199001011234")
	post(t, h, `{ search broken }`, "")
	post(t, h, `query { ...F } fragment F on Query { odd }`, "")
	post(t, h, `mutation { handover }`, "")
	post(t, h, `mutation Withheld { handover }`, "Withheld")
	post(t, h, `{ search refused }`, "")
	post(t, h, `{ search `, "")
	post(t, h, `{ zhangsan330203199001011234 }`, "")
	post(t, h, `{ gone }`, "")

	want := map[string]float64{
		"query:search ok":                         3,
		"query:cases ok":                          1,
		"query:broken UNAVAILABLE":                1,
		"query:gone CANCELED":                     1,
		"query:odd ERROR":                         1,
		"mutation:handover FORBIDDEN":             1,
		"mutation:handover ERROR":                 1,
		"query:search COMPLEXITY_LIMIT_EXCEEDED":  1,
		"query:refused COMPLEXITY_LIMIT_EXCEEDED": 1,
		"invalid GRAPHQL_PARSE_FAILED":            1,
		"invalid GRAPHQL_VALIDATION_FAILED":       1,
	}
	got := gather(t, m, "casegraph_graphql_requests_total", "operation", "outcome")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("casegraph_graphql_requests_total (-want +got):\n%s", diff)
	}
	// One latency sample per count.
	durations := gatherCounts(t, m, "casegraph_graphql_request_duration_seconds", "operation", "outcome")
	if diff := cmp.Diff(want, durations); diff != "" {
		t.Errorf("casegraph_graphql_request_duration_seconds counts (-want +got):\n%s", diff)
	}
	// Nothing a client chose reaches the exposition.
	out := scrape(t, m)
	for _, leak := range []string{"330203199001011234", "Person", "zhangsan", `"a"`} {
		if strings.Contains(out, leak) {
			t.Errorf("/metrics carries %q", leak)
		}
	}
}

func TestReporters(t *testing.T) {
	m := metrics.New()
	m.ObserveQuery("read", "ok", 3*time.Millisecond)
	m.ObserveQuery("read", "ok", 4*time.Millisecond)
	m.ObserveQuery("write", "unavailable", time.Second)
	m.RecordsAccepted(40)
	m.RecordsAccepted(2)
	m.RecordRefused(ingest.RefusedInvalid)
	m.RecordRefused(ingest.RefusedInvalid)
	m.RecordRefused(ingest.RefusedGraph)
	m.AuditWriteFailed("write")
	m.SetIndexLag(90 * time.Second)
	m.ObserveHTTP("/graphql", "POST", 200, time.Millisecond)
	m.ObserveHTTP("/graphql", "FROBNICATE", 405, time.Millisecond)

	if diff := cmp.Diff(map[string]float64{"read ok": 2, "write unavailable": 1},
		gatherCounts(t, m, "casegraph_neo4j_query_duration_seconds", "mode", "outcome")); diff != "" {
		t.Errorf("neo4j (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]float64{"invalid": 2, "graph": 1},
		gather(t, m, "casegraph_ingest_records_refused_total", "reason")); diff != "" {
		t.Errorf("refused (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]float64{"/graphql POST 200": 1, "/graphql OTHER 405": 1},
		gather(t, m, "casegraph_http_requests_total", "route", "method", "code")); diff != "" {
		t.Errorf("http (-want +got):\n%s", diff)
	}
	out := scrape(t, m)
	for _, line := range []string{
		"casegraph_ingest_records_accepted_total 42",
		`casegraph_audit_write_failures_total{reason="write"} 1`,
		"casegraph_search_index_lag_seconds 90",
		"go_goroutines ",
		"process_start_time_seconds ",
	} {
		if !strings.Contains(out, "\n"+line) {
			t.Errorf("/metrics lacks %q", line)
		}
	}
	m.SetIndexLag(-time.Second)
	if got := gather(t, m, "casegraph_search_index_lag_seconds"); got[""] != 0 {
		t.Errorf("negative lag reported as %v, want 0", got[""])
	}
}

// TestRegistryOfItsOwn: two Metrics do not share counters (no global
// registry), and the default registry stays untouched.
func TestRegistryOfItsOwn(t *testing.T) {
	a, b := metrics.New(), metrics.New()
	a.RecordsAccepted(5)
	if got := gather(t, b, "casegraph_ingest_records_accepted_total"); got[""] != 0 {
		t.Errorf("second registry sees %v accepted", got[""])
	}
	fams, err := prometheus.DefaultGatherer.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if strings.HasPrefix(f.GetName(), "casegraph_") {
			t.Errorf("%s is on the default registry", f.GetName())
		}
	}
}

// gather returns the values of a counter or gauge family by its labels
// joined with spaces.
func gather(t *testing.T, m *metrics.Metrics, name string, labels ...string) map[string]float64 {
	t.Helper()
	return collect(t, m, name, labels, false)
}

// gatherCounts returns the sample counts of a histogram family.
func gatherCounts(t *testing.T, m *metrics.Metrics, name string, labels ...string) map[string]float64 {
	t.Helper()
	return collect(t, m, name, labels, true)
}

func collect(t *testing.T, m *metrics.Metrics, name string, labels []string, counts bool) map[string]float64 {
	t.Helper()
	fams, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
		for _, s := range f.GetMetric() {
			lv := map[string]string{}
			for _, l := range s.GetLabel() {
				lv[l.GetName()] = l.GetValue()
			}
			var key []string
			for _, l := range labels {
				key = append(key, lv[l])
			}
			var v float64
			switch {
			case counts:
				v = float64(s.GetHistogram().GetSampleCount())
			case s.Counter != nil:
				v = s.GetCounter().GetValue()
			default:
				v = s.GetGauge().GetValue()
			}
			out[strings.Join(key, " ")] = v
		}
	}
	return out
}

func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	b, _ := io.ReadAll(rec.Body)
	return "\n" + string(b)
}
