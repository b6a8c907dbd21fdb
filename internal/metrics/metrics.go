// Package metrics is casegraph's Prometheus instrumentation: one registry of
// its own (not the global default), the collectors on it, and the methods
// through which the other packages report what happened. The packages that
// report declare the small interfaces they need (neo4jdb.QueryObserver,
// ingest.RecordCounter, audit.FailureCounter, searchsync.LagGauge,
// server.HTTPObserver); *Metrics satisfies them all, and cmd/casegraph wires
// it in. The GraphQL handler extension is here too (GraphQL).
//
// Labels carry only values bounded by the program: route patterns, schema
// field names, error codes, fixed outcome words. Never a person, a case, an
// id or anything a client chose (operation names, aliases, raw paths).
package metrics

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every casegraph metric.
const Namespace = "casegraph"

// latencyBuckets (seconds) span a cached lookup to a slow analytics query.
var latencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Metrics holds the registry and the collectors on it.
type Metrics struct {
	reg *prometheus.Registry

	gqlRequests    *prometheus.CounterVec
	gqlDuration    *prometheus.HistogramVec
	httpRequests   *prometheus.CounterVec
	httpDuration   *prometheus.HistogramVec
	neo4jDuration  *prometheus.HistogramVec
	ingestAccepted prometheus.Counter
	ingestRefused  *prometheus.CounterVec
	indexLag       prometheus.Gauge
	indexCaughtUp  prometheus.Gauge
	auditFailures  *prometheus.CounterVec
}

// New returns the metrics of one casegraph process on a registry of their
// own, with the Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	f := func(c prometheus.Collector) { reg.MustRegister(c) }
	m := &Metrics{reg: reg}
	m.gqlRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Subsystem: "graphql", Name: "requests_total",
		Help: "GraphQL operations by operation (type:top-level field, e.g. query:search; an operation with several top-level fields counts once under each) and outcome (ok or the error code).",
	}, []string{"operation", "outcome"})
	m.gqlDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Subsystem: "graphql", Name: "request_duration_seconds",
		Help:    "Time from reading a GraphQL request to its response, by operation and outcome.",
		Buckets: latencyBuckets,
	}, []string{"operation", "outcome"})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Subsystem: "http", Name: "requests_total",
		Help: "HTTP requests by route pattern, method and status code.",
	}, []string{"route", "method", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Subsystem: "http", Name: "request_duration_seconds",
		Help:    "HTTP request latency by route pattern and method.",
		Buckets: latencyBuckets,
	}, []string{"route", "method"})
	m.neo4jDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: Namespace, Subsystem: "neo4j", Name: "query_duration_seconds",
		Help:    "Neo4j managed transactions (one query, or one ingest batch), including the driver's retries, by mode (read, write) and outcome (ok, unavailable, conflict, canceled, timeout, error).",
		Buckets: latencyBuckets,
	}, []string{"mode", "outcome"})
	m.ingestAccepted = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: Namespace, Subsystem: "ingest", Name: "records_accepted_total",
		Help: "Ingest records accepted (written, or valid in a dry run).",
	})
	m.ingestRefused = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Subsystem: "ingest", Name: "records_refused_total",
		Help: "Ingest records refused, by reason: decode (unreadable line), invalid (failed validation), graph (refused by Neo4j).",
	}, []string{"reason"})
	m.indexLag = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Subsystem: "search", Name: "index_lag_seconds",
		Help: "How far the search index is behind the graph: the newest case updatedAt in the graph less the newest change the index is known to hold, measured after each catch-up.",
	})
	m.indexCaughtUp = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: Namespace, Subsystem: "search", Name: "last_catchup_timestamp_seconds",
		Help: "Unix time of the last successful catch-up (or rebuild) of the search index.",
	})
	m.auditFailures = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: Namespace, Subsystem: "audit", Name: "write_failures_total",
		Help: "Audit events that could not be written, by reason: write (write or fsync failed), refused (the log failed earlier), closed.",
	}, []string{"reason"})
	f(m.gqlRequests)
	f(m.gqlDuration)
	f(m.httpRequests)
	f(m.httpDuration)
	f(m.neo4jDuration)
	f(m.ingestAccepted)
	f(m.ingestRefused)
	f(m.indexLag)
	f(m.indexCaughtUp)
	f(m.auditFailures)
	f(collectors.NewGoCollector())
	f(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Registry is the registry the metrics are on (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, MaxRequestsInFlight: 4})
}

// ObserveGraphQL counts one top-level field of a GraphQL operation.
func (m *Metrics) ObserveGraphQL(operation, outcome string, d time.Duration) {
	m.gqlRequests.WithLabelValues(operation, outcome).Inc()
	m.gqlDuration.WithLabelValues(operation, outcome).Observe(d.Seconds())
}

// ObserveHTTP counts one HTTP request; route is the router's pattern
// ("/graphql", "/api/ingest/*"), never the raw path.
func (m *Metrics) ObserveHTTP(route, method string, code int, d time.Duration) {
	method = boundedMethod(method)
	m.httpRequests.WithLabelValues(route, method, strconv.Itoa(code)).Inc()
	m.httpDuration.WithLabelValues(route, method).Observe(d.Seconds())
}

// boundedMethod keeps the method label to the standard methods: the method
// is the client's choice.
func boundedMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return m
	}
	return "OTHER"
}

// ObserveQuery times one Neo4j transaction (neo4jdb.QueryObserver).
func (m *Metrics) ObserveQuery(mode, outcome string, d time.Duration) {
	m.neo4jDuration.WithLabelValues(mode, outcome).Observe(d.Seconds())
}

// RecordsAccepted counts accepted ingest records (ingest.RecordCounter).
func (m *Metrics) RecordsAccepted(n int) { m.ingestAccepted.Add(float64(n)) }

// RecordRefused counts one refused ingest record (ingest.RecordCounter).
func (m *Metrics) RecordRefused(reason string) { m.ingestRefused.WithLabelValues(reason).Inc() }

// SetIndexLag sets the search index's lag (searchsync.LagGauge).
func (m *Metrics) SetIndexLag(d time.Duration) { m.indexLag.Set(max(d, 0).Seconds()) }

// IndexCaughtUp records a successful catch-up (searchsync.LagGauge).
func (m *Metrics) IndexCaughtUp(at time.Time) { m.indexCaughtUp.Set(float64(at.UnixNano()) / 1e9) }

// AuditWriteFailed counts one audit event not written (audit.FailureCounter).
func (m *Metrics) AuditWriteFailed(reason string) { m.auditFailures.WithLabelValues(reason).Inc() }
