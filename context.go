package casegraph

import (
	"context"
	"sort"
	"sync"
)

type requestIDKey struct{}

// WithRequestID returns ctx carrying the request id, for logs and errors.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the request id carried by ctx, or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// Caller is who makes a request: the verified claims of its bearer token
// (internal/authz fills it; nothing else may).
type Caller struct {
	Subject string   // sub: the user's id
	Name    string   // name: the user's name, for the audit log
	Agency  string   // agency: the code of the agency the user acts for
	Roles   []string // roles: see docs/security.md
	Region  string   // region: 行政区划代码 of the user's jurisdiction
}

type callerKey struct{}

// WithCaller returns ctx carrying the caller.
func WithCaller(ctx context.Context, c Caller) context.Context {
	return context.WithValue(ctx, callerKey{}, c)
}

// CallerFrom returns the caller carried by ctx; the zero Caller if none.
func CallerFrom(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}

// Scope is which cases and persons a caller may see, and how. Every read of
// case or person data applies it inside the query (Cypher and search), so
// counts, pages and facets are right for the caller. The zero Scope sees
// nothing: a read with no scope in its context fails closed.
type Scope struct {
	// All sees every case (the system itself: ingest, sync, the CLI; and
	// the admin role).
	All bool
	// Tokens are matched against a case's scope tokens (Case.scope in the
	// graph, scopeAgencies in the index): the caller's agency code, which
	// every case of a lineage the agency handled, sent or received carries,
	// and supervision tokens KIND@region-prefix (POLICE@3302) of the kinds
	// the caller's roles supervise in the caller's region.
	Tokens []string
	// Unseal lets sealed juvenile records (犯罪记录封存) be seen: only for a
	// caller with the unseal permission who gave a reason.
	Unseal       bool
	UnsealReason string
	// PII shows identity numbers, phone numbers and addresses unmasked.
	PII bool
	// SmallCounts shows aggregate counts of 1 to 4 (roles with case
	// access); without it aggregates withhold them.
	SmallCounts bool
}

// SystemScope is the scope of casegraph's own work (ingest, procedure sync,
// search indexing, the demo loader): everything, unmasked.
var SystemScope = Scope{All: true, Unseal: true, PII: true, SmallCounts: true}

type scopeKey struct{}

// WithScope returns ctx carrying the visibility scope.
func WithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

// ScopeFrom returns the scope carried by ctx; the zero Scope (nothing
// visible) if none.
func ScopeFrom(ctx context.Context) Scope {
	s, _ := ctx.Value(scopeKey{}).(Scope)
	return s
}

type clientKey struct{}

// WithClientAddr returns ctx carrying the client's network address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientKey{}, addr)
}

// ClientAddr returns the client address carried by ctx, or "".
func ClientAddr(ctx context.Context) string {
	a, _ := ctx.Value(clientKey{}).(string)
	return a
}

// Touched collects the uids of the cases and persons one request read or
// wrote, for its audit event. The store adds to it as it reads.
type Touched struct {
	mu      sync.Mutex
	cases   map[string]struct{}
	persons map[string]struct{}
}

type touchedKey struct{}

// WithTouched returns ctx carrying a fresh collector.
func WithTouched(ctx context.Context) (context.Context, *Touched) {
	t := &Touched{cases: map[string]struct{}{}, persons: map[string]struct{}{}}
	return context.WithValue(ctx, touchedKey{}, t), t
}

// TouchCases records case uids on ctx's collector, if it has one.
func TouchCases(ctx context.Context, uids ...string) { touch(ctx, false, uids) }

// TouchPersons records person uids on ctx's collector, if it has one.
func TouchPersons(ctx context.Context, uids ...string) { touch(ctx, true, uids) }

func touch(ctx context.Context, persons bool, uids []string) {
	t, _ := ctx.Value(touchedKey{}).(*Touched)
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	set := t.cases
	if persons {
		set = t.persons
	}
	for _, u := range uids {
		if u != "" {
			set[u] = struct{}{}
		}
	}
}

// Lists returns the uids collected, sorted.
func (t *Touched) Lists() (cases, persons []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for u := range t.cases {
		cases = append(cases, u)
	}
	for u := range t.persons {
		persons = append(persons, u)
	}
	sort.Strings(cases)
	sort.Strings(persons)
	return cases, persons
}
