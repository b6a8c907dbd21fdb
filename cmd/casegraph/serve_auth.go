package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/internal/audit"
	"github.com/casegraph/casegraph/internal/authz"
	"github.com/casegraph/casegraph/internal/config"
	"github.com/casegraph/casegraph/internal/neo4jdb"
)

// newVerifier is the token verifier the configuration names: a public key
// file (production) or an HS256 secret (development), never both and never
// neither — there is no unauthenticated mode.
func newVerifier(cfg config.Config) (*authz.Verifier, error) {
	switch {
	case cfg.JWTPublicKey != "" && cfg.JWTSecret != "":
		return nil, usageError{"set CASEGRAPH_JWT_PUBLIC_KEY or CASEGRAPH_JWT_SECRET, not both"}
	case cfg.JWTPublicKey != "":
		return authz.NewKeyVerifier(cfg.JWTPublicKey)
	case cfg.JWTSecret != "":
		v, err := authz.NewHS256Verifier(cfg.JWTSecret)
		if err != nil {
			return nil, usageError{err.Error()}
		}
		return v, nil
	}
	return nil, usageError{"no token verification configured: set CASEGRAPH_JWT_PUBLIC_KEY (an RS256/ES256 public key file) or, for development, CASEGRAPH_JWT_SECRET (32 bytes or more); `make run` makes one"}
}

// agencyKinds tells authz an agency's kind from the graph.
func agencyKinds(db *neo4jdb.DB) authz.AgencyKinds {
	return func(ctx context.Context, code string) (string, error) {
		ags, err := db.AgenciesByCode(ctx, []string{code})
		if err != nil {
			return "", err
		}
		return string(ags[code].Kind), nil
	}
}

// repairScopes gives every case without scope tokens (written before they
// existed, or whose procedure sync did not run after a crash) its tokens,
// moves its roll-up contributions and alert counters under them, and hands
// the cases to the search index. Until then such a case is visible to no
// one. Then it rolls up the cases not yet counted in the analytics roll-ups
// and the alert counters (backfill).
func repairScopes(ctx context.Context, db *neo4jdb.DB, touch func(context.Context, []string), log *slog.Logger) {
	total := 0
	for ctx.Err() == nil {
		uids, err := db.RepairScopes(ctx, 2000)
		if err != nil {
			log.ErrorContext(ctx, "scope repair failed; cases without scope tokens stay invisible until their next sync", "err", err)
			return
		}
		if len(uids) == 0 {
			break
		}
		touch(ctx, uids)
		total += len(uids)
	}
	if total > 0 {
		log.InfoContext(ctx, "scope tokens written for cases that had none", "cases", total)
	}
	backfill(ctx, log, "analytics roll-ups", "analytics count cases", db.RepairRollups)
	backfill(ctx, log, "alert counters", "alert totals count deadlines", db.RepairAlertCounts)
}

// backfill runs a start-up backfill (repair counts up to n cases a call)
// until no case is left, logging what it is and how long it took. Until it
// is complete the queries it serves count from the graph instead (slower,
// same answers); a failure leaves them so until the next start.
func backfill(ctx context.Context, log *slog.Logger, what, meanwhile string, repair func(context.Context, int) (int, error)) {
	total, start := 0, time.Now()
	for ctx.Err() == nil {
		n, err := repair(ctx, 2000)
		if err != nil {
			log.ErrorContext(ctx, what+" backfill failed; "+meanwhile+" until the next start", "err", err)
			return
		}
		if n == 0 {
			break
		}
		if total == 0 {
			log.InfoContext(ctx, what+": counting the cases stored before them")
		}
		total += n
	}
	if total > 0 {
		log.InfoContext(ctx, what+" complete", "cases", total, "took", time.Since(start).Round(time.Millisecond))
	}
}

// auditIngest records what an ingest batch wrote. The batch has committed
// already, so a failure here cannot undo it: it is logged as an error for
// the operator (audit write failures are an alert, docs/security.md).
func auditIngest(ctx context.Context, l *audit.Log, log *slog.Logger, cases []string) {
	_, err := l.Append(ctx, audit.Event{Subject: "system:ingest", Operation: "ingest batch", Action: "INGEST",
		CaseUIDs: cases, Outcome: "OK", RequestID: casegraph.RequestID(ctx)})
	if err != nil {
		log.ErrorContext(ctx, "audit event of an ingest batch not written", "cases", len(cases), "err", err)
	}
}

// auditRequests appends an event for each request to an endpoint that is
// not GraphQL (the ingest API) before it runs: if the event cannot be
// written, the request is refused (fail closed).
func auditRequests(l *audit.Log, log *slog.Logger, name string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		c := casegraph.CallerFrom(ctx)
		action := "READ"
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			action = "INGEST"
		}
		_, err := l.Append(ctx, audit.Event{Subject: c.Subject, Agency: c.Agency, Roles: c.Roles,
			Operation: fmt.Sprintf("%s %s %s", name, r.Method, r.URL.Path), Action: action, Outcome: "OK",
			RequestID: casegraph.RequestID(ctx), ClientAddr: casegraph.ClientAddr(ctx)})
		if err != nil {
			log.ErrorContext(ctx, "audit event not written; the request is refused", "err", err)
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintf(w, `{"error":"the audit log cannot be written; nothing was done","code":"UNAVAILABLE"}`+"\n")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// anchorAudit logs the audit log's head (sequence and hash) every interval
// while it moves, at Info, so that the log collector keeps anchors outside
// the file: a chain rewritten from some entry to the end, or a cut tail,
// no longer matches an anchor (docs/security.md).
func anchorAudit(ctx context.Context, l *audit.Log, log *slog.Logger, every time.Duration) {
	var last int64 = -1
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if seq, hash := l.Head(); seq != last {
				last = seq
				log.InfoContext(ctx, "audit head", "seq", seq, "hash", hash)
			}
		}
	}
}
