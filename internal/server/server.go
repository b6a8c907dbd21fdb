// Package server is casegraph's HTTP front: the chi router, its middleware
// (request id, logging, panic recovery, body limits), health and readiness,
// the GraphQL endpoint and the GraphiQL page.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/server/graphiql"
)

// Readiness says whether the service can serve: nil, or an error whose
// message says why not.
type Readiness func(ctx context.Context) error

// Options are the parts the router serves.
type Options struct {
	GraphQL http.Handler // POST /graphql
	Ingest  http.Handler // /api/ingest (nil: not served)
	// Reindex rebuilds the search index and swaps it in (POST
	// /api/search/reindex; nil: not served).
	Reindex func(ctx context.Context) (documents int, err error)
	Ready   Readiness // GET /readyz
	Log     *slog.Logger
	// MaxBodyBytes bounds a GraphQL request body.
	MaxBodyBytes int64
	// Verifier checks bearer tokens and Authorizer answers permissions:
	// every endpoint but /healthz, /readyz and the GraphiQL page needs a
	// token. Both are required.
	Verifier   *authz.Verifier
	Authorizer *authz.Authorizer
	// RatePerMinute limits each subject's requests (0: 600).
	RatePerMinute int
	// GraphiQL serves the GraphiQL page at /graphiql.
	GraphiQL bool
	// Metrics, when set, is told of every request (internal/metrics).
	Metrics HTTPObserver
}

// HTTPObserver is told of each request: the route pattern that matched
// ("/graphql", "/api/ingest/*"; "unmatched" when none did), the method, the
// status and the time taken. A route pattern, unlike the path, cannot carry
// an id or a name.
type HTTPObserver interface {
	ObserveHTTP(route, method string, code int, d time.Duration)
}

// NewRouter returns the HTTP handler of casegraph.
func NewRouter(o Options) http.Handler {
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	r := chi.NewRouter()
	if o.RatePerMinute == 0 {
		o.RatePerMinute = 600
	}
	r.Use(requestID, accessLog(o.Log, o.Metrics), recoverer(o.Log))
	// Everything below needs a verified token; the rate limit counts per
	// subject.
	authed := chi.Chain(authz.Authenticate(o.Verifier, o.Authorizer, o.Log), authz.RateLimit(o.RatePerMinute, time.Minute))
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if err := o.Ready(ctx); err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	r.With(authed...).With(middleware.RequestSize(o.MaxBodyBytes), middleware.AllowContentType("application/json")).
		Post("/graphql", o.GraphQL.ServeHTTP)
	if o.GraphiQL {
		r.Mount("/graphiql", graphiql.Handler("/graphql"))
	}
	if o.Ingest != nil {
		r.With(authed...).With(ingestGuard(o.Authorizer)).Mount("/api/ingest", o.Ingest)
	}
	if o.Reindex != nil {
		r.With(authed...).With(authz.Require(o.Authorizer, authz.IndexRebuild)).Post("/api/search/reindex", func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			n, err := o.Reindex(r.Context())
			if err != nil {
				o.Log.ErrorContext(r.Context(), "reindex failed", "err", err)
				writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "reindex failed; the live index is unchanged (see the server log, request " + casegraph.RequestID(r.Context()) + ")"})
				return
			}
			writeJSON(w, http.StatusOK, map[string]any{"documents": n, "seconds": time.Since(start).Seconds()})
		})
	}
	if o.GraphiQL {
		r.Get("/", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/graphiql", http.StatusFound)
		})
	}
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found"})
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
	})
	return r
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// requestID takes the caller's X-Request-Id when it is sane, else makes one,
// puts it in the context and echoes it in the response.
func requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || !printable(id) {
			var b [8]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		ctx := casegraph.WithClientAddr(casegraph.WithRequestID(r.Context(), id), r.RemoteAddr)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// ingestGuard checks the ingest endpoint's operations: submitting a job
// needs ingest/write, reading a job's state job/read.
func ingestGuard(a *authz.Authorizer) func(http.Handler) http.Handler {
	write, read := authz.Require(a, authz.IngestWrite), authz.Require(a, authz.JobRead)
	return func(next http.Handler) http.Handler {
		w, rd := write(next), read(next)
		return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				rd.ServeHTTP(rw, r)
				return
			}
			w.ServeHTTP(rw, r)
		})
	}
}

func printable(s string) bool {
	for _, c := range s {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// accessLog logs one line per request, with its request id, and reports it
// to the metrics.
func accessLog(log *slog.Logger, obs HTTPObserver) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
			start := time.Now()
			next.ServeHTTP(ww, r)
			d := time.Since(start)
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK // nothing written: net/http answers 200
			}
			route := routePattern(r)
			log.InfoContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "route", route,
				"status", status, "bytes", ww.BytesWritten(), "duration", d)
			if obs != nil {
				obs.ObserveHTTP(route, r.Method, status, d)
			}
		})
	}
}

// routePattern is the pattern of the route that served r, once it has been
// served; "unmatched" for a request no route took (404, 405).
func routePattern(r *http.Request) string {
	rc := chi.RouteContext(r.Context())
	if rc == nil {
		return "unmatched"
	}
	p := rc.RoutePattern()
	if p == "" {
		return "unmatched"
	}
	return p
}

// recoverer turns a handler's panic into a 500 with no details, logging the
// stack with the request id.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if p := recover(); p != nil {
					if p == http.ErrAbortHandler {
						panic(p)
					}
					log.ErrorContext(r.Context(), "panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
					writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "internal error", "requestId": casegraph.RequestID(r.Context())})
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// Serve serves h on ln until ctx is done, then shuts down gracefully, giving
// requests in flight up to grace to finish.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.InfoContext(ctx, "shutting down", "grace", grace)
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
