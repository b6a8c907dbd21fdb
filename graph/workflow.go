package graph

import (
	"context"
	"encoding/base64"
	"math"
	"strings"
	"time"

	"github.com/casegraph/casegraph"
	"github.com/casegraph/casegraph/graph/model"
	"github.com/casegraph/casegraph/internal/neo4jdb"
	"github.com/casegraph/casegraph/internal/procedure"
)

// WorkflowStore is what the handover inbox, timelines and supervision read.
type WorkflowStore interface {
	Timeline(ctx context.Context, caseUID string) ([]neo4jdb.ProcedureEvent, error)
	VisibleHandover(ctx context.Context, uid string) (*neo4jdb.FactHandover, error)
	Inbox(ctx context.Context, agency, status string, first int, after *neo4jdb.HandoverKey) ([]neo4jdb.FactHandover, bool, error)
	Alerts(ctx context.Context, f neo4jdb.AlertFilter, first int, after *neo4jdb.AlertKey) ([]neo4jdb.Alert, bool, error)
	CountAlerts(ctx context.Context, f neo4jdb.AlertFilter) (int, error)
}

func optionalCase(ctx context.Context, uid string) (*casegraph.Case, error) {
	if uid == "" {
		return nil, nil
	}
	return optional(loaders(ctx).Case.Load(ctx, uid))
}

func optionalPerson(ctx context.Context, uid string) (*casegraph.Person, error) {
	if uid == "" {
		return nil, nil
	}
	return optional(loaders(ctx).Person.Load(ctx, uid))
}

func optionalAgency(ctx context.Context, code string) (*casegraph.Agency, error) {
	if code == "" {
		return nil, nil
	}
	return optional(loaders(ctx).Agency.Load(ctx, code))
}

func nonZero(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

func stageOrNil(s casegraph.Stage) *casegraph.Stage {
	if s == "" {
		return nil
	}
	return &s
}

func derefLimits(ls []*procedure.TimeLimit) []procedure.TimeLimit {
	out := make([]procedure.TimeLimit, 0, len(ls))
	for _, l := range ls {
		out = append(out, *l)
	}
	return out
}

// overdueDays is how many whole days have passed since end; negative
// before it.
func overdueDays(end, now time.Time) int {
	return int(math.Floor(now.Sub(end).Hours() / 24))
}

func waitedHours(h *neo4jdb.FactHandover, now time.Time) float64 {
	until := now
	if !h.ReceivedAt.IsZero() {
		until = h.ReceivedAt
	}
	return math.Round(until.Sub(h.SentAt).Hours()*10) / 10
}

// caseAfter reads a case after a mutation: straight from the store, not
// through the request's loader, which may hold the state before it.
func (r *mutationResolver) caseAfter(ctx context.Context, uid string) (*casegraph.Case, error) {
	cs, err := r.Store.CasesByUID(ctx, []string{uid})
	if err != nil {
		return nil, err
	}
	c, ok := cs[uid]
	if !ok {
		return nil, casegraph.Errorf(casegraph.ENOTFOUND, "案件 %s 不存在 (no such case)", uid)
	}
	return &c, nil
}

func pageSize(first *int) (int, error) {
	n := 20
	if first != nil {
		n = *first
	}
	if n < 1 || n > 100 {
		return 0, casegraph.Errorf(casegraph.EINVALID, "first must be 1 to 100, not %d", n)
	}
	return n, nil
}

// Workflow cursors are opaque: base64url of "<version>|<RFC 3339 time>|<uid>".
func encodeKeyCursor(version string, t time.Time, uid string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(version + "|" + t.UTC().Format(time.RFC3339Nano) + "|" + uid))
}

func decodeKeyCursor(version, s string) (time.Time, string, error) {
	invalid := casegraph.Errorf(casegraph.EINVALID, "after: %q is not a cursor this API issued; pass a pageInfo.endCursor unchanged", truncate(s, 40))
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return time.Time{}, "", invalid
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 || parts[0] != version || parts[2] == "" {
		return time.Time{}, "", invalid
	}
	t, err := time.Parse(time.RFC3339Nano, parts[1])
	if err != nil {
		return time.Time{}, "", invalid
	}
	return t, parts[2], nil
}

func (r *queryResolver) inbox(ctx context.Context, status *model.HandoverStatus, first *int, after *string) (*model.HandoverConnection, error) {
	caller := casegraph.CallerFrom(ctx)
	if caller.Agency == "" {
		return nil, casegraph.Errorf(casegraph.EUNAUTHENTICATED, "须以办案机关身份查询待接收移送：请求未说明办案机关 (the request names no agency)")
	}
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	st := model.HandoverStatusPending
	if status != nil {
		st = *status
	}
	var key *neo4jdb.HandoverKey
	if after != nil {
		t, uid, err := decodeKeyCursor("h1", *after)
		if err != nil {
			return nil, err
		}
		key = &neo4jdb.HandoverKey{SentAt: t, UID: uid}
	}
	hs, more, err := r.Store.Inbox(ctx, caller.Agency, string(st), n, key)
	if err != nil {
		return nil, err
	}
	conn := &model.HandoverConnection{PageInfo: &model.PageInfo{HasNextPage: more}, Edges: []model.HandoverEdge{}}
	for i := range hs {
		c := encodeKeyCursor("h1", hs[i].SentAt, hs[i].UID)
		conn.Edges = append(conn.Edges, model.HandoverEdge{Cursor: c, Node: &hs[i]})
	}
	if len(conn.Edges) > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[len(conn.Edges)-1].Cursor
	}
	return conn, nil
}

func (r *queryResolver) alerts(ctx context.Context, filter *model.AlertFilter, first *int, after *string) (*model.AlertConnection, error) {
	n, err := pageSize(first)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	f := neo4jdb.AlertFilter{Now: now, Horizon: now.AddDate(0, 0, 7)}
	if filter != nil {
		if filter.DueWithinDays != nil {
			d := *filter.DueWithinDays
			if d < 0 || d > 365 {
				return nil, casegraph.Errorf(casegraph.EINVALID, "dueWithinDays must be 0 to 365, not %d", d)
			}
			f.Horizon = now.AddDate(0, 0, d)
		}
		f.Agencies, f.Districts = filter.Agencies, filter.Districts
		for _, k := range filter.Kinds {
			f.Kinds = append(f.Kinds, string(k))
		}
		for _, s := range filter.Severities {
			f.Severities = append(f.Severities, string(s))
		}
	}
	var key *neo4jdb.AlertKey
	if after != nil {
		t, uid, err := decodeKeyCursor("a1", *after)
		if err != nil {
			return nil, err
		}
		key = &neo4jdb.AlertKey{EndAt: t, UID: uid}
	}
	as, more, err := r.Store.Alerts(ctx, f, n, key)
	if err != nil {
		return nil, err
	}
	conn := &model.AlertConnection{PageInfo: model.PageInfo{HasNextPage: more}, Filter: f, Edges: []model.AlertEdge{}}
	for _, a := range as {
		conn.Edges = append(conn.Edges, model.AlertEdge{Cursor: encodeKeyCursor("a1", a.EndAt, a.UID), Node: a})
	}
	if len(conn.Edges) > 0 {
		conn.PageInfo.StartCursor = &conn.Edges[0].Cursor
		conn.PageInfo.EndCursor = &conn.Edges[len(conn.Edges)-1].Cursor
	}
	return conn, nil
}
