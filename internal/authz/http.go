package authz

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/httprate"

	"github.com/casegraph/casegraph"
)

// UnsealHeader carries the reason a caller gives to see sealed records.
const UnsealHeader = "X-Unseal-Reason"

// Authenticate is the HTTP middleware of every endpoint but the health
// checks: it verifies the bearer token, puts the caller and their scope in
// the request context, and answers 401 (missing, expired or invalid token)
// or 403 (an unseal reason from a caller who may not unseal) with a JSON
// error that names no reason beyond that.
func Authenticate(v *Verifier, a *Authorizer, log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			h := r.Header.Get("Authorization")
			token, ok := strings.CutPrefix(h, "Bearer ")
			if !ok || strings.TrimSpace(token) == "" {
				unauthorized(w, "authentication required: send Authorization: Bearer <token>")
				return
			}
			c, err := v.Verify(strings.TrimSpace(token))
			if err != nil {
				log.InfoContext(ctx, "token refused", "err", err, "request_id", casegraph.RequestID(ctx))
				unauthorized(w, ErrToken.Error())
				return
			}
			s, err := a.Scope(ctx, c, r.Header.Get(UnsealHeader))
			if err != nil {
				var ce *casegraph.Error
				if errors.As(err, &ce) && ce.Code != casegraph.EUNAVAILABLE {
					status := http.StatusForbidden
					if ce.Code == casegraph.EINVALID {
						status = http.StatusBadRequest
					}
					writeError(w, status, ce.Code, ce.Message)
					return
				}
				log.ErrorContext(ctx, "scope not built", "err", err, "request_id", casegraph.RequestID(ctx))
				writeError(w, http.StatusServiceUnavailable, casegraph.EUNAVAILABLE, "access control is not available; try again")
				return
			}
			ctx = casegraph.WithScope(casegraph.WithCaller(ctx, c), s)
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// RateLimit limits each subject (after Authenticate) to n requests per
// window; the excess gets 429 with Retry-After.
func RateLimit(n int, window time.Duration) func(http.Handler) http.Handler {
	return httprate.Limit(n, window,
		httprate.WithKeyFuncs(func(r *http.Request) (string, error) {
			if c := casegraph.CallerFrom(r.Context()); c.Subject != "" {
				return "sub:" + c.Subject, nil
			}
			return httprate.KeyByIP(r)
		}),
		httprate.WithLimitHandler(func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusTooManyRequests, "RATE_LIMITED", "too many requests; slow down")
		}))
}

// Require answers 403 unless the caller holds p: for the endpoints that are
// not GraphQL (ingest, reindex), where the operation is the endpoint.
func Require(a *Authorizer, p Perm) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if err := a.Require(r.Context(), casegraph.CallerFrom(r.Context()), p); err != nil {
				var ce *casegraph.Error
				if errors.As(err, &ce) && ce.Code != casegraph.EUNAVAILABLE {
					writeError(w, http.StatusForbidden, ce.Code, ce.Message)
					return
				}
				writeError(w, http.StatusServiceUnavailable, casegraph.EUNAVAILABLE, "access control is not available; try again")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="casegraph"`)
	writeError(w, http.StatusUnauthorized, casegraph.EUNAUTHENTICATED, msg)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": msg, "code": code})
}
