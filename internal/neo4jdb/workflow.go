package neo4jdb

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/casegraph/casegraph"
)

// Writes and reads of the handover workflow (移送、受理、决定、强制措施).

// NewCase is a case opened through the API.
type NewCase struct {
	UID        string
	Agency     string
	CaseNo     string
	Kind       casegraph.CaseKind
	Title      string
	Summary    string
	District   string
	ReceivedAt time.Time // 受案 (police) or 受理 (procuratorate, court)
	FiledAt    *time.Time
	By         string
	// MutationID is the clientMutationId of the openCase that created
	// the case; a retry with the same id answers the case.
	MutationID string
}

const createCaseQuery = `
MATCH (a:Agency {code: $agency})
CREATE (c:Case {uid: $uid, agencyCode: $agency, caseNo: $caseNo, kind: $kind, title: $title, summary: $summary,
                district: $district, receivedAt: $receivedAt, filedAt: $filedAt, recordedBy: $by,
                clientMutationId: $mutationId, updatedAt: datetime()})
CREATE (c)-[:HANDLED_BY]->(a)
RETURN c.uid AS uid`

func newCaseParams(c NewCase) map[string]any {
	return map[string]any{"uid": c.UID, "agency": c.Agency, "caseNo": c.CaseNo, "kind": string(c.Kind),
		"title": nilIfEmpty(c.Title), "summary": nilIfEmpty(c.Summary), "district": nilIfEmpty(c.District),
		"receivedAt": offsetTime(c.ReceivedAt), "filedAt": dateParam(c.FiledAt), "by": nilIfEmpty(c.By),
		"mutationId": nilIfEmpty(c.MutationID)}
}

// CreateCase creates a case inside a lineage transaction (a case opened by
// the police, a receiving agency's case on acceptance); a case with the
// same uid is a CONFLICT.
func (l *LineageTx) CreateCase(c NewCase) error {
	recs, err := l.run(createCaseQuery, newCaseParams(c))
	if err != nil {
		return translate(err)
	}
	if len(recs) == 0 {
		return casegraph.Errorf(casegraph.ENOTFOUND, "未知的办案机关 %s (unknown agency)", c.Agency)
	}
	return nil
}

// CaseAt returns the uid of the case of an agency with a number, or "".
func (l *LineageTx) CaseAt(agency, caseNo string) (string, error) {
	recs, err := l.run(`MATCH (c:Case {agencyCode: $agency, caseNo: $caseNo}) RETURN c.uid AS uid`,
		map[string]any{"agency": agency, "caseNo": caseNo})
	if err != nil || len(recs) == 0 {
		return "", err
	}
	return asString(get(recs[0], "uid")), nil
}

// SetFiled records a case's filing date (立案).
func (l *LineageTx) SetFiled(caseUID string, at time.Time) error {
	_, err := l.run(`MATCH (c:Case {uid: $uid}) SET c.filedAt = coalesce(c.filedAt, $at)`,
		map[string]any{"uid": caseUID, "at": neo4j.DateOf(at)})
	return err
}

// SendHandover writes a pending handover from a case.
func (l *LineageTx) SendHandover(h FactHandover) error {
	_, err := l.run(`
MATCH (f:Case {uid: $from})
CREATE (h:Handover {uid: $uid, type: $type, fromAgency: $fromAgency, toAgency: $toAgency, sentAt: $sentAt,
                    status: 'PENDING', personUid: $person, variant: $variant, sentBy: $by, reason: $note,
                    updatedAt: datetime()})
CREATE (f)-[:SENT]->(h)`, map[string]any{"from": h.FromCase, "uid": h.UID, "type": string(h.Type), "fromAgency": h.FromAgency,
		"toAgency": h.ToAgency, "sentAt": offsetTime(h.SentAt), "person": nilIfEmpty(h.Person), "variant": nilIfEmpty(h.Variant),
		"by": nilIfEmpty(h.SentBy), "note": nilIfEmpty(h.Reason)})
	return translate(err)
}

// AcceptHandover marks a handover accepted by a case and links the two
// cases. mutationID is the clientMutationId of the receiveHandover, if any.
func (l *LineageTx) AcceptHandover(uid, toCase string, at time.Time, by, mutationID string) error {
	_, err := l.run(`
MATCH (f:Case)-[:SENT]->(h:Handover {uid: $uid})
MATCH (t:Case {uid: $to})
SET h.status = 'ACCEPTED', h.receivedAt = $at, h.receivedBy = $by, h.receivedMutationId = $mutationId,
    h.updatedAt = datetime()
MERGE (h)-[:RECEIVED_BY]->(t)
MERGE (f)-[r:TRANSFERRED_TO {handover: $uid}]->(t)
SET r.type = h.type, r.at = h.sentAt, f.updatedAt = datetime(), t.updatedAt = datetime()`, map[string]any{"uid": uid, "to": toCase, "at": offsetTime(at), "by": nilIfEmpty(by),
		"mutationId": nilIfEmpty(mutationID)})
	return err
}

// RejectHandover marks a handover rejected with a reason. mutationID is the
// clientMutationId of the receiveHandover, if any.
func (l *LineageTx) RejectHandover(uid string, at time.Time, code, reason, by, mutationID string) error {
	_, err := l.run(`
MATCH (h:Handover {uid: $uid})
SET h.status = 'REJECTED', h.receivedAt = $at, h.reasonCode = $code, h.reason = $reason, h.receivedBy = $by,
    h.receivedMutationId = $mutationId, h.updatedAt = datetime()`, map[string]any{"uid": uid, "at": offsetTime(at), "code": code, "reason": reason,
		"by": nilIfEmpty(by), "mutationId": nilIfEmpty(mutationID)})
	return err
}

// Records a retried mutation compares its input with (clientMutationId):
// each is read by uid, wherever it is, inside the lineage transaction.

// ExistingCase is a case as openCase created it.
type ExistingCase struct {
	UID, Agency, CaseNo, Title, Summary, District string
	ReceivedAt                                    time.Time
	Stage                                         casegraph.Stage
	MutationID                                    string // the clientMutationId that created it, if any
}

// ExistingCase reads a case by uid; nil when there is none.
func (l *LineageTx) ExistingCase(uid string) (*ExistingCase, error) {
	recs, err := l.run(`MATCH (c:Case {uid: $uid})
RETURN c{.uid, .agencyCode, .caseNo, .title, .summary, .district, .receivedAt, .stage, .clientMutationId} AS c`,
		map[string]any{"uid": uid})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	c := props(get(recs[0], "c"))
	return &ExistingCase{UID: str(c, "uid"), Agency: str(c, "agencyCode"), CaseNo: str(c, "caseNo"), Title: str(c, "title"),
		Summary: str(c, "summary"), District: str(c, "district"), ReceivedAt: datetime(c, "receivedAt"),
		Stage: casegraph.Stage(str(c, "stage")), MutationID: str(c, "clientMutationId")}, nil
}

// Decision reads a decision by uid with its case and person; nil when there
// is none.
func (l *LineageTx) Decision(uid string) (*FactDecision, error) {
	recs, err := l.run(`MATCH (d:Decision {uid: $uid})
RETURN d{.*, case: head([(d)-[:IN_CASE]->(c:Case) | c.uid]), person: head([(d)-[:ON_PERSON]->(p:Person) | p.uid])} AS d`,
		map[string]any{"uid": uid})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	d := props(get(recs[0], "d"))
	return &FactDecision{UID: str(d, "uid"), Case: str(d, "case"), Person: str(d, "person"), Kind: str(d, "kind"),
		Subtype: str(d, "subtype"), DecidedAt: instant(d, "decidedAt"), Basis: str(d, "basis"), By: str(d, "recordedBy")}, nil
}

// Measure reads a measure by uid with its case and person; nil when there
// is none.
func (l *LineageTx) Measure(uid string) (*FactMeasure, error) {
	recs, err := l.run(`MATCH (m:Measure {uid: $uid})
RETURN m{.*, case: head([(m)-[:IN_CASE]->(c:Case) | c.uid]), person: head([(m)-[:ON_PERSON]->(p:Person) | p.uid])} AS m`,
		map[string]any{"uid": uid})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	m := props(get(recs[0], "m"))
	return &FactMeasure{UID: str(m, "uid"), Case: str(m, "case"), Person: str(m, "person"), Kind: str(m, "kind"),
		From: instant(m, "from"), By: str(m, "recordedBy")}, nil
}

// handoverByUIDQuery reads a handover with the uids of the case that sent
// it and of the case that received it.
const handoverByUIDQuery = `
MATCH (f:Case)-[:SENT]->(h:Handover {uid: $uid})
RETURN h{.*, from: f.uid, to: head([(h)-[:RECEIVED_BY]->(t:Case) | t.uid])} AS h`

// Handover reads a handover by uid inside the lineage transaction, wherever
// it is; nil when there is none.
func (l *LineageTx) Handover(uid string) (*FactHandover, error) {
	recs, err := l.run(handoverByUIDQuery, map[string]any{"uid": uid})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	h := handoverFrom(props(get(recs[0], "h")))
	return &h, nil
}

// RecordDecision writes a decision on a case.
func (l *LineageTx) RecordDecision(d FactDecision) error {
	_, err := l.run(`
MATCH (c:Case {uid: $case})
CREATE (d:Decision {uid: $uid, kind: $kind, subtype: $subtype, decidedAt: $at, basis: $basis, recordedBy: $by,
                    updatedAt: datetime()})
CREATE (d)-[:IN_CASE]->(c)
WITH d
OPTIONAL MATCH (p:Person {uid: $person})
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (d)-[:ON_PERSON]->(p))`,
		map[string]any{"case": d.Case, "uid": d.UID, "kind": d.Kind, "subtype": nilIfEmpty(d.Subtype), "at": offsetTime(d.DecidedAt),
			"basis": nilIfEmpty(d.Basis), "by": nilIfEmpty(d.By), "person": d.Person})
	return translate(err)
}

// RecordMeasure writes a custody measure on a person in a case.
func (l *LineageTx) RecordMeasure(m FactMeasure) error {
	_, err := l.run(`
MATCH (c:Case {uid: $case}), (p:Person {uid: $person})
CREATE (m:Measure {uid: $uid, kind: $kind, from: $at, recordedBy: $by, updatedAt: datetime()})
CREATE (m)-[:IN_CASE]->(c)
CREATE (m)-[:ON_PERSON]->(p)`,
		map[string]any{"case": m.Case, "person": m.Person, "uid": m.UID, "kind": m.Kind, "at": offsetTime(m.From), "by": nilIfEmpty(m.By)})
	return translate(err)
}

// RequirePerson returns NOT_FOUND unless the person is known.
func (l *LineageTx) RequirePerson(uid string) error {
	recs, err := l.run(`MATCH (p:Person {uid: $uid}) RETURN p.uid AS uid`, map[string]any{"uid": uid})
	if err != nil {
		return err
	}
	if len(recs) == 0 {
		return casegraph.Errorf(casegraph.ENOTFOUND, "人员 %s 不存在 (no such person)", uid)
	}
	return nil
}

// HandoverByUID returns a handover with the uid of the case that sent it.
func (db *DB) HandoverByUID(ctx context.Context, uid string) (*FactHandover, error) {
	recs, err := db.read(ctx, handoverByUIDQuery, map[string]any{"uid": uid})
	if err != nil {
		return nil, fmt.Errorf("HandoverByUID: %w", err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	h := handoverFrom(props(get(recs[0], "h")))
	return &h, nil
}

// VisibleHandover is HandoverByUID in the caller's scope: the handover is
// seen when its sending case is, or when the caller's agency sent or
// received it. nil when there is none the caller may see.
func (db *DB) VisibleHandover(ctx context.Context, uid string) (*FactHandover, error) {
	recs, err := db.read(ctx, `
MATCH (f:Case)-[:SENT]->(h:Handover {uid: $uid})
WHERE `+visibleCase("f")+` OR h.toAgency IN $scopeTokens OR h.fromAgency IN $scopeTokens
RETURN h{.*, from: f.uid, to: head([(h)-[:RECEIVED_BY]->(t:Case) | t.uid])} AS h`, scoped(ctx, map[string]any{"uid": uid}))
	if err != nil {
		return nil, fmt.Errorf("VisibleHandover: %w", err)
	}
	if len(recs) == 0 {
		return nil, nil
	}
	h := handoverFrom(props(get(recs[0], "h")))
	casegraph.TouchCases(ctx, h.FromCase, h.ToCase)
	return &h, nil
}

func handoverFrom(h map[string]any) FactHandover {
	return FactHandover{UID: str(h, "uid"), Type: casegraph.HandoverType(str(h, "type")),
		FromCase: str(h, "from"), ToCase: str(h, "to"), FromAgency: str(h, "fromAgency"), ToAgency: str(h, "toAgency"),
		SentAt: instant(h, "sentAt"), ReceivedAt: instant(h, "receivedAt"), Status: str(h, "status"),
		ReasonCode: str(h, "reasonCode"), Reason: str(h, "reason"), Person: str(h, "personUid"),
		Variant: str(h, "variant"), SentBy: str(h, "sentBy"), ReceivedBy: str(h, "receivedBy"),
		ReceivedMutationID: str(h, "receivedMutationId")}
}

// HandoverKey is the position of a handover in the inbox: oldest first.
type HandoverKey struct {
	SentAt time.Time
	UID    string
}

// Inbox lists the handovers addressed to an agency with a status, oldest
// sent first, after a key.
func (db *DB) Inbox(ctx context.Context, agency, status string, first int, after *HandoverKey) ([]FactHandover, bool, error) {
	p := map[string]any{"agency": agency, "status": status, "limit": first + 1, "afterAt": offsetTime(time.Time{}), "afterUID": ""}
	if after != nil {
		p["afterAt"] = offsetTime(after.SentAt)
		p["afterUID"] = after.UID
	}
	// The range on sentAt lets the planner seek index handover_inbox
	// (toAgency, status, sentAt); with "$afterAt IS NULL OR …" it scanned
	// every handover (221,089 at 100k generated cases, about 0.2 s).
	recs, err := db.read(ctx, `
MATCH (h:Handover {toAgency: $agency, status: $status})
WHERE h.sentAt >= $afterAt AND (h.sentAt > $afterAt OR h.uid > $afterUID)
MATCH (f:Case)-[:SENT]->(h)
RETURN h{.*, from: f.uid, to: head([(h)-[:RECEIVED_BY]->(t:Case) | t.uid])} AS h
ORDER BY h.sentAt, h.uid
LIMIT $limit`, p)
	if err != nil {
		return nil, false, fmt.Errorf("Inbox: %w", err)
	}
	out := make([]FactHandover, 0, len(recs))
	for _, r := range recs {
		out = append(out, handoverFrom(props(get(r, "h"))))
	}
	more := len(out) > first
	if more {
		out = out[:first]
	}
	return out, more, nil
}

// AlertFilter narrows supervision alerts.
type AlertFilter struct {
	Now        time.Time
	Horizon    time.Time // due-soon alerts end at or before this instant
	Agencies   []string
	Districts  []string
	Kinds      []string // OVERDUE, DUE_SOON, RED_FLAG, ANOMALY
	Severities []string // CRITICAL, HIGH, MEDIUM, LOW
}

// Alert is a stored deadline seen at a time.
type Alert struct {
	StoredDeadline
	AlertKind     string
	AlertSeverity string
}

// AlertKey is the position of an alert in the list: most urgent first, i.e.
// by the end of its period, then uid.
type AlertKey struct {
	EndAt time.Time
	UID   string
}

// alertsWith reads the deadlines whose period ends before the horizon, in
// the order they end (index deadline_open_end, which gives the order, so a
// page stops after its rows), classifies them at $now and filters them.
// The keyset is (openEnd, uid): the range starts at the last openEnd of the
// previous page and the tie is filtered after.
var alertsWith = `
MATCH (d:Deadline)
WHERE d.openEnd >= $afterAt AND d.openEnd <= $horizon
  AND (d.openEnd > $afterAt OR d.uid > $afterUID)
  AND EXISTS { MATCH (d)-[:IN_CASE]->(c:Case) WHERE ` + visibleCase("c") + ` }` + alertClassified

var alertsQuery = alertsWith + `
RETURN d, kind, severity
ORDER BY d.openEnd, d.uid
LIMIT $limit`

// alertsOfAgenciesQuery is alertsQuery for a filter on agencies: each
// agency's first page from index deadline_agency_open_end (agency, openEnd),
// then the first page of those. alertsQuery walks every deadline in openEnd
// order and drops other agencies' after reading them, which took 2.9 s at
// the median for one agency's first page at 1M generated cases. The inner
// order names d.agency (one value there) so that the planner takes the
// index's order and stops after the page (PartialTop); ordered by openEnd
// and uid alone it sorted all of the agency's deadlines.
var alertsOfAgenciesQuery = `
UNWIND $agencies AS agency
CALL (agency) {
  MATCH (d:Deadline)
  WHERE d.agency = agency AND d.openEnd >= $afterAt AND d.openEnd <= $horizon
    AND (d.openEnd > $afterAt OR d.uid > $afterUID)
    AND EXISTS { MATCH (d)-[:IN_CASE]->(c:Case) WHERE ` + visibleCase("c") + ` }` + alertClassified + `
  RETURN d, kind, severity
  ORDER BY d.agency, d.openEnd, d.uid
  LIMIT $limit
}
RETURN d, kind, severity
ORDER BY d.openEnd, d.uid
LIMIT $limit`

// alertsCountQuery counts every alert of a filter from the deadlines: what
// CountAlerts runs until the alert counters are complete (and the tests
// compare the counters with).
var alertsCountQuery = alertsWith + `
RETURN count(d) AS n`

func alertParams(f AlertFilter) map[string]any {
	return map[string]any{"now": offsetTime(f.Now), "horizon": offsetTime(f.Horizon), "agencies": orEmpty(f.Agencies),
		"districts": orEmpty(f.Districts), "kinds": orEmpty(f.Kinds), "severities": orEmpty(f.Severities),
		"afterAt": offsetTime(time.Time{}), "afterUID": ""}
}

// Alerts lists supervision alerts, most urgent first.
func (db *DB) Alerts(ctx context.Context, f AlertFilter, first int, after *AlertKey) ([]Alert, bool, error) {
	p := scoped(ctx, alertParams(f))
	p["limit"] = first + 1
	if after != nil {
		p["afterAt"] = offsetTime(after.EndAt)
		p["afterUID"] = after.UID
	}
	q := alertsQuery
	if len(f.Agencies) > 0 {
		p["agencies"] = slices.Compact(slices.Sorted(slices.Values(f.Agencies)))
		q = alertsOfAgenciesQuery
	}
	recs, err := db.read(ctx, q, p)
	if err != nil {
		return nil, false, fmt.Errorf("Alerts: %w", err)
	}
	out := make([]Alert, 0, len(recs))
	for _, r := range recs {
		out = append(out, Alert{StoredDeadline: deadlineFrom(props(get(r, "d"))),
			AlertKind: asString(get(r, "kind")), AlertSeverity: asString(get(r, "severity"))})
		casegraph.TouchCases(ctx, out[len(out)-1].Case)
		casegraph.TouchPersons(ctx, out[len(out)-1].Person)
	}
	more := len(out) > first
	if more {
		out = out[:first]
	}
	return out, more, nil
}

// CountAlerts counts the alerts of a filter: from the alert counters
// (alertcount.go) once every case is counted in them, from the deadlines
// until then.
func (db *DB) CountAlerts(ctx context.Context, f AlertFilter) (int, error) {
	ready, err := db.AlertCountsReady(ctx)
	if err != nil {
		return 0, fmt.Errorf("CountAlerts: %w", err)
	}
	if ready {
		n, err := db.countAlertCells(ctx, f)
		if err != nil {
			return 0, fmt.Errorf("CountAlerts: %w", err)
		}
		return n, nil
	}
	return db.CountAlertsByScan(ctx, f)
}

// CountAlertsByScan counts the alerts of a filter from the deadlines
// themselves, reading every one before the horizon: what CountAlerts does
// until the alert counters are complete, and the baseline benchalerts
// compares the counters with.
func (db *DB) CountAlertsByScan(ctx context.Context, f AlertFilter) (int, error) {
	recs, err := db.read(ctx, alertsCountQuery, scoped(ctx, alertParams(f)))
	if err != nil {
		return 0, fmt.Errorf("CountAlerts: %w", err)
	}
	n, _ := get(recs[0], "n").(int64)
	return int(n), nil
}

func stringList(v any) []string {
	xs, _ := v.([]any)
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func deadlineFrom(p map[string]any) StoredDeadline {
	custody, _ := p["custody"].(bool)
	return StoredDeadline{UID: str(p, "uid"), Kind: str(p, "kind"), Status: str(p, "status"), Rule: str(p, "rule"),
		Title: str(p, "title"), Article: str(p, "article"), Citation: str(p, "citation"), Flags: stringList(p["flags"]),
		FlagNames: stringList(p["flagNames"]), Severity: str(p, "severity"), Case: str(p, "caseUid"), Agency: str(p, "agency"),
		District: str(p, "district"), Person: str(p, "personUid"), StartedAt: datetime(p, "startedAt"),
		DueAt: datetime(p, "dueAt"), EndAt: datetime(p, "endAt"), Custody: custody, Facts: stringList(p["facts"])}
}

// DeadlinesOfCases lists the stored deadlines of cases (tests compare the
// two paths with it).
func (db *DB) DeadlinesOfCases(ctx context.Context, uids []string) ([]StoredDeadline, error) {
	recs, err := db.read(ctx, `MATCH (d:Deadline) WHERE d.caseUid IN $uids RETURN d ORDER BY d.endAt, d.rule, d.uid`,
		map[string]any{"uids": uids})
	if err != nil {
		return nil, fmt.Errorf("DeadlinesOfCases: %w", err)
	}
	out := make([]StoredDeadline, 0, len(recs))
	for _, r := range recs {
		out = append(out, deadlineFrom(props(get(r, "d"))))
	}
	return out, nil
}
